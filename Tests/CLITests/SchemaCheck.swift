import Foundation

/// Validates JSON outputs against the JSON Schemas in `schemas/` with the reference Python
/// implementation (`jsonschema`, Draft 2020-12; `make test` installs it when missing).
/// Returns the validation errors, one line each (empty when the document conforms).
enum SchemaCheck {
    static let schemasDir = CLI.packageRoot.appendingPathComponent("schemas")

    private static let script = """
    import json, os, sys
    from jsonschema import Draft202012Validator
    schemas_dir, name, instance_path, pointer = sys.argv[1:5]
    store = {}
    for f in sorted(os.listdir(schemas_dir)):
        if f.endswith('.schema.json'):
            s = json.load(open(os.path.join(schemas_dir, f), encoding='utf-8'))
            store[s['$id']] = s
    schema = json.load(open(os.path.join(schemas_dir, name), encoding='utf-8'))
    doc = json.load(open(instance_path, encoding='utf-8'))
    for part in [p for p in pointer.split('/') if p]:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    try:  # jsonschema ≥ 4.18
        from referencing import Registry, Resource
        registry = Registry().with_resources([(k, Resource.from_contents(v)) for k, v in store.items()])
        validator = Draft202012Validator(schema, registry=registry)
    except ImportError:  # Debian 12's 4.10
        from jsonschema import RefResolver
        validator = Draft202012Validator(schema, resolver=RefResolver.from_schema(schema, store=store))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:20]:
        print('/'.join(str(p) for p in e.absolute_path) + ': ' + e.message[:300])
    """

    /// - Parameters: `schema` a file name in `schemas/`; `pointer` a path inside the document to check
    ///   (e.g. "atalaya" for a GeoJSON's provenance member), empty for the whole document.
    static func errors(_ document: URL, schema: String, pointer: String = "") throws -> [String] {
        let r = try CLI.runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, schemasDir.path, schema, document.path, pointer],
                                   cwd: CLI.packageRoot)
        guard r.status == 0 else {
            return ["schema check could not run (python3 with jsonschema is required): " + r.stderr]
        }
        let o = r.stdout
        return o.split(separator: "\n").map(String.init)
    }
}
