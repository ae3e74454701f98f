import Crypto
import Engine
import Foundation
import SQLite
import Incidents
import SpatialCore
@testable import Store
import Testing
import TestSupport

/// Layer provenance (schema version 3): each row records the layer set that gave it its units, and
/// `reassign` recomputes rows of other sets.
@Suite("Store layer sets", .serialized)
struct LayerSetTests {
    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    @Test("an ingest records its layer files (name, SHA-256) once and on every row")
    func ingestRecordsLayerSet() throws {
        let dir = try TestFiles.tempDir("layerset").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        try Synthetic.write(1...300, to: dir + "/a.csv")
        try Synthetic.write(301...400, to: dir + "/b.csv")
        _ = try Synthetic.ingest(store, dir + "/a.csv", layers: Synthetic.layers)
        _ = try Synthetic.ingest(store, dir + "/b.csv", layers: Synthetic.layers)
        let sets = try store.layerSets()
        #expect(sets.count == 1)
        let expected = try Synthetic.layers.polygonLayers.map { LayerFile(name: $0.spec.name, sha256: try Self.sha256($0.path)) }
            .sorted { $0.name < $1.name }
        #expect(sets.first?.layers == expected)
        #expect(sets.first?.layers.map(\.name) == ["localidades", "policia_cuadrantes", "upl", "upz"])
        #expect(try store.rowsPerLayerSet() == [sets[0].id: 400])
        // Without layers (no units), no set is recorded.
        try Synthetic.write(401...410, to: dir + "/c.csv")
        _ = try Synthetic.ingest(store, dir + "/c.csv")
        #expect(try store.rowsPerLayerSet() == [sets[0].id: 400, nil: 10])
        #expect(try store.layerSets().count == 1)
    }

    @Test("sources.ingested_at and layer_sets.created are ISO 8601 in UTC with Z, the time of the ingest")
    func timestampsAreISO8601WithOffset() throws {
        // 1796673845 s after 1970-01-01T00:00:00Z is 2026-12-07 20:04:05 UTC (15:04:05 in Bogotá, −05:00).
        #expect(IncidentStore.timestamp(Date(timeIntervalSince1970: 1_796_673_845)) == "2026-12-07T20:04:05Z")
        let dir = try TestFiles.tempDir("timestamps").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        try Synthetic.write(1...50, to: dir + "/a.csv")
        let before = Date().timeIntervalSince1970.rounded(.down)
        _ = try Synthetic.ingest(store, dir + "/a.csv", layers: Synthetic.layers)
        let after = Date().timeIntervalSince1970.rounded(.up)
        let stamps = [try #require(try store.sources().first).ingestedAt, try #require(try store.layerSets().first).created]
        let parse = ISO8601DateFormatter()
        for stamp in stamps {
            #expect(stamp.range(of: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", options: .regularExpression) != nil, "\(stamp)")
            let t = try #require(parse.date(from: stamp)).timeIntervalSince1970
            #expect(t >= before && t <= after, "\(stamp) is not the time of the ingest")
        }
    }

    @Test("reassign with an edited cuadrante layer changes exactly the rows of the edited cuadrantes")
    func reassignAfterLayerChange() throws {
        let dir = try TestFiles.tempDir("reassign").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        try Synthetic.write(1...3000, to: dir + "/a.csv")
        _ = try Synthetic.ingest(store, dir + "/a.csv", layers: Synthetic.layers)
        let firstSet = try store.layerSets()[0].id
        var before: [String: String?] = [:]
        let rows = try store.db.prepare("SELECT incident_key, cuadrante FROM incidents")
        while try rows.step() { before[rows.text(0)!] = rows.text(1) }

        // A new cuadrante set: every tenth feature renamed "<code>-N", and the cuadrante holding the
        // most incidents (outside those) removed.
        var json = try Synthetic.cuadranteLayerJSON()
        var features = json["features"] as! [[String: Any]]
        var renamed = Set<String>()
        for i in stride(from: 0, to: features.count, by: 10) {
            var props = features[i]["properties"] as! [String: Any]
            let code = "\(props["PCUCODIGO"]!)"
            renamed.insert(code)
            props["PCUCODIGO"] = code + "-N"
            features[i]["properties"] = props
        }
        var perCode: [String: Int] = [:]
        for case let code? in before.values where !renamed.contains(code) { perCode[code, default: 0] += 1 }
        let removed = perCode.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
        features.removeAll { "\(($0["properties"] as! [String: Any])["PCUCODIGO"]!)" == removed }
        json["features"] = features
        let geo = dir + "/geodata"
        try FileManager.default.createDirectory(atPath: geo, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: geo + "/policia_cuadrantes.geojson"))
        let newLayers = try Synthetic.layers(searchingFirst: geo)

        let report = try store.reassign(layers: newLayers, batchSize: 700)
        // Expected from the stored codes alone: rows in a renamed cuadrante get "<code>-N", rows in the
        // removed one get none (cuadrantes do not overlap), every other row keeps its code.
        let inRenamed = before.values.filter { $0.map(renamed.contains) ?? false }.count
        let inRemoved = before.values.filter { $0 == removed }.count
        #expect(inRenamed > 100 && inRemoved > 5)
        #expect(report.checked == 3000)
        #expect(report.changed == inRenamed + inRemoved)
        #expect(report.changedByUnit == ["localidad": 0, "upz": 0, "upl": 0, "municipio": 0, "cuadrante": inRenamed + inRemoved])
        #expect(report.layerSetID != firstSet)
        let after = try store.db.prepare("SELECT incident_key, cuadrante FROM incidents")
        var wrong = 0
        while try after.step() {
            let old = before[after.text(0)!]!, now = after.text(1)
            let expected: String? = old.map { renamed.contains($0) ? $0 + "-N" : ($0 == removed ? nil : $0) } ?? nil
            if now != expected { wrong += 1 }
        }
        #expect(wrong == 0)
        // Every row now carries the new set, whose cuadrante file hash is the edited file's.
        #expect(try store.rowsPerLayerSet() == [report.layerSetID: 3000])
        let newSet = try store.layerSets().first { $0.id == report.layerSetID }!
        #expect(try newSet.layers.first { $0.name == "policia_cuadrantes" }?.sha256 == Self.sha256(geo + "/policia_cuadrantes.geojson"))
        // Unit queries (unit_tiles → tiles → code) find the renamed codes.
        let someRenamed = before.first { $0.value.map(renamed.contains) ?? false }!
        #expect(try store.query(IncidentQuery(cuadrantes: [someRenamed.value! + "-N"])).key.contains(someRenamed.key))
        #expect(try store.count(IncidentQuery(cuadrantes: [removed])) == 0)
        try expectUnitTilesCover(store)
        try expectTilesConsistent(store)
        #expect(try store.integrityCheck() == ["ok"])
        // Nothing left to do the second time; the old layers bring the old codes back.
        #expect(try store.reassign(layers: newLayers).checked == 0)
        let back = try store.reassign(layers: Synthetic.layers)
        #expect(back.checked == 3000 && back.changed == inRenamed + inRemoved && back.layerSetID == firstSet)
    }

    @Test("a version 2 store is migrated to version 3: layer sets, NULL layer_set, new triggers; reassign fills it")
    func migrationFrom2() throws {
        let dir = try TestFiles.tempDir("migrate2").path
        // Real rows, written by this build, copied into the version 2 schema verbatim.
        let source = dir + "/v3.sqlite"
        do {
            let s = try IncidentStore.open(path: source)
            try Synthetic.write(1...500, to: dir + "/a.csv")
            _ = try Synthetic.ingest(s, dir + "/a.csv", layers: Synthetic.layers)
        }
        let path = dir + "/v2.sqlite"
        do {
            let db = try Database(path: path)
            try db.configure()
            try db.execute("""
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
                CREATE TABLE sources(id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT, ingested_at TEXT NOT NULL,
                    rows_read INTEGER, accepted INTEGER, rejected INTEGER, inserted INTEGER, updated INTEGER, unchanged INTEGER);
                CREATE TABLE incidents(rowid INTEGER PRIMARY KEY, incident_key TEXT NOT NULL, content_hash BLOB NOT NULL,
                    time INTEGER, category TEXT, lon REAL, lat REAL, x REAL, y REAL, tile INTEGER, localidad TEXT, upz TEXT,
                    upl TEXT, municipio TEXT, cuadrante TEXT, source_id INTEGER REFERENCES sources(id), line INTEGER, record TEXT);
                CREATE UNIQUE INDEX incidents_key ON incidents(incident_key);
                CREATE TABLE unit_tiles(unit TEXT NOT NULL, code TEXT NOT NULL, tile INTEGER NOT NULL,
                    PRIMARY KEY (unit, code, tile)) WITHOUT ROWID;
                CREATE VIRTUAL TABLE incidents_rtree USING rtree(id, minx, maxx, miny, maxy);
                \(LegacySQL.tileTriggersV2)
                CREATE INDEX incidents_time ON incidents(time);
                CREATE INDEX incidents_category_time ON incidents(category, time);
                CREATE INDEX incidents_tile_time ON incidents(tile, time);
                ATTACH DATABASE '\(source)' AS src;
                INSERT INTO meta SELECT key, CASE key WHEN 'schema_version' THEN '2' ELSE value END FROM src.meta;
                INSERT INTO sources SELECT * FROM src.sources;
                INSERT INTO incidents SELECT rowid, incident_key, content_hash, time, category, lon, lat, x, y, tile, localidad,
                    upz, upl, municipio, cuadrante, source_id, line, record FROM src.incidents;
                INSERT INTO unit_tiles SELECT * FROM src.unit_tiles;
                INSERT INTO incidents_rtree SELECT * FROM src.incidents_rtree;
                DETACH DATABASE src;
                PRAGMA user_version = 2;
                """)
        }
        let store = try IncidentStore.open(path: path)
        #expect(try store.db.scalarInt("PRAGMA user_version") == 3)
        #expect(try store.meta()["schema_version"] == "3")
        #expect(try store.db.column("SELECT name FROM pragma_table_info('incidents')").last == "layer_set")
        #expect(try store.layerSets().isEmpty && store.rowsPerLayerSet() == [nil: 500])
        #expect(Set(try store.db.column("SELECT name FROM sqlite_master WHERE type = 'trigger'")) == Set(Schema.tileTriggerNames))
        #expect(try store.count() == 500 && store.integrityCheck() == ["ok"])
        // Rows of unknown layers are recomputed with the current ones: same layers, same codes.
        let report = try store.reassign(layers: Synthetic.layers)
        #expect(report.checked == 500 && report.changed == 0)
        #expect(try store.rowsPerLayerSet() == [report.layerSetID: 500])
        // Moved rows are accepted (the old triggers are gone).
        try Synthetic.write(1...500, to: dir + "/b.csv") { k, r in if k % 5 == 0 { r.lat += 0.003 } }
        #expect(try Synthetic.ingest(store, dir + "/b.csv", layers: Synthetic.layers).report.updated == 100)
        try expectTilesConsistent(store)
        try expectUnitTilesCover(store)
        #expect(try store.integrityCheck() == ["ok"])
    }
}
