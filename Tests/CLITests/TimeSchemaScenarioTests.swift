import Foundation
import Testing
import TestSupport

/// The time commands' machine-readable outputs (`trends`, `nearrepeat`, `emerging`) with default options on the
/// simulated data of `SchemaScenarioTests`: each validates against its JSON Schema in `schemas/`, carries a
/// `schema_version`, and each schema rejects a broken copy.
extension SchemaScenarioTests {
    /// A copy of the JSON document `file` changed by `edit` must fail `schema`, with an error naming `property`.
    func expectRejectedDocument(_ file: URL, _ schema: String, property: String, _ edit: (inout [String: Any]) -> Void,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        var doc = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        edit(&doc)
        let copy = file.deletingPathExtension().appendingPathExtension("broken.json")
        try JSONSerialization.data(withJSONObject: doc).write(to: copy)
        let errors = try SchemaCheck.errors(copy, schema: schema)
        #expect(errors.contains { $0.contains(property) } && errors.allSatisfy { !$0.hasPrefix("schema check could not run") },
                "a broken \(property) passed \(schema): \(errors)", sourceLocation: sourceLocation)
    }

    /// Runs `args`, expects success and saves stdout to `name` (stdout JSON is validated as a file).
    func stdoutFile(_ args: [String], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(r.stderr)", sourceLocation: sourceLocation)
        let url = Self.dir.appendingPathComponent(name)
        try Data(r.stdout.utf8).write(to: url)
        return url
    }

    /// The JSON object in `url` (a test failure, not a crash, when it is not an object).
    static func json(_ url: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], sourceLocation: sourceLocation)
    }

    @Test func trendsOutputsValidate() throws {
        let stdout = try stdoutFile(["trends", Self.data.path, "--json", "-q"], "trends-stdout.json")
        try expectValid(stdout, "trends.schema.json")
        let doc = try Self.json(stdout)
        #expect(doc["schema_version"] as? Int == 1 && doc["unit_layer"] as? String == "localidades" && doc["period"] as? String == "month")
        let rows = try #require(doc["rows"] as? [[String: Any]])
        // Defaults: localidades by month over the incidents' own first to last day of 2025, 12 months; the first
        // month has no previous period (null, and so is its significance), none has a year before (null).
        let units = Set(rows.map { $0["unit"] as! String })
        #expect(units.isSuperset(of: (1...20).map { String(format: "%02d", $0) }))
        #expect(rows.count == units.count * 12)
        let january = rows.filter { $0["period"] as? String == "2025-01" }
        #expect(!january.isEmpty && january.allSatisfy { $0["previous"] is NSNull && $0["significant_vs_previous"] is NSNull })
        #expect(rows.allSatisfy { $0["same_last_year"] is NSNull && $0["p_vs_last_year"] is NSNull })
        #expect(january.allSatisfy { $0["start"] as? String == "2025-01-01T00:00:00-05:00" && $0["end"] as? String == "2025-02-01T00:00:00-05:00" })
        // -o X.json is the same document; -o X.csv gets a sidecar in the provenance schema.
        let file = Self.dir.appendingPathComponent("tendencias.json")
        #expect(try CLI.run(["trends", Self.data.path, "-o", file.path, "-q"]).status == 0)
        try expectValid(file, "trends.schema.json")
        #expect(try Data(contentsOf: file) == Data(try String(contentsOf: stdout, encoding: .utf8).dropLast().utf8))
        try expectValid(Self.dir.appendingPathComponent("tendencias.provenance.json"), "provenance.schema.json")
        let csv = Self.dir.appendingPathComponent("tendencias-csv.csv")
        #expect(try CLI.run(["trends", Self.data.path, "-o", csv.path, "-q"]).status == 0)
        let sidecar = Self.dir.appendingPathComponent("tendencias-csv.provenance.json")
        try expectValid(sidecar, "provenance.schema.json")
        // Every incident is counted once (in its unit or "sin asignar").
        let accepted = ((try Self.json(sidecar))["counts"] as! [String: Any])["accepted"] as! Int
        #expect(rows.reduce(0) { $0 + ($1["count"] as! Int) } == accepted)
        try expectRejectedDocument(stdout, "trends.schema.json", property: "count") { d in
            var rows = d["rows"] as! [[String: Any]]; rows[0]["count"] = "\(rows[0]["count"]!)"; d["rows"] = rows
        }
        try expectRejectedDocument(stdout, "trends.schema.json", property: "changeVsPrevious") { d in
            var rows = d["rows"] as! [[String: Any]]
            rows[1]["changeVsPrevious"] = rows[1].removeValue(forKey: "change_vs_previous"); d["rows"] = rows
        }
        try expectRejectedDocument(stdout, "trends.schema.json", property: "start") { d in
            var rows = d["rows"] as! [[String: Any]]; rows[0]["start"] = "2025-01-01T00:00:00Z"; d["rows"] = rows
        }
        try expectRejectedDocument(stdout, "trends.schema.json", property: "schema_version") { $0.removeValue(forKey: "schema_version") }
    }

    @Test func nearRepeatOutputsValidate() throws {
        let stdout = try stdoutFile(["nearrepeat", Self.data.path, "--json", "-q"], "knox-stdout.json")
        try expectValid(stdout, "nearrepeat.schema.json")
        let doc = try Self.json(stdout)
        #expect(doc["schema_version"] as? Int == 1)
        // Defaults: distances 0,100,…,500 and days 0,7,…,28 → 5 × 4 half-open bands, 999 permutations, seed 2026.
        let rows = try #require(doc["distance_intervals"] as? [[String: Any]]), columns = try #require(doc["day_intervals"] as? [[String: Any]])
        #expect(rows.count == 5 && columns.count == 4 && (doc["observed"] as! [[Int]]).count == 5)
        #expect(rows[1]["lower"] as? Double == 100 && rows[1]["upper"] as? Double == 200
                && rows[1]["lower_inclusive"] as? Bool == true && rows[1]["upper_inclusive"] as? Bool == false
                && rows[1]["nrc_label"] is NSNull)
        #expect(doc["iterations"] as? Int == 999 && doc["seed"] as? Int == 2026)
        // p = (k + 1) / (999 + 1): a multiple of 1/1000.
        for p in (doc["p"] as! [[Double]]).joined() { #expect(abs(p * 1000 - (p * 1000).rounded()) < 1e-6, "\(p)") }
        // -o X.json: the same document, and a sidecar.
        let file = Self.dir.appendingPathComponent("knox.json")
        #expect(try CLI.run(["nearrepeat", Self.data.path, "-o", file.path, "-q"]).status == 0)
        try expectValid(file, "nearrepeat.schema.json")
        #expect(try Data(contentsOf: file) == Data(try String(contentsOf: stdout, encoding: .utf8).dropLast().utf8))
        try expectValid(Self.dir.appendingPathComponent("knox.provenance.json"), "provenance.schema.json")
        try expectRejectedDocument(stdout, "nearrepeat.schema.json", property: "distanceIntervals") {
            $0["distanceIntervals"] = $0.removeValue(forKey: "distance_intervals")
        }
        try expectRejectedDocument(stdout, "nearrepeat.schema.json", property: "ratio") { $0["ratio"] = [["nan"]] }
    }

    /// A band no pair can fall in (1–10 m, where the 900-incident file has none: its points are 0 m or ≥ 44 m
    /// apart) has no expected pair: its ratio is null, not the string "nan", and the document still validates.
    @Test func nearRepeatEmptyBandIsNull() throws {
        let dir = try TestFiles.tempDir("knox-null")
        let input = try TimeCommandTests.csv(dir)
        let out = try stdoutFile(["nearrepeat", input.path, "--distances", "1,10,1000", "--iterations", "19", "--json", "-q"],
                                 "knox-null.json")
        try expectValid(out, "nearrepeat.schema.json")
        let doc = try Self.json(out)
        #expect((doc["observed"] as! [[Int]])[0] == [0, 0, 0, 0])
        #expect((doc["ratio"] as! [[Any]])[0].allSatisfy { $0 is NSNull })
        #expect((doc["expected"] as! [[Double]])[0] == [0, 0, 0, 0])
    }

    @Test func emergingOutputValidates() throws {
        let out = Self.dir.appendingPathComponent("emergentes.geojson")
        let r = try CLI.run(["emerging", Self.data.path, "-o", out.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        try expectValid(out, "emerging.geojson.schema.json", maxFeatures: 2000)
        let doc = try Self.json(out)
        let analysis = (doc["atalaya"] as! [String: Any])["analysis"] as! [String: Any]
        let steps = (analysis["steps"] as! String).split(separator: ",").count
        // Default --time-window 1: the first step only fills later neighbourhoods, its gi_z and gi_p_fdr are null.
        let features = doc["features"] as! [[String: Any]]
        #expect(!features.isEmpty)
        for f in features.prefix(200) {
            let p = f["properties"] as! [String: Any]
            let z = p["gi_z"] as! [Any], fdr = p["gi_p_fdr"] as! [Any], counts = p["counts"] as! [Int]
            #expect(z.count == steps && fdr.count == steps && counts.count == steps)
            #expect(z[0] is NSNull && fdr[0] is NSNull && z.dropFirst().allSatisfy { $0 is Double })
            #expect(counts.reduce(0, +) > 0)   // only cells with an incident are written
        }
        try expectRejected(out, "emerging.geojson.schema.json", property: "category") { $0["category"] = "no pattern" }
        try expectRejected(out, "emerging.geojson.schema.json", property: "gi_z") {
            var z = $0["gi_z"] as! [Any]; z[1] = "nan"; $0["gi_z"] = z
        }
        try expectRejected(out, "emerging.geojson.schema.json", property: "categoryEn") { $0["categoryEn"] = $0.removeValue(forKey: "category_en") }
        try expectRejectedProvenance(out, "emerging.geojson.schema.json", property: "data_from_inclusive") {
            var a = $0["analysis"] as! [String: Any]; a["data_from_inclusive"] = "2025-01-06"; $0["analysis"] = a
        }
    }
}
