import Foundation
import Store
import Testing
import TestSupport

/// The store through the built binary: corrected re-exports, concurrent ingests, simulated runs,
/// layer provenance and `reassign`.
@Suite(.serialized) struct StoreCommandTests {
    /// `simulate` into `dir/name`; returns its path.
    static func simulate(_ dir: URL, _ name: String, count: Int, seed: Int, from: String = "2025-01-01",
                         to: String = "2026-01-01") throws -> URL {
        let out = dir.appendingPathComponent(name)
        let r = try CLI.run(["simulate", "--count", String(count), "--from", from, "--to", to, "--seed", String(seed),
                             "-o", out.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    /// The data lines of a simulated CSV (header first), split on commas (simulated fields hold none).
    static func lines(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func write(_ rows: [[String]], to url: URL) throws {
        try (rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// Stored x/y per incident key.
    static func positions(_ store: String) throws -> [String: (x: Double, y: Double)] {
        let all = try IncidentStore.open(path: store).query(IncidentQuery())
        var out: [String: (x: Double, y: Double)] = [:]
        for i in 0..<all.count { out[all.key[i]] = (all.x[i], all.y[i]) }
        return out
    }

    @Test func correctedReExportWithMovedRowsIsStored() throws {
        let dir = try TestFiles.tempDir("corrected")
        let input = try Self.simulate(dir, "sim.csv", count: 1000, seed: 11)
        let store = dir.appendingPathComponent("s.sqlite").path
        let first = try CLI.run(["ingest", input.path, "--store", store])
        #expect(first.status == 0 && first.stderr.contains("insertados 1000"), "\(first.stderr)")

        let before = try Self.positions(store)

        // 20 rows keep their id and move 0.003° north (~330 m); the rest is the same.
        var rows = try Self.lines(input)
        #expect(rows[0] == ["id", "fecha_hecho", "delito", "latitud", "longitud", "fuente"])
        var moved = Set<String>()
        for i in (0..<20).map({ 1 + 49 * $0 }) {
            moved.insert(rows[i][0])
            rows[i][3] = String(format: "%.6f", Double(rows[i][3])! + 0.003)
        }
        let corrected = dir.appendingPathComponent("corrected.csv")
        try Self.write(rows, to: corrected)
        let second = try CLI.run(["ingest", corrected.path, "--store", store])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("insertados 0 · actualizados 20 · sin cambios 980"), "\(second.stderr)")

        let s = try IncidentStore.open(path: store)
        #expect(try s.count() == 1000 && s.integrityCheck() == ["ok"])
        var found = 0
        for (key, p) in try Self.positions(store) {
            let old = before[key]!
            if moved.contains(key) {
                // 0.003° of meridian arc (110,582 m per degree at 4.6°, GRS80) × the CTM12 scale factor
                // 0.99938 at ~1.1° from its central meridian = 331.54 m north.
                #expect(abs(p.y - old.y - 331.54) < 0.5 && abs(p.x - old.x) < 1, "\(key)")
                // A box query (R*Tree → tiles → rows) finds it at its new place only.
                if try s.query(IncidentQuery(bbox: (p.x - 0.5, p.y - 0.5, p.x + 0.5, p.y + 0.5))).key.contains(key) { found += 1 }
                #expect(try !s.query(IncidentQuery(bbox: (old.x - 0.5, old.y - 0.5, old.x + 0.5, old.y + 0.5))).key.contains(key))
            } else {
                #expect(p.x == old.x && p.y == old.y)
            }
        }
        #expect(found == 20)
        let sources = try s.sources()
        #expect(sources.count == 2 && sources.allSatisfy(\.isComplete) && sources[1].updated == 20)
    }
}

extension StoreCommandTests {
    /// Starts `atalaya args` without waiting; its stderr goes to a file (pipes trap on EINTR in Foundation).
    static func start(_ args: [String], stderr errURL: URL) throws -> Process {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.currentDirectoryURL = TestPaths.packageRoot
        p.environment = CLI.environment()
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        return p
    }

    @Test func twoIngestsStartedTogetherNeverLeaveHalfOfOne() throws {
        let dir = try TestFiles.tempDir("together")
        let a = try Self.simulate(dir, "a.csv", count: 60_000, seed: 21)
        // b: other incidents under other ids ("B-…"), so that the store shows whose rows it holds.
        var rows = try Self.lines(try Self.simulate(dir, "b0.csv", count: 60_000, seed: 22))
        for i in 1..<rows.count { rows[i][0] = "B-" + rows[i][0] }
        let b = dir.appendingPathComponent("b.csv")
        try Self.write(rows, to: b)
        var refusals = 0
        for round in 0..<3 {
            let store = dir.appendingPathComponent("s\(round).sqlite").path
            let runs = try [a, b].enumerated().map { k, file in
                let err = dir.appendingPathComponent("err\(round)-\(k).txt")
                return (try Self.start(["ingest", file.path, "--store", store], stderr: err), err)
            }
            let results = runs.map { p, err -> (Int32, String) in
                p.waitUntilExit()
                return (p.terminationStatus, String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))
            }
            let s = try IncidentStore.open(path: store)
            #expect(try s.integrityCheck() == ["ok"])
            let keys = try s.query(IncidentQuery()).key
            let sources = try s.sources()
            if results.allSatisfy({ $0.0 == 0 }) {
                // One after the other: both whole.
                #expect(keys.count == 120_000 && sources.count == 2 && sources.allSatisfy(\.isComplete))
                continue
            }
            refusals += 1
            #expect(results.map(\.0).sorted() == [0, 1], "\(results)")
            let winner = results[0].0 == 0 ? 0 : 1, loser = 1 - winner
            #expect(results[loser].1.contains("otra ingesta") && results[loser].1.contains("no se guardó nada"), "\(results[loser].1)")
            // The winner's rows, all of them, and nothing of the loser's; one complete source row.
            #expect(keys.count == 60_000)
            #expect(keys.allSatisfy { $0.hasPrefix("B-") } == (winner == 1))
            #expect(keys.allSatisfy { !$0.hasPrefix("B-") } == (winner == 0))
            #expect(sources.count == 1 && sources[0].isComplete && sources[0].path == [a, b][winner].path)
            #expect(sources.first?.inserted == 60_000)
        }
        // Started together, they overlap: at least one round must have refused one of them.
        #expect(refusals > 0)
    }
}

extension StoreCommandTests {
    @Test func simulatedRunsKeepTheirRowsInOneStoreAndRepeatByteForByte() throws {
        let dir = try TestFiles.tempDir("sim-ids")
        let y2025 = try Self.simulate(dir, "2025.csv", count: 1500, seed: 5)
        let y2026 = try Self.simulate(dir, "2026.csv", count: 1500, seed: 5, from: "2026-01-01", to: "2027-01-01")
        let seed6 = try Self.simulate(dir, "seed6.csv", count: 1500, seed: 6)
        // Ids name the run: seed, window, digest of the other parameters (count 1500 and the defaults:
        // FNV-1a of "count=1500;attractor_share=0.45;…" computed with Python = 0xc4a725), then the number.
        let first = try Self.lines(y2025)[1][0], other = try Self.lines(y2026)[1][0]
        #expect(first == "SIM-5-20250101-20260101-c4a725-0000001")
        #expect(other == "SIM-5-20260101-20270101-c4a725-0000001")
        let store = dir.appendingPathComponent("s.sqlite").path
        for file in [y2025, y2026, seed6] {
            let r = try CLI.run(["ingest", file.path, "--store", store])
            #expect(r.status == 0 && r.stderr.contains("insertados 1500 · actualizados 0 · sin cambios 0"), "\(r.stderr)")
        }
        #expect(try IncidentStore.open(path: store).count() == 4500)
        // Same arguments, same bytes (CSV and sidecar).
        let sidecarURL = dir.appendingPathComponent("2025.provenance.json")
        let csv = try Data(contentsOf: y2025), sidecar = try Data(contentsOf: sidecarURL)
        _ = try Self.simulate(dir, "2025.csv", count: 1500, seed: 5)
        #expect(try Data(contentsOf: y2025) == csv)
        #expect(try Data(contentsOf: sidecarURL) == sidecar)
        let json = try JSONSerialization.jsonObject(with: sidecar) as! [String: Any]
        #expect(json["run_id"] as? String == String(first.dropLast("-0000001".count)))
    }
}

extension StoreCommandTests {
    @Test func reassignRecomputesUnitsAfterANewCuadranteLayer() throws {
        let dir = try TestFiles.tempDir("reassign")
        let input = try Self.simulate(dir, "sim.csv", count: 4000, seed: 31)
        let store = dir.appendingPathComponent("s.sqlite").path
        let ingest = try CLI.run(["ingest", input.path, "--store", store, "-q"])
        #expect(ingest.status == 0, "\(ingest.stderr)")

        // A new cuadrante set: the real layer (found as the binary finds it) with every seventh
        // feature's code renamed "<code>-N", in a folder given with --geodata.
        let candidates = [TestPaths.packageRoot.appendingPathComponent("geodata/policia_cuadrantes.geojson"),
                          TestPaths.geodataFile("policia_cuadrantes.geojson")]
        let original = try #require(candidates.first { FileManager.default.fileExists(atPath: $0.path) })
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: original)) as! [String: Any]
        var features = json["features"] as! [[String: Any]]
        var renamed: [String] = []
        for i in stride(from: 3, to: features.count, by: 7) {
            var props = features[i]["properties"] as! [String: Any]
            renamed.append("\(props["PCUCODIGO"]!)")
            props["PCUCODIGO"] = renamed.last! + "-N"
            features[i]["properties"] = props
        }
        json["features"] = features
        let geo = dir.appendingPathComponent("geodata")
        try FileManager.default.createDirectory(at: geo, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: json).write(to: geo.appendingPathComponent("policia_cuadrantes.geojson"))

        // Expected from the store before: the rows of the renamed cuadrantes change, nothing else.
        let inRenamed = try IncidentStore.open(path: store).count(IncidentQuery(cuadrantes: renamed))
        #expect(inRenamed > 100)
        let r = try CLI.run(["reassign", "--store", store, "--geodata", geo.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(report["rows_checked"] as? Int == 4000)
        #expect(report["rows_changed"] as? Int == inRenamed)
        #expect(report["changed_by_unit"] as? [String: Int] == ["localidad": 0, "upz": 0, "upl": 0, "municipio": 0, "cuadrante": inRenamed])
        #expect(r.stderr.contains("filas revisadas 4000 · con unidades cambiadas \(inRenamed)"), "\(r.stderr)")
        let s = try IncidentStore.open(path: store)
        #expect(try s.count(IncidentQuery(cuadrantes: renamed.map { $0 + "-N" })) == inRenamed)
        #expect(try s.count(IncidentQuery(cuadrantes: renamed)) == 0)
        #expect(try s.layerSets().count == 2 && s.rowsPerLayerSet() == [report["layer_set"] as? Int64: 4000])
        #expect(try s.integrityCheck() == ["ok"])
        // The JSON follows schemas/reassign.schema.json, and the schema refuses a count written as text.
        let printed = dir.appendingPathComponent("reassign.json")
        try Data(r.stdout.utf8).write(to: printed)
        #expect(try SchemaCheck.errors(printed, schema: "reassign.schema.json") == [])
        #expect(report["schema_version"] as? Int == 1)
        var broken = report
        broken["rows_changed"] = "\(inRenamed)"
        let brokenURL = dir.appendingPathComponent("reassign.broken.json")
        try JSONSerialization.data(withJSONObject: broken).write(to: brokenURL)
        let errors = try SchemaCheck.errors(brokenURL, schema: "reassign.schema.json")
        #expect(errors.count == 1 && errors[0].hasPrefix("rows_changed:"), "\(errors)")
        // Run again: nothing left to recompute.
        let again = try CLI.run(["reassign", "--store", store, "--geodata", geo.path, "--json"])
        let second = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        #expect(again.status == 0 && second?["rows_checked"] as? Int == 0 && second?["rows_changed"] as? Int == 0, "\(again.stdout)")
        // A store that does not exist is an error, not a new empty store.
        let missing = try CLI.run(["reassign", "--store", dir.appendingPathComponent("nada.sqlite").path])
        #expect(missing.status != 0 && missing.stderr.contains("no existe el almacén"))
        let missingEN = try CLI.run(["--lang", "en", "reassign", "--store", dir.appendingPathComponent("nada.sqlite").path])
        #expect(missingEN.status != 0 && missingEN.stderr.contains("does not exist") && !missingEN.stderr.contains("almacén"), "\(missingEN.stderr)")
    }

    /// reassign's help is in Spanish by default and in English with --lang en, without the other language.
    @Test func reassignHelpInBothLanguages() throws {
        let es = try CLI.run(["reassign", "--help"])
        #expect(es.status == 0)
        for text in ["Recalcula las unidades", "Archivo del almacén.", "Filas por transacción.", "Escribe los conteos como JSON", "Sin progreso en stderr."] {
            #expect(es.stdout.contains(text), "missing «\(text)» in: \(es.stdout)")
        }
        #expect(!es.stdout.contains("Recompute the units") && !es.stdout.contains("Store file."))
        let en = try CLI.run(["--lang", "en", "reassign", "--help"])
        #expect(en.status == 0)
        for text in ["Recompute the units", "Store file.", "Rows per transaction.", "Print the counts as JSON", "No progress on stderr."] {
            #expect(en.stdout.contains(text), "missing «\(text)» in: \(en.stdout)")
        }
        #expect(!en.stdout.contains("Recalcula") && !en.stdout.contains("almacén"))
    }
}
