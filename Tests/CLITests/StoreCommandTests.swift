import Foundation
import Store
import Testing

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
        let dir = try CLI.tempDir("corrected")
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
