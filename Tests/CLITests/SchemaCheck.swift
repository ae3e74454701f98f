import Foundation
import TestSupport

/// Validates JSON outputs against the JSON Schemas in `schemas/` with the reference Python
/// implementation (`jsonschema`, Draft 2020-12; `make test` installs it when missing).
/// Returns the validation errors, one line each (empty when the document conforms).
enum SchemaCheck {
    static let schemasDir = TestPaths.schemas

    private static let script = """
    import json, os, sys
    from jsonschema import Draft202012Validator
    schemas_dir, name, instance_path, pointer, max_features = sys.argv[1:5] + [int(sys.argv[5])]
    store = {}
    for f in sorted(os.listdir(schemas_dir)):
        if f.endswith('.schema.json'):
            s = json.load(open(os.path.join(schemas_dir, f), encoding='utf-8'))
            store[s['$id']] = s
    schema = json.load(open(os.path.join(schemas_dir, name), encoding='utf-8'))
    doc = json.load(open(instance_path, encoding='utf-8'))
    for part in [p for p in pointer.split('/') if p]:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    feats = doc.get('features') if isinstance(doc, dict) else None
    if max_features > 0 and isinstance(feats, list) and len(feats) > max_features:
        # Large grids (77,000 cells): every distinct shape of properties (keys, JSON types, short
        # strings and booleans, so each kind/quadrant/bin shows), then an even stride up to max_features.
        def shape(f):
            p = f.get('properties') if isinstance(f, dict) else None
            if not isinstance(p, dict): return repr(type(p))
            return repr([(k, type(v).__name__, v if isinstance(v, bool) or (isinstance(v, str) and len(v) <= 8) or k.endswith('_bin') else None) for k, v in p.items()])
        keep, seen = set(), set()
        for i, f in enumerate(feats):
            s = shape(f)
            if s not in seen: seen.add(s); keep.add(i)
        step = max(1, len(feats) // max_features)
        keep.update(range(0, len(feats), step))
        doc['features'] = [feats[i] for i in sorted(keep)]
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
    ///   (e.g. "atalaya" for a GeoJSON's provenance member), empty for the whole document; `maxFeatures`
    ///   (0: all) validates, of a larger FeatureCollection, every distinct shape of properties plus an even
    ///   sample (the Python validator takes a minute on a 77,000-cell grid).
    static func errors(_ document: URL, schema: String, pointer: String = "", maxFeatures: Int = 0) throws -> [String] {
        let r = try CLI.runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                   ["python3", "-c", script, schemasDir.path, schema, document.path, pointer, String(maxFeatures)],
                                   cwd: TestPaths.packageRoot)
        guard r.status == 0 else {
            return ["schema check could not run (python3 with jsonschema is required): " + r.stderr]
        }
        let o = r.stdout
        return o.split(separator: "\n").map(String.init)
    }
}
