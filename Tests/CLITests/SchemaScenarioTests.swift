import Foundation
import Testing
import TestSupport

/// A user's road with default options on simulated data: every machine-readable output validates
/// against its JSON Schema in `schemas/` (the house style: snake_case, typed values, null for missing,
/// schema_version), and every sidecar against the provenance schema.
@Suite(.serialized) struct SchemaScenarioTests {
    /// 6,000 synthetic incidents over 2025 (seeded), shared by the tests of this suite.
    static let data: URL = {
        let dir = try! TestFiles.tempDir("schemas")
        let csv = dir.appendingPathComponent("sim.csv")
        let r = try! CLI.run(["simulate", "--count", "6000", "--seed", "11", "-o", csv.path, "-q"])
        precondition(r.status == 0, r.stderr)
        return csv
    }()
    static var dir: URL { data.deletingLastPathComponent() }

    func expectValid(_ file: URL, _ schema: String, pointer: String = "", maxFeatures: Int = 0,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let errors = try SchemaCheck.errors(file, schema: schema, pointer: pointer, maxFeatures: maxFeatures)
        #expect(errors.isEmpty, "\(file.lastPathComponent) against \(schema): \(errors.joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    /// The schema can fail: a copy of the real document (its provenance and first features) with one
    /// property of the first feature broken by `edit` must not validate, and the error names the property.
    func expectRejected(_ file: URL, _ schema: String, property: String, _ edit: (inout [String: Any]) -> Void,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        var doc = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        var features = Array((doc["features"] as! [[String: Any]]).prefix(3))
        #expect(!features.isEmpty, "\(file.lastPathComponent) has no feature to break", sourceLocation: sourceLocation)
        guard !features.isEmpty else { return }
        var props = features[0]["properties"] as! [String: Any]
        edit(&props)
        features[0]["properties"] = props
        doc["features"] = features
        let copy = file.deletingPathExtension().appendingPathExtension("broken.json")
        try JSONSerialization.data(withJSONObject: doc).write(to: copy)
        let errors = try SchemaCheck.errors(copy, schema: schema)
        #expect(!errors.isEmpty && errors.allSatisfy { !$0.hasPrefix("schema check could not run") },
                "a broken \(property) passed \(schema): \(errors)", sourceLocation: sourceLocation)
        #expect(errors.contains { $0.contains(property) }, "\(errors)", sourceLocation: sourceLocation)
    }

    /// As `expectRejected`, breaking the provenance (the "atalaya" member) instead.
    func expectRejectedProvenance(_ file: URL, _ schema: String, property: String, _ edit: (inout [String: Any]) -> Void,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        var doc = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        var prov = doc["atalaya"] as! [String: Any]
        edit(&prov)
        doc["atalaya"] = prov
        doc["features"] = Array((doc["features"] as! [Any]).prefix(3))
        let copy = file.deletingPathExtension().appendingPathExtension("broken.json")
        try JSONSerialization.data(withJSONObject: doc).write(to: copy)
        let errors = try SchemaCheck.errors(copy, schema: schema)
        #expect(errors.contains { $0.contains(property) } && errors.allSatisfy { !$0.hasPrefix("schema check could not run") },
                "a broken \(property) passed \(schema): \(errors)", sourceLocation: sourceLocation)
    }

    /// `simulate -o sim.csv` writes its sidecar as sim.provenance.json (never sim.csv.json), valid against
    /// its schema; the schema refuses a seed written as text and an attractor given as a sentence.
    @Test func simulateSidecarValidates() throws {
        let sidecar = Self.dir.appendingPathComponent("sim.provenance.json")
        #expect(FileManager.default.fileExists(atPath: sidecar.path))
        #expect(!FileManager.default.fileExists(atPath: Self.data.path + ".json"))
        try expectValid(sidecar, "simulate.provenance.schema.json")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: sidecar)) as! [String: Any]
        // The arguments of the suite's run: --count 6000 --seed 11, default window [2025-01-01, 2026-01-01).
        #expect(doc["seed"] as? Int == 11 && doc["count"] as? Int == 6000)
        #expect(doc["from"] as? String == "2025-01-01" && doc["to"] as? String == "2026-01-01")
        #expect(doc["csv"] as? String == "sim.csv")
        let firstID = try CLI.readCSV(Self.data)[1][0]
        #expect(doc["run_id"] as? String == String(firstID.dropLast("-0000001".count)), "\(firstID)")
        let attractors = try #require(doc["attractors"] as? [[String: Any]])
        #expect(attractors.map { $0["layer"] as? String } == ["transmilenio_estaciones", "parques_escenarios_idrd"])
        #expect(attractors.allSatisfy { ($0["inside_upz"] as? Int ?? -1) <= ($0["points"] as? Int ?? -1) && ($0["points"] as? Int ?? 0) > 0 })
        func errors(_ edit: (inout [String: Any]) -> Void) throws -> [String] {
            var copy = doc
            edit(&copy)
            let url = Self.dir.appendingPathComponent("sim.provenance.broken.json")
            try JSONSerialization.data(withJSONObject: copy).write(to: url)
            return try SchemaCheck.errors(url, schema: "simulate.provenance.schema.json")
        }
        let seed = try errors { $0["seed"] = "11" }
        #expect(seed.count == 1 && seed[0].hasPrefix("seed: "), "\(seed)")
        let sentence = try errors { $0["attractors"] = ["transmilenio_estaciones: 150 points, 148 inside a UPZ"] }
        #expect(sentence.count == 1 && sentence[0].hasPrefix("attractors/0: "), "\(sentence)")
        let unversioned = try errors { $0.removeValue(forKey: "schema_version") }
        #expect(unversioned == [": 'schema_version' is a required property"], "\(unversioned)")
    }

    func hotspots(_ name: String, _ options: [String] = []) throws -> URL {
        let out = Self.dir.appendingPathComponent(name)
        let r = try CLI.run(["hotspots", Self.data.path, "-o", out.path, "-q"] + options)
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    @Test func hotspotsKDEValidates() throws {
        let out = try hotspots("kde.geojson")
        try expectValid(out, "hotspots-kde.geojson.schema.json")
        // The provenance names the layers the map was made from and the grid conventions it follows.
        let prov = (try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any])["atalaya"] as! [String: Any]
        let layerNames = (prov["layers"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(layerNames == ["localidades", "upz", "upl", "municipios_region", "policia_cuadrantes"], "\(layerNames)")
        #expect((prov["rules"] as! [String: Any])["cells"] as? String == "half-open [x0, x0 + cell) × [y0, y0 + cell): a point on a shared edge belongs to exactly one cell")
        #expect((prov["options"] as! [String: Any])["input"] as? String == Self.data.path)
        try expectRejected(out, "hotspots-kde.geojson.schema.json", property: "incidents") { $0["incidents"] = "\($0["incidents"]!)" }
        try expectRejected(out, "hotspots-kde.geojson.schema.json", property: "peakDensity") { $0["peakDensity"] = $0.removeValue(forKey: "peak_density") }
        // A time window is written in ISO 8601 with Bogotá's offset, −05:00.
        let window = try hotspots("kde-window.geojson", ["--from", "2025-03-01", "--to", "2025-06-01"])
        try expectValid(window, "hotspots-kde.geojson.schema.json")
        let analysis = (try JSONSerialization.jsonObject(with: Data(contentsOf: window)) as! [String: Any])["atalaya"]
            .flatMap { ($0 as? [String: Any])?["analysis"] as? [String: Any] }
        #expect(analysis?["filter_time_from_inclusive"] as? String == "2025-03-01T00:00:00-05:00")
        #expect(analysis?["filter_time_to_exclusive"] as? String == "2025-06-01T00:00:00-05:00")
        try expectRejectedProvenance(window, "hotspots-kde.geojson.schema.json", property: "filter_time_from_inclusive") {
            var a = $0["analysis"] as! [String: Any]; a["filter_time_from_inclusive"] = "2025-03-01 00:00:00"; $0["analysis"] = a
        }
        try expectRejectedProvenance(out, "hotspots-kde.geojson.schema.json", property: "input") {
            var i = $0["input"] as! [String: Any]; var c = i["columns"] as! [String: Any]; c["weight"] = ""; i["columns"] = c; $0["input"] = i
        }
    }

    @Test func hotspotsGiStarValidates() throws {
        let cells = try hotspots("gistar.geojson", ["--method", "gistar"])
        try expectValid(cells, "hotspots-gistar.geojson.schema.json", maxFeatures: 3000)
        try expectRejected(cells, "hotspots-gistar.geojson.schema.json", property: "gi_bin") { $0["gi_bin"] = 4 }
        let hot = Self.dir.appendingPathComponent("gistar.hot.geojson")
        try expectValid(hot, "hotspots-gistar-hot.geojson.schema.json")
        try expectRejected(hot, "hotspots-gistar-hot.geojson.schema.json", property: "pai") { $0.removeValue(forKey: "pai") }
        let upz = try hotspots("gistar-upz.geojson", ["--method", "gistar", "--units", "upz"])
        try expectValid(upz, "hotspots-gistar.geojson.schema.json")
        try expectRejected(upz, "hotspots-gistar.geojson.schema.json", property: "note") { $0["note"] = 0 }
    }

    @Test func hotspotsLISAValidates() throws {
        let cells = try hotspots("lisa.geojson", ["--method", "lisa"])
        try expectValid(cells, "hotspots-lisa.geojson.schema.json", maxFeatures: 3000)
        try expectRejected(cells, "hotspots-lisa.geojson.schema.json", property: "significant") { $0["significant"] = "false" }
        // UPZ with no neighbour (islands) have no quadrant: null, never the text "none".
        let upz = try hotspots("lisa-upz.geojson", ["--method", "lisa", "--units", "upz"])
        try expectValid(upz, "hotspots-lisa.geojson.schema.json")
        try expectRejected(upz, "hotspots-lisa.geojson.schema.json", property: "quadrant") { $0["quadrant"] = "none" }
    }

    /// GDAL reads the GeoPackage: one MULTIPOLYGON layer in the working CRS with typed columns, the
    /// same polygons as the GeoJSON, and the provenance (valid) as the layer's description.
    @Test func hotspotsGeoPackageOpensInGDAL() throws {
        let ogrinfo = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/ogrinfo" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let ogrinfo else {
            Issue.record("ogrinfo no está instalado: instale gdal-bin (make deps) para esta prueba")
            return
        }
        let gpkg = try hotspots("kde.gpkg")
        let run = try CLI.runProcess(URL(fileURLWithPath: ogrinfo), ["-so", gpkg.path, "hotspots"])
        let text = run.stdout
        #expect(run.status == 0, "\(text) \(run.stderr)")
        let geojson = try JSONSerialization.jsonObject(with: Data(contentsOf: try hotspots("kde-for-gpkg.geojson"))) as! [String: Any]
        #expect(text.contains("Feature Count: \((geojson["features"] as! [Any]).count)\n"), "\(text)")
        #expect(text.contains("Geometry: Multi Polygon"))
        #expect(text.contains("ID[\"EPSG\",9377]]\nData axis"), "the layer's CRS is the working CRS EPSG:9377")
        for field in ["rank: Integer64", "incidents: Integer64", "share: Real", "area_km2: Real", "pai: Real", "peak_density: Real",
                      "localidades: String", "policia_cuadrantes_names: String"] {
            #expect(text.contains("\n" + field + " "), "\(field) missing in: \(text)")
        }
        let line = text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("DESCRIPTION=") }
        #expect(line != nil, "no DESCRIPTION in ogrinfo's output")
        if let line {
            let description = Self.dir.appendingPathComponent("kde.gpkg-description.json")
            try Data(line.trimmingCharacters(in: .whitespaces).dropFirst("DESCRIPTION=".count).utf8).write(to: description)
            try expectValid(description, "provenance.schema.json")
            let prov = try JSONSerialization.jsonObject(with: Data(contentsOf: description)) as! [String: Any]
            #expect(prov["output_crs"] as? String == "EPSG:9377")
        }
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
        #expect((prov["layers"] as! [[String: Any]]).map { $0["name"] as! String } == ["localidades"])   // the study area's layer
        #expect((prov["layers"] as! [[String: Any]]).first?["features"] as? Int == 20)
        #expect(!(prov["rules"] as! [String: Any]).isEmpty)
        let bands = Self.dir.appendingPathComponent("densidad.geojson")
        #expect(try CLI.run(["density", Self.data.path, "-o", bands.path, "-q"]).status == 0)
        try expectValid(bands, "provenance.schema.json", pointer: "atalaya")
        try expectValid(bands, "density.geojson.schema.json")
        try expectRejected(bands, "density.geojson.schema.json", property: "class") { $0["class"] = 1.5 }
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: bands)) as! [String: Any]
        #expect((doc["atalaya"] as! [String: Any])["output_crs"] as? String == "EPSG:4326")
    }
}
