import Foundation
import Incidents
import SpatialCore
@testable import Store
import Testing
import TestSupport

/// Corrected re-exports: rows that keep their id but move (another tile, another unit), rows deleted
/// and added again, and a re-export where every row changed. Each is followed by queries that must see
/// the new positions and units, the R*Tree / `unit_tiles` checks and `integrity_check`.
@Suite("Store corrections", .serialized)
struct CorrectionTests {
    /// Δy in EPSG:9377 of a move 0.003° north near Bogotá: meridian arc M·Δφ (GRS80, φ ≈ 4.6°:
    /// M = a(1 − e²)/(1 − e² sin²φ)^{3/2} = 6,335,853 m, so 110,582 m per degree, 331.75 m here) times
    /// the transverse Mercator scale k = k₀(1 + (Δλ cos φ)²/2) = 0.9992 · 1.00018 at 1.0–1.2° from the
    /// central meridian −73° → 331.54 m (±0.15 m over the test area).
    static let northShift = 0.003, northShiftMetres = 331.54

    /// Two rows outside the synthetic box (lon −74.04 > −74.05): row 1 moves 0.003° north onto row 2's
    /// position, so it enters an occupied tile and leaves its own tile empty (the case that failed
    /// with SQLite error 518).
    static func placeEdgeRows(_ k: Int, _ r: inout Synthetic.Row) {
        if k == 1 { r.lat = 4.700; r.lon = -74.040 }
        if k == 2 { r.lat = 4.703; r.lon = -74.040 }
    }

    @Test("20 rows that keep their id but moved ~330 m are updated in place; queries see the new positions")
    func movedRows() throws {
        let dir = try TestFiles.tempDir("moved").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        try Synthetic.write(1...1000, to: dir + "/a.csv", mutate: Self.placeEdgeRows)
        let before = try Synthetic.ingest(store, dir + "/a.csv", layers: Synthetic.layers)
        #expect(before.report.inserted == 1000)

        let moved = Set([1] + (1...19).map { 50 * $0 + 3 })   // 20 ids
        try Synthetic.write(1...1000, to: dir + "/b.csv") { k, r in
            Self.placeEdgeRows(k, &r)
            if moved.contains(k) { r.lat += Self.northShift }
        }
        let after = try Synthetic.ingest(store, dir + "/b.csv", layers: Synthetic.layers)
        #expect(after.report.inserted == 0 && after.report.updated == 20 && after.report.unchanged == 980)
        #expect(try store.count() == 1000)

        let stored = try positions(store)
        for k in moved {
            let key = "INC-\(k)", i = k - 1
            guard let p = stored[key] else { Issue.record("\(key) missing"); continue }
            #expect(abs(p.y - before.y[i] - Self.northShiftMetres) < 0.5, "\(key): Δy \(p.y - before.y[i])")
            #expect(abs(p.x - before.x[i]) < 1, "\(key): Δx \(p.x - before.x[i])")
            // Box queries go through the R*Tree: the new position finds the row, the old one no longer does.
            let here = try store.query(IncidentQuery(bbox: (p.x - 0.5, p.y - 0.5, p.x + 0.5, p.y + 0.5)))
            #expect(here.key.contains(key))
            let old = try store.query(IncidentQuery(bbox: (before.x[i] - 0.5, before.y[i] - 0.5, before.x[i] + 0.5, before.y[i] + 0.5)))
            #expect(!old.key.contains(key))
        }
        // Row 1 now shares row 2's place (same rounded lat/lon).
        let two = stored["INC-2"]!
        #expect(Set(try store.query(IncidentQuery(bbox: (two.x - 0.5, two.y - 0.5, two.x + 0.5, two.y + 0.5))).key) == ["INC-1", "INC-2"])
        try expectTilesConsistent(store)
        try expectUnitTilesCover(store)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("rows moved to another localidad are found by unit queries at their new unit, not their old one")
    func movedToAnotherUnit() throws {
        let dir = try TestFiles.tempDir("moved-unit").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        // Rows 1–200 in Kennedy (08), rows 1–40 then corrected into Chapinero (02): both point sets were
        // checked by Python ray casting on the localidades layer (TimeCommandTests).
        func kennedy(_ k: Int, _ r: inout Synthetic.Row) {
            if k <= 200 { r.lat = 4.6300 + Double(k % 11) * 0.0004; r.lon = -74.1500 }
        }
        try Synthetic.write(1...1000, to: dir + "/a.csv", mutate: kennedy)
        _ = try Synthetic.ingest(store, dir + "/a.csv", layers: Synthetic.layers)
        let movedKeys = Set((1...40).map { "INC-\($0)" }), stayKeys = Set((41...200).map { "INC-\($0)" })
        #expect(Set(try store.query(IncidentQuery(localidades: ["08"])).key).isSuperset(of: movedKeys.union(stayKeys)))

        try Synthetic.write(1...1000, to: dir + "/b.csv") { k, r in
            kennedy(k, &r)
            if k <= 40 { r.lat = 4.6480 + Double(k % 7) * 0.0004; r.lon = -74.0620 }
        }
        let report = try Synthetic.ingest(store, dir + "/b.csv", layers: Synthetic.layers).report
        #expect(report.updated == 40 && report.unchanged == 960)
        let chapinero = Set(try store.query(IncidentQuery(localidades: ["02"])).key)
        let kennedyNow = Set(try store.query(IncidentQuery(localidades: ["08"])).key)
        #expect(chapinero.isSuperset(of: movedKeys))
        #expect(kennedyNow.isDisjoint(with: movedKeys) && kennedyNow.isSuperset(of: stayKeys))
        // The unit query (unit_tiles → tile index → code) agrees with the stored codes.
        #expect(try store.db.scalarInt("SELECT count(*) FROM incidents WHERE localidad = '02'") == Int64(chapinero.count))
        try expectTilesConsistent(store)
        try expectUnitTilesCover(store)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("ids deleted from the store, or left out of an export, come back (moved) through a re-ingest")
    func deletedAndReadded() throws {
        let dir = try TestFiles.tempDir("readded").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        try Synthetic.write(1...1000, to: dir + "/a.csv")
        let first = try Synthetic.ingest(store, dir + "/a.csv", layers: Synthetic.layers)
        // An analyst deletes every tenth incident (one multi-row DELETE through the tile trigger).
        try store.db.execute("DELETE FROM incidents WHERE CAST(substr(incident_key, 5) AS INTEGER) % 10 = 0")
        #expect(try store.count() == 900)
        try expectTilesConsistent(store)

        // They come back moved north; ids 501–600 are left out of this export (kept as they are).
        func moveDeleted(_ k: Int, _ r: inout Synthetic.Row) { if k % 10 == 0 { r.lat += Self.northShift } }
        try Synthetic.write(Array(1...500) + Array(601...1000), to: dir + "/b.csv", mutate: moveDeleted)
        let back = try Synthetic.ingest(store, dir + "/b.csv", layers: Synthetic.layers).report
        #expect(back.inserted == 90 && back.updated == 0 && back.unchanged == 810)
        // The left-out ids return in a later export, moved as well: 10 re-inserted, 90 updated.
        try Synthetic.write(501...600, to: dir + "/c.csv") { k, r in r.lat += Self.northShift }
        let later = try Synthetic.ingest(store, dir + "/c.csv", layers: Synthetic.layers).report
        #expect(later.inserted == 10 && later.updated == 90 && later.unchanged == 0)
        #expect(try store.count() == 1000)

        let stored = try positions(store)
        for k in 1...1000 where k % 10 == 0 || (501...600).contains(k) {
            let p = stored["INC-\(k)"]!, i = k - 1
            #expect(abs(p.y - first.y[i] - Self.northShiftMetres) < 0.5, "INC-\(k)")
            #expect(try store.query(IncidentQuery(bbox: (p.x - 0.5, p.y - 0.5, p.x + 0.5, p.y + 0.5))).key.contains("INC-\(k)"))
        }
        try expectTilesConsistent(store)
        try expectUnitTilesCover(store)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("a re-export where all 10,000 rows changed place (batches of 1,000) is stored exactly")
    func tenThousandChanged() throws {
        let dir = try TestFiles.tempDir("ten-thousand").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        try Synthetic.write(1...10_000, to: dir + "/a.csv")
        let first = try Synthetic.ingest(store, dir + "/a.csv", layers: Synthetic.layers, batchSize: 1000)
        // Row k takes row (k + 5000)'s place: tiles are emptied and filled again, batch after batch.
        try Synthetic.write(1...10_000, to: dir + "/b.csv") { k, r in
            let other = Synthetic.Row((k + 4999) % 10_000 + 1)
            r.lat = other.lat; r.lon = other.lon
        }
        let changed = try Synthetic.ingest(store, dir + "/b.csv", layers: Synthetic.layers, batchSize: 1000)
        #expect(changed.report.updated == 10_000 && changed.report.inserted == 0 && changed.report.batches == 10)
        let stored = try positions(store)
        var wrong = 0
        for k in 1...10_000 {
            // Row k now stands exactly where row k ± 5000 stood after the first ingest (line j + 2 of a.csv).
            let p = stored["INC-\(k)"]!, j = (k + 4999) % 10_000
            if p.x != first.x[j] || p.y != first.y[j] { wrong += 1 }
        }
        #expect(wrong == 0)
        // Every row is found by a box query at its new place (R*Tree → tiles → rows).
        var missed = 0
        for k in stride(from: 1, through: 10_000, by: 97) {
            let p = stored["INC-\(k)"]!
            if !(try store.query(IncidentQuery(bbox: (p.x - 0.5, p.y - 0.5, p.x + 0.5, p.y + 0.5))).key.contains("INC-\(k)")) { missed += 1 }
        }
        #expect(missed == 0)
        try expectTilesConsistent(store)
        try expectUnitTilesCover(store)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("a bulk ingest into a non-empty store keeps the tile index the moved rows' trigger probes")
    func bulkIngestWithMovedRows() throws {
        let dir = try TestFiles.tempDir("bulk-moved").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        try Synthetic.write(1...5000, to: dir + "/a.csv")
        let first = try Synthetic.ingest(store, dir + "/a.csv", layers: Synthetic.layers)
        // 25,000 rows into 5,000: the bulk path (secondary indexes rebuilt at the end); rows 1–5000 moved.
        try Synthetic.write(1...25_000, to: dir + "/b.csv") { k, r in if k <= 5000 { r.lat += Self.northShift } }
        var missingDuring: [[String]] = []
        let second = try Synthetic.ingest(store, dir + "/b.csv", layers: Synthetic.layers, batchSize: 5000) { _ in
            missingDuring.append((try? IncidentStore.missingIndexes(store.db)) ?? ["?"])
        }
        #expect(second.report.inserted == 20_000 && second.report.updated == 5000 && second.report.batches == 5)
        #expect(missingDuring == Array(repeating: ["incidents_time", "incidents_category_time"], count: 5))
        #expect(try IncidentStore.missingIndexes(store.db).isEmpty)
        let stored = try positions(store)
        #expect((1...5000).allSatisfy { abs(stored["INC-\($0)"]!.y - first.y[$0 - 1] - Self.northShiftMetres) < 0.5 })
        try expectTilesConsistent(store)
        try expectUnitTilesCover(store)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("a store written with the earlier R*Tree trigger gets the new ones when opened, and accepts moved rows")
    func earlierTriggersAreReplaced() throws {
        let dir = try TestFiles.tempDir("old-trigger").path
        let path = dir + "/s.sqlite"
        do {
            let store = try IncidentStore.open(path: path)
            try Synthetic.write(1...1000, to: dir + "/a.csv", mutate: Self.placeEdgeRows)
            _ = try Synthetic.ingest(store, dir + "/a.csv")
            // The triggers of the previous build, verbatim.
            try store.db.execute("""
                DROP TRIGGER incidents_tile_enter; DROP TRIGGER incidents_tile_leave; DROP TRIGGER incidents_tile_gone;
                \(LegacySQL.tileTriggersV2)
                """)
        }
        let store = try IncidentStore.open(path: path)
        #expect(Set(try store.db.column("SELECT name FROM sqlite_master WHERE type = 'trigger'")) == Set(Schema.tileTriggerNames))
        try Synthetic.write(1...1000, to: dir + "/b.csv") { k, r in
            Self.placeEdgeRows(k, &r)
            if k == 1 || k % 25 == 0 { r.lat += Self.northShift }
        }
        #expect(try Synthetic.ingest(store, dir + "/b.csv").report.updated == 41)
        try expectTilesConsistent(store)
        #expect(try store.integrityCheck() == ["ok"])
    }

    /// Stored x/y per key.
    private func positions(_ store: IncidentStore) throws -> [String: (x: Double, y: Double)] {
        let all = try store.query(IncidentQuery())
        var out: [String: (x: Double, y: Double)] = [:]
        for i in 0..<all.count { out[all.key[i]] = (all.x[i], all.y[i]) }
        return out
    }
}
