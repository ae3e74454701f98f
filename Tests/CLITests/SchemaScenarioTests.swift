import Foundation
import Testing

/// A user's road with default options on simulated data: every machine-readable output validates
/// against its JSON Schema in `schemas/` (the house style: snake_case, typed values, null for missing,
/// schema_version), and every sidecar against the provenance schema.
@Suite(.serialized) struct SchemaScenarioTests {
    /// 6,000 synthetic incidents over 2025 (seeded), shared by the tests of this suite.
    static let data: URL = {
        let dir = try! CLI.tempDir("schemas")
        let csv = dir.appendingPathComponent("sim.csv")
        let r = try! CLI.run(["simulate", "--count", "6000", "--seed", "11", "-o", csv.path, "-q"])
        precondition(r.status == 0, r.stderr)
        return csv
    }()
    static var dir: URL { data.deletingLastPathComponent() }

    func expectValid(_ file: URL, _ schema: String, pointer: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let errors = try SchemaCheck.errors(file, schema: schema, pointer: pointer)
        #expect(errors.isEmpty, "\(file.lastPathComponent) against \(schema): \(errors.joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    @Test func assignOutputsValidate() throws {
        let out = Self.dir.appendingPathComponent("asignados.geojson")
        let r = try CLI.run(["assign", Self.data.path, "-o", out.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        try expectValid(out, "assign.geojson.schema.json")
        let csv = Self.dir.appendingPathComponent("asignados.csv")
        #expect(try CLI.run(["assign", Self.data.path, "-o", csv.path, "-q"]).status == 0)
        try expectValid(Self.dir.appendingPathComponent("asignados.provenance.json"), "provenance.schema.json")
    }

    @Test func densityOutputsValidate() throws {
        let tif = Self.dir.appendingPathComponent("densidad.tif")
        let r = try CLI.run(["density", Self.data.path, "-o", tif.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let sidecar = Self.dir.appendingPathComponent("densidad.provenance.json")
        try expectValid(sidecar, "provenance.schema.json")
        let prov = try JSONSerialization.jsonObject(with: Data(contentsOf: sidecar)) as! [String: Any]
        #expect(prov["output_crs"] as? String == "EPSG:9377")
        let bands = Self.dir.appendingPathComponent("densidad.geojson")
        #expect(try CLI.run(["density", Self.data.path, "-o", bands.path, "-q"]).status == 0)
        try expectValid(bands, "provenance.schema.json", pointer: "atalaya")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: bands)) as! [String: Any]
        #expect((doc["atalaya"] as! [String: Any])["output_crs"] as? String == "EPSG:4326")
    }
}
