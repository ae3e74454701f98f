import Crypto
import Engine
import Foundation
import SQLite
import Localization
import Incidents
import SpatialCore
@testable import Store
import Testing
import Primitives
import TestSupport

@Suite("Store", .serialized)
struct StoreTests {
    @Test("a new store has schema v3, WAL and its metadata")
    func schema() throws {
        let dir = try TestFiles.tempDir("schema").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        #expect(try store.db.scalarInt("PRAGMA user_version") == 3)
        #expect(try store.meta()["schema_version"] == "3")
        #expect(try store.layerSets().isEmpty)
        #expect(try store.db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try IncidentStore.missingIndexes(store.db).isEmpty)
        #expect(try IncidentStore.hasUniqueKey(store.db))
        #expect(try store.db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try store.meta()["crs"] == "EPSG:9377")
        #expect(try store.meta()["created_by"] == "atalaya \(AtalayaVersion.current)")
        #expect(try store.integrityCheck() == ["ok"])
        // Reopening an existing store runs quick_check and keeps everything.
        _ = try Synthetic.ingest(store, try writeCSV(dir, "a.csv", 1...10))
        let again = try IncidentStore.open(path: dir + "/s.sqlite")
        #expect(try again.count() == 10)
    }

    @Test("ingesting twice inserts nothing; one changed category is one update")
    func idempotence() throws {
        let dir = try TestFiles.tempDir("idem").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        let csv = try writeCSV(dir, "a.csv", 1...1000)
        let first = try Synthetic.ingest(store, csv, batchSize: 300).report
        #expect(first.rowsRead == 1000 && first.accepted == 1000 && first.rejected == 0)
        #expect(first.inserted == 1000 && first.updated == 0 && first.unchanged == 0 && first.batches == 4)
        let second = try Synthetic.ingest(store, csv).report
        #expect(second.inserted == 0 && second.updated == 0 && second.unchanged == 1000)
        #expect(try store.count() == 1000)

        let changed = dir + "/b.csv"
        try Synthetic.write(1...1000, to: changed) { k, r in if k == 17 { r.delito = "EXTORSION" } }
        let third = try Synthetic.ingest(store, changed).report
        #expect(third.inserted == 0 && third.updated == 1 && third.unchanged == 999)
        #expect(try store.count() == 1000)
        let hit = try store.query(IncidentQuery(categories: ["EXTORSION"]))
        #expect(hit.key == ["INC-17"])
        // The R*Tree still holds exactly the occupied tiles.
        try expectTilesConsistent(store)

        let sources = try store.sources()
        #expect(sources.count == 3 && sources.allSatisfy(\.isComplete))
        #expect(sources.map(\.inserted) == [1000, 0, 0] && sources.map(\.updated) == [0, 0, 1])
        #expect(sources[0].sha256 == SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: csv))).map { String(format: "%02x", $0) }.joined())
        #expect(sources[0].sha256 == sources[1].sha256 && sources[0].sha256 != sources[2].sha256)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("overlapping exports: rows 1–600 then 400–1000 give 1000 incidents")
    func overlappingExports() throws {
        let dir = try TestFiles.tempDir("overlap").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        let a = try Synthetic.ingest(store, try writeCSV(dir, "a.csv", 1...600)).report
        let b = try Synthetic.ingest(store, try writeCSV(dir, "b.csv", 400...1000)).report
        #expect(a.inserted == 600)
        #expect(b.inserted == 400 && b.unchanged == 201 && b.updated == 0)
        #expect(try store.count() == 1000)
        #expect(try store.db.scalarInt("SELECT count(DISTINCT incident_key) FROM incidents") == 1000)
        // Rows keep the first source that stored them.
        #expect(try store.db.scalarInt("SELECT count(*) FROM incidents WHERE source_id = \(a.sourceID)") == 600)
    }

    @Test("an export without ids is deduplicated by content")
    func noIDDeduplicatedByContent() throws {
        let dir = try TestFiles.tempDir("noid").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        let a = try Synthetic.ingest(store, try writeCSV(dir, "a.csv", 1...600, id: false)).report
        let again = try Synthetic.ingest(store, dir + "/a.csv").report
        let b = try Synthetic.ingest(store, try writeCSV(dir, "b.csv", 400...1000, id: false)).report
        // Same records, other column order, `;`, blanks around values: same normalized content.
        let c = try Synthetic.ingest(store, try writeCSV(dir, "c.csv", 1...1000, id: false, reorder: true)).report
        #expect(a.inserted == 600)
        #expect(again.inserted == 0 && again.unchanged == 600)
        #expect(b.inserted == 400 && b.unchanged == 201)
        #expect(c.inserted == 0 && c.updated == 0 && c.unchanged == 1000)
        #expect(try store.count() == 1000)
        let keys = try store.query(IncidentQuery()).key
        #expect(keys.allSatisfy { $0.hasPrefix("sha:") && $0.count == 68 })
        // The record is kept as a JSON object of column → original value.
        let rec = try store.db.scalarText("SELECT record FROM incidents ORDER BY rowid LIMIT 1") ?? ""
        let obj = try JSONSerialization.jsonObject(with: Data(rec.utf8)) as? [String: String]
        let r1 = Synthetic.Row(1)
        #expect(obj?["delito"] == r1.delito)
        #expect(obj.map { Set($0.keys) } == ["fecha_hecho", "delito", "latitud", "longitud"])
    }

    @Test("content hash, key and JSON record follow their definition (quoted, escaped and missing values)")
    func recordEncoding() throws {
        let dir = try TestFiles.tempDir("encoding").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        // Row 1: quoted comma, doubled quote, backslash, an embedded line break and a control byte,
        // blanks around the id. Row 2: no id, a missing last column.
        let text = "id,delito,latitud,longitud,barrio,nota\n"
            + " A-1 ,\"HURTO, \"\"CELULAR\"\"\",4.6,-74.08,\"La\nCandelaria\",a\\b\u{01}\n"
            + ",LESIONES PERSONALES,4.61,-74.09, Suba \n"
        let csv = dir + "/enc.csv"
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try Synthetic.ingest(store, csv).report.inserted == 2)
        let rows = try store.db.column("SELECT incident_key || char(29) || hex(content_hash) || char(29) || category || char(29) || record FROM incidents ORDER BY line")
            .map { $0.split(separator: "\u{1D}", omittingEmptySubsequences: false).map(String.init) }
        func sha(_ s: String) -> String { SHA256.hash(data: Data(s.utf8)).map { String(format: "%02X", $0) }.joined() }
        // Normalized: non-empty trimmed values with their names, in name order, `name 0x1F value 0x1E`.
        let h1 = sha("barrio\u{1F}La\nCandelaria\u{1E}delito\u{1F}HURTO, \"CELULAR\"\u{1E}id\u{1F}A-1\u{1E}"
                     + "latitud\u{1F}4.6\u{1E}longitud\u{1F}-74.08\u{1E}nota\u{1F}a\\b\u{01}\u{1E}")
        let h2 = sha("barrio\u{1F}Suba\u{1E}delito\u{1F}LESIONES PERSONALES\u{1E}latitud\u{1F}4.61\u{1E}longitud\u{1F}-74.09\u{1E}")
        #expect(rows.count == 2)
        #expect(rows.first == ["A-1", h1, "HURTO, \"CELULAR\"",
                               #"{"id":" A-1 ","delito":"HURTO, \"CELULAR\"","latitud":"4.6","longitud":"-74.08","barrio":"La\nCandelaria","nota":"a\\b\u0001"}"#])
        #expect(rows.last == ["sha:" + h2.lowercased(), h2, "LESIONES PERSONALES",
                              #"{"id":"","delito":"LESIONES PERSONALES","latitud":"4.61","longitud":"-74.09","barrio":" Suba ","nota":""}"#])
    }

    @Test("identical rows of one export without ids stay separate incidents; re-ingesting adds none")
    func identicalRowsWithoutIDsAreKept() throws {
        let dir = try TestFiles.tempDir("copies").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        // Rows 2 and 3 are identical (same day, place and description: two victims at one stop);
        // row 4 repeats them with blanks around a value, which the content hash ignores.
        let text = """
            fecha_hecho,delito,latitud,longitud
            2025-02-01,HURTO A PERSONAS,4.6,-74.1
            2025-02-02,HURTO A PERSONAS,4.61,-74.09
            2025-02-02,HURTO A PERSONAS,4.61,-74.09
            2025-02-02, HURTO A PERSONAS ,4.61,-74.09

            """
        let csv = dir + "/copies.csv"
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let first = try Synthetic.ingest(store, csv, batchSize: 2).report
        #expect(first.inserted == 4 && first.unchanged == 0)
        let keys = try store.query(IncidentQuery()).key
        let base = keys[1]
        #expect(base.hasPrefix("sha:") && keys[2] == base + "#2" && keys[3] == base + "#3")
        let again = try Synthetic.ingest(store, csv).report
        let stored = try store.count()
        #expect(again.inserted == 0 && again.unchanged == 4 && stored == 4)
    }

    @Test("filters agree with an in-memory recount (time half-open, category, upz, bbox)")
    func filtersMatchRecount() throws {
        let dir = try TestFiles.tempDir("filters").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        let ing = try Synthetic.ingest(store, try writeCSV(dir, "a.csv", 1...5000), layers: Synthetic.layers, batchSize: 1200)
        let t = ing.read.table
        let n = t.count
        #expect(n == 5000 && ing.report.inserted == 5000)
        let upz = ing.units["upz"]!
        let loc = ing.units["localidades"]!
        #expect(upz.compactMap { $0 }.count > 4000)  // most synthetic points fall inside Bogotá's UPZ

        func expected(_ keep: (Int) -> Bool) -> [String] { (0..<n).filter(keep).map { t.id($0)! } }
        func check(_ q: IncidentQuery, _ keep: @escaping (Int) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let want = expected(keep)
            let got = try store.query(q)
            #expect(got.key == want, sourceLocation: sourceLocation)
            #expect(try store.count(q) == want.count, sourceLocation: sourceLocation)
            #expect(!want.isEmpty, sourceLocation: sourceLocation)
        }

        // Half-open window whose lower edge is an incident's exact time and upper edge another's.
        let times = t.time.sorted()
        let from = times[1000], to = times[3000]
        try check(IncidentQuery(from: from, to: to)) { t.time[$0] >= from && t.time[$0] < to }
        #expect(try store.count(IncidentQuery(from: from, to: to)) == 2000)
        #expect(try store.count(IncidentQuery(from: from, to: from)) == 0)
        #expect(try store.count(IncidentQuery(from: from, to: from + 1)) == 1)

        try check(IncidentQuery(categories: ["HOMICIDIOS", "LESIONES PERSONALES"])) {
            ["HOMICIDIOS", "LESIONES PERSONALES"].contains(t.category($0)!)
        }

        var perUPZ: [String: Int] = [:]
        for c in upz { if let c { perUPZ[c, default: 0] += 1 } }
        let topUPZ = perUPZ.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
        try check(IncidentQuery(upz: [topUPZ])) { upz[$0] == topUPZ }
        let someLoc = loc.compactMap { $0 }.first!
        try check(IncidentQuery(localidades: [someLoc])) { loc[$0] == someLoc }
        // A unit and a month: unit_tiles → (tile, time) index → exact code test.
        let (mFrom, mTo) = (times[2000], times[2000] + 30 * 86_400)
        try check(IncidentQuery(from: mFrom, to: mTo, upz: [topUPZ])) { t.time[$0] >= mFrom && t.time[$0] < mTo && upz[$0] == topUPZ }
        let unitPlan = try planDetails(store, IncidentQuery(from: mFrom, to: mTo, upz: [topUPZ]))
        #expect(unitPlan.contains { $0.contains("incidents_tile_time") } && unitPlan.contains { $0.contains("unit_tiles") },
                "\(unitPlan)")
        // unit_tiles holds exactly the (unit, code, tile) of the stored rows (a fresh store never shrinks it).
        var pairs = Set<String>()
        for i in 0..<n {
            guard let tile = Tile.key(x: ing.x[i], y: ing.y[i]) else { continue }
            if let c = upz[i] { pairs.insert("upz|\(c)|\(tile)") }
            if let c = loc[i] { pairs.insert("localidad|\(c)|\(tile)") }
        }
        let stored = Set(try store.db.column("SELECT unit || '|' || code || '|' || tile FROM unit_tiles WHERE unit IN ('upz', 'localidad')"))
        #expect(stored == pairs)

        // A box in the working CRS around the middle of the points (R*Tree + exact edge test).
        let xs = ing.x.sorted(), ys = ing.y.sorted()
        let box = (minX: xs[1500], minY: ys[1000], maxX: xs[3500], maxY: ys[3000])
        let inBox = { (i: Int) in ing.x[i] >= box.minX && ing.x[i] <= box.maxX && ing.y[i] >= box.minY && ing.y[i] <= box.maxY }
        try check(IncidentQuery(bbox: box), inBox)
        #expect(try planDetails(store, IncidentQuery(bbox: box)).contains { $0.contains("incidents_rtree VIRTUAL TABLE INDEX") })

        // Everything at once.
        try check(IncidentQuery(from: times[500], to: times[4500], categories: ["HURTO A PERSONAS", "HURTO DE CELULARES"],
                                upz: Array(perUPZ.keys), bbox: box)) { i in
            t.time[i] >= times[500] && t.time[i] < times[4500] && ["HURTO A PERSONAS", "HURTO DE CELULARES"].contains(t.category(i)!)
                && upz[i] != nil && inBox(i)
        }
        let all = try store.query(IncidentQuery(categories: ["HOMICIDIOS"]))
        let firstHomicide = (0..<n).first { t.category($0) == "HOMICIDIOS" }!
        #expect(all.x.first == ing.x[firstHomicide] && all.y.first == ing.y[firstHomicide])
        #expect(all.time.first == t.time[firstHomicide] && all.category.first == "HOMICIDIOS")
    }

    @Test("box queries go R*Tree → tiles → incidents and equal a brute-force recount, also on tile edges")
    func bboxThroughTiles() throws {
        let dir = try TestFiles.tempDir("tiles").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        let ing = try Synthetic.ingest(store, try writeCSV(dir, "a.csv", 1...20_000))
        #expect(ing.report.inserted == 20_000)
        try expectTilesConsistent(store)
        let tiles = try store.db.scalarInt("SELECT count(*) FROM incidents_rtree") ?? 0
        #expect(tiles > 100 && tiles < 20_000)  // one entry per occupied 250 m tile, not per incident

        // The planner uses the R*Tree and the tile index.
        let xs = ing.x.sorted(), ys = ing.y.sorted()
        let details = try planDetails(store, IncidentQuery(bbox: (xs[5000], ys[5000], xs[6000], ys[7000])))
        #expect(details.contains { $0.contains("incidents_rtree VIRTUAL TABLE INDEX") }, "\(details)")
        #expect(details.contains { $0.contains("USING INDEX incidents_tile") || $0.contains("USING COVERING INDEX incidents_tile") }, "\(details)")

        var g = TestRandom(seed: 42)
        func pick(_ v: [Double]) -> Double { v[Int(g.next() % UInt64(v.count))] }
        func grid(_ v: Double) -> Double { (v / Tile.size).rounded(.down) * Tile.size }
        var boxes: [(minX: Double, minY: Double, maxX: Double, maxY: Double)] = []
        for k in 0..<60 {
            var a = pick(ing.x), b = pick(ing.x), c = pick(ing.y), d = pick(ing.y)
            switch k % 4 {
            case 1: a = grid(a); b = grid(b); c = grid(c); d = grid(d)            // edges on tile boundaries
            case 2: a = a.nextDown; b = b.nextUp; c = c.nextDown; d = d.nextUp    // just around points
            case 3: b = a; d = c                                                   // a degenerate box on one point
            default: break
            }
            boxes.append((min(a, b), min(c, d), max(a, b), max(c, d)))
        }
        for box in boxes {
            let want = (0..<ing.x.count).filter {
                ing.x[$0] >= box.minX && ing.x[$0] <= box.maxX && ing.y[$0] >= box.minY && ing.y[$0] <= box.maxY
            }.map { ing.read.table.id($0)! }
            let got = try store.query(IncidentQuery(bbox: box))
            #expect(got.key == want, "box \(box)")
            #expect(try store.count(IncidentQuery(bbox: box)) == want.count)
        }
        #expect(try store.count(IncidentQuery(bbox: (0, 0, 1, 1))) == 0)
    }

    @Test("open re-creates the secondary indexes of an interrupted bulk ingest, unless it is still running")
    func indexRepair() throws {
        let dir = try TestFiles.tempDir("repair").path
        let path = dir + "/s.sqlite"
        do {
            let s = try IncidentStore.open(path: path)
            _ = try Synthetic.ingest(s, try writeCSV(dir, "a.csv", 1...100))
            // What a killed first load leaves behind: indexes dropped (the key index too), markers of a
            // dead process.
            for index in Schema.indexes { try s.db.execute("DROP INDEX \(index.name)") }
            try s.db.execute("DROP INDEX \(Schema.keyIndex.name)")
            for key in ["bulk_ingest", "first_load"] {
                try s.db.execute("INSERT INTO meta(key, value) VALUES ('\(key)', '999999999@\(ProcessInfo.processInfo.hostName)')")
            }
            #expect(try IncidentStore.missingIndexes(s.db) == [Schema.keyIndex.name] + Schema.indexes.map(\.name))
        }
        let s = try IncidentStore.open(path: path)
        #expect(try IncidentStore.missingIndexes(s.db).isEmpty)
        #expect(try s.db.scalarInt("SELECT count(*) FROM meta WHERE key IN ('bulk_ingest', 'first_load')") == 0)
        #expect(try IncidentStore.hasUniqueKey(s.db))
        // A live bulk ingest (this process) keeps its indexes dropped: open leaves them alone.
        try s.db.execute("DROP INDEX incidents_time")
        let live = IncidentStore.BulkMarker.make()
        defer { IncidentStore.BulkMarker.release(live) }
        try s.db.execute("INSERT INTO meta(key, value) VALUES ('bulk_ingest', '\(live)')")
        let reader = try IncidentStore.open(path: path)
        #expect(try IncidentStore.missingIndexes(reader.db) == ["incidents_time"])
        #expect(try reader.count(IncidentQuery(from: 0)) == 100)
    }

    @Test("a bulk ingest into an empty store re-creates its indexes; a second one updates in place")
    func bulkPath() throws {
        let dir = try TestFiles.tempDir("bulk").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        let csv = try writeCSV(dir, "a.csv", 1...30_000)
        let first = try Synthetic.ingest(store, csv, batchSize: 7_000).report
        #expect(first.inserted == 30_000 && first.batches == 5)
        #expect(try IncidentStore.missingIndexes(store.db).isEmpty)
        #expect(try store.db.scalarText("SELECT value FROM meta WHERE key = 'bulk_ingest'") == nil)
        let changed = dir + "/b.csv"
        try Synthetic.write(1...30_000, to: changed) { k, r in if k % 1000 == 0 { r.lat += 0.01; r.delito = "EXTORSION" } }
        let second = try Synthetic.ingest(store, changed).report
        #expect(second.inserted == 0 && second.updated == 30 && second.unchanged == 29_970)
        #expect(try store.count(IncidentQuery(categories: ["EXTORSION"])) == 30)
        let rec = try store.db.scalarText("SELECT record FROM incidents WHERE incident_key = 'INC-1000'") ?? ""
        #expect(rec.contains("EXTORSION"))
        #expect(try store.db.scalarInt("SELECT count(*) FROM incidents WHERE record IS NOT NULL") == 30_000)
        try expectTilesConsistent(store)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("a first load runs in rollback-journal mode: readers see its committed batches, the store ends in WAL")
    func firstLoadJournal() throws {
        let dir = try TestFiles.tempDir("firstload").path
        let path = dir + "/s.sqlite"
        let store = try IncidentStore.open(path: path)
        let csv = try writeCSV(dir, "a.csv", 1...30_000)
        let (read, x, y) = try readProjected(csv)
        var seen: [Int] = [], modes: [String] = []
        let report = try store.ingest(read: read, x: x, y: y, sourcePath: csv, batchSize: 6_000) { done in
            // A reader opened between two batches reads what is committed so far, without waiting.
            guard let reader = try? IncidentStore.open(path: path, busyTimeout: 0, verify: false) else { return }
            modes.append((try? reader.db.scalarText("PRAGMA journal_mode")) ?? "?")
            seen.append((try? reader.count()) ?? -1)
            #expect(done == seen.last)
        }
        #expect(report.inserted == 30_000 && report.batches == 5)
        #expect(seen == [6_000, 12_000, 18_000, 24_000, 30_000])
        // The reader left the store in rollback-journal mode (its own connection's mode is "delete"):
        // switching to WAL under a live loader would halve its speed.
        #expect(modes == Array(repeating: "delete", count: 5), "\(modes)")
        #expect(try store.db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try IncidentStore.open(path: path).db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
        #expect(try store.integrityCheck() == ["ok"])
        // A second load into the now non-empty store stays in WAL.
        let more = try writeCSV(dir, "b.csv", 30_001...90_000)
        var moreModes: [String] = []
        let report2 = try store.ingest(read: try IncidentReader.read(path: more, options: ReadOptions()),
                                       x: Array(repeating: .nan, count: 60_000), y: Array(repeating: .nan, count: 60_000),
                                       sourcePath: more, batchSize: 30_000) { _ in
            moreModes.append((try? store.db.scalarText("PRAGMA journal_mode")) ?? "?")
        }
        #expect(report2.inserted == 60_000 && moreModes == ["wal", "wal"])
    }

    @Test("a first load (multi-row INSERTs) stores exactly what the upsert path stores, identical rows included")
    func firstLoadEqualsUpsertPath() throws {
        let dir = try TestFiles.tempDir("firstload-equal").path
        // No id column; rows 1…300 appear twice (their second copies are keyed `#2`); 25,300 rows in all.
        let csv = dir + "/a.csv"
        try Synthetic.write(Array(1...25_000) + Array(1...300), to: csv, id: false)
        let fresh = try IncidentStore.open(path: dir + "/fresh.sqlite")
        let seeded = try IncidentStore.open(path: dir + "/seeded.sqlite")
        _ = try Synthetic.ingest(seeded, try writeCSV(dir, "other.csv", 90_000...90_000))
        let a = try Synthetic.ingest(fresh, csv, layers: Synthetic.layers, batchSize: 7_000).report
        let b = try Synthetic.ingest(seeded, csv, layers: Synthetic.layers, batchSize: 7_000).report
        #expect(a.inserted == 25_300 && b.inserted == 25_300)
        func rows(_ store: IncidentStore, source: Int64) throws -> [String] {
            let s = try store.db.prepare("""
                SELECT incident_key, hex(content_hash), time, category, lon, lat, x, y, tile, localidad, upz, upl,
                       municipio, cuadrante, line, record
                FROM incidents WHERE source_id = ?1 ORDER BY incident_key
                """)
            try s.bind(1, source)
            var out = [String]()
            while try s.step() { out.append((0..<16).map { s.text(Int32($0)) ?? "NULL" }.joined(separator: "|")) }
            return out
        }
        // Loaded without its key index (content-hash keys), which `finish` sorted back in.
        #expect(try IncidentStore.missingIndexes(fresh.db).isEmpty)
        #expect(try IncidentStore.hasUniqueKey(fresh.db))
        let fromFresh = try rows(fresh, source: a.sourceID), fromSeeded = try rows(seeded, source: b.sourceID)
        #expect(fromFresh.count == 25_300 && fromFresh == fromSeeded)
        #expect(fromFresh.filter { $0.hasPrefix("sha:") && $0.split(separator: "|")[0].hasSuffix("#2") }.count == 300)
        let tiles = "SELECT unit || code || tile FROM unit_tiles ORDER BY 1"
        #expect(try fresh.db.column(tiles) == seeded.db.column(tiles))
        #expect(try fresh.db.scalarInt("SELECT count(*) FROM incidents_rtree") == seeded.db.scalarInt(
            "SELECT count(*) FROM incidents_rtree WHERE id IN (SELECT tile FROM incidents WHERE source_id = \(b.sourceID))"))
        #expect(try fresh.integrityCheck() == ["ok"] && seeded.integrityCheck() == ["ok"])
    }

    @Test("another ingest is refused while a first load runs, with a clear error, and welcome afterwards")
    func firstLoadRefusesOtherWriters() throws {
        let dir = try TestFiles.tempDir("firstload-writer").path
        let path = dir + "/s.sqlite"
        let store = try IncidentStore.open(path: path)
        let csv = try writeCSV(dir, "a.csv", 1...30_000)
        let other = try writeCSV(dir, "b.csv", 20_001...20_010)
        try Synthetic.write(20_011...20_012, to: dir + "/c.csv") { _, r in r.delito = "EXTORSION" }
        let (read, x, y) = try readProjected(csv)
        var refused: [String] = []
        let report = try store.ingest(read: read, x: x, y: y, sourcePath: csv, batchSize: 6_000) { done in
            guard done == 6_000 else { return }
            // Between two batches of the load, another writer tries in.
            let writer = try! IncidentStore.open(path: path, verify: false)
            // A file with ids keeps its key index during the load (ids arrive in order).
            #expect((try? IncidentStore.hasUniqueKey(writer.db)) == true)
            let owner = (try? writer.db.scalarText("SELECT value FROM meta WHERE key = 'first_load'")) ?? nil
            #expect(owner?.hasPrefix("\(getpid())@") == true && IncidentStore.BulkMarker.isLive(owner ?? ""))
            do {
                _ = try Synthetic.ingest(writer, other)
            } catch let error as StoreError {
                refused.append("\(error)")
                #expect(error == .ingestRunning(path: path, owner: owner ?? ""))
            } catch {
                Issue.record("unexpected \(error)")
            }
            #expect(try! writer.count() == 6_000)
        }
        #expect(report.inserted == 30_000)
        #expect(refused.count == 1 && refused[0].contains(path) && refused[0].contains(tr("otra ingesta", "another ingest"))
                && refused[0].contains(tr("no se guardó nada", "nothing of this one was stored")))
        #expect(try IncidentStore.missingIndexes(store.db).isEmpty)
        #expect(try store.db.scalarInt("SELECT count(*) FROM meta WHERE key IN ('first_load', 'bulk_ingest')") == 0)
        // Once it has finished: the key index is back and does its job.
        let writer = try IncidentStore.open(path: path)
        let b = try Synthetic.ingest(writer, other).report, c = try Synthetic.ingest(writer, dir + "/c.csv").report
        #expect(b.unchanged == 10 && b.inserted == 0 && c.updated == 2 && c.inserted == 0)
        #expect(try store.count() == 30_000)
        #expect(try store.count(IncidentQuery(categories: ["EXTORSION"])) == 2)
        #expect(throws: (any Error).self) { try store.db.execute("INSERT INTO incidents(incident_key, content_hash) VALUES ('INC-1', x'00')") }
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("a first load dropped without finishing, in the same process: the next ingest repairs and completes")
    func abandonedFirstLoad() throws {
        let dir = try TestFiles.tempDir("abandoned").path
        let store = try IncidentStore.open(path: dir + "/s.sqlite")
        let csv = dir + "/a.csv"
        try Synthetic.write(1...30_000, to: csv, id: false)  // content keys: the key index goes too
        let (read, x, y) = try readProjected(csv)
        do {
            let session = try store.beginIngest(sourcePath: csv, expectedRows: 30_000, batchSize: 10_000)
            try session.add(read, x: x, y: y)  // committed, but never finished (say, the caller failed later)
            #expect(try IncidentStore.missingIndexes(store.db).count == 1 + Schema.indexes.count)
        }
        let report = try store.ingest(read: read, x: x, y: y, sourcePath: csv)
        #expect(report.inserted == 0 && report.unchanged == 30_000)
        #expect(try IncidentStore.missingIndexes(store.db).isEmpty)
        #expect(try store.db.scalarInt("SELECT count(*) FROM meta WHERE key IN ('first_load', 'bulk_ingest')") == 0)
        #expect(try store.db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try store.count() == 30_000 && store.integrityCheck() == ["ok"])
    }

    @Test("a child killed with SIGKILL mid-ingest leaves whole batches; re-ingesting completes it")
    func crashSafety() throws {
        let dir = try TestFiles.tempDir("crash").path
        let storePath = dir + "/s.sqlite"
        let rows = 100_000, batch = 500
        let csv = try writeCSV(dir, "big.csv", 1...rows)
        let helper = Synthetic.crashHelper
        #expect(FileManager.default.isExecutableFile(atPath: helper), "missing \(helper)")

        let p = Process()
        p.executableURL = URL(fileURLWithPath: helper)
        p.arguments = [storePath, csv, String(batch)]
        // The helper's stdout goes to a file, polled (a pipe's reader traps on EINTR in Foundation).
        let outPath = dir + "/helper.out"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait for the second committed batch, then kill without warning.
        var seen = "", committed = 0
        while committed < 2 && p.isRunning {
            usleep(2_000)
            seen = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            committed = seen.components(separatedBy: "\n").filter { $0.hasPrefix("batch ") }.count
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(committed >= 2, "helper output: \(seen)")
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL,
                "the helper finished before it was killed; output: \(seen)")

        let store = try IncidentStore.open(path: storePath)
        #expect(try store.integrityCheck() == ["ok"])
        let afterCrash = try store.count()
        #expect(afterCrash >= 2 * batch && afterCrash < rows)
        #expect(afterCrash % batch == 0, "partial batch: \(afterCrash) rows")
        // `open` re-created the secondary indexes the bulk ingest had dropped; the R*Tree has every tile.
        #expect(try IncidentStore.missingIndexes(store.db).isEmpty)
        try expectTilesConsistent(store)
        // The interrupted ingest left its source row without counts.
        let interrupted = try store.sources()
        #expect(interrupted.count == 1 && !interrupted[0].isComplete)

        let report = try Synthetic.ingest(store, csv).report
        #expect(report.inserted == rows - afterCrash && report.unchanged == afterCrash && report.updated == 0)
        #expect(try store.count() == rows)
        #expect(try store.db.scalarInt("SELECT count(DISTINCT incident_key) FROM incidents") == Int64(rows))
        #expect(try store.integrityCheck() == ["ok"])
        #expect(try store.sources().map(\.isComplete) == [false, true])
        #expect(try IncidentStore.missingIndexes(store.db).isEmpty)
        try expectTilesConsistent(store)
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test("garbage bytes are reported as a corrupt store naming the path")
    func corruptFile() throws {
        let dir = try TestFiles.tempDir("corrupt").path
        let path = dir + "/garbage.sqlite"
        var g = TestRandom(seed: 7)
        let bytes = (0..<8192).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: SQLiteError.corrupt(path: path)) { try IncidentStore.open(path: path) }
        do { _ = try IncidentStore.open(path: path) } catch {
            #expect("\(error)".contains(path))
        }
        // A truncated real store (header intact, pages missing) is caught by quick_check.
        let good = dir + "/good.sqlite"
        do {
            let s = try IncidentStore.open(path: good)
            _ = try Synthetic.ingest(s, try writeCSV(dir, "a.csv", 1...3000))
            try s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        let damaged = dir + "/damaged.sqlite"
        var d = [UInt8](data)
        for i in stride(from: 4096 * 3, to: min(d.count, 4096 * 6), by: 1) { d[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try Data(d).write(to: URL(fileURLWithPath: damaged))
        #expect(throws: SQLiteError.corrupt(path: damaged)) { try IncidentStore.open(path: damaged) }
    }

    @Test("a store from a newer schema is refused")
    func newerSchema() throws {
        let dir = try TestFiles.tempDir("newer").path
        let path = dir + "/s.sqlite"
        do {
            let s = try IncidentStore.open(path: path)
            try s.db.execute("PRAGMA user_version = 99")
        }
        #expect(throws: StoreError.newerSchema(path: path, found: 99, supported: 3)) { try IncidentStore.open(path: path) }
    }

    @Test("a version 1 store (records apart, one index per unit) is migrated to version 3 and loses nothing")
    func migrationFrom1() throws {
        let dir = try TestFiles.tempDir("migrate").path
        let path = dir + "/v1.sqlite"
        do {
            // What a version 1 build wrote (its schema, verbatim in substance).
            let db = try Database(path: path)
            try db.configure()
            try db.execute("""
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
                CREATE TABLE sources(id INTEGER PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT, ingested_at TEXT NOT NULL,
                    rows_read INTEGER, accepted INTEGER, rejected INTEGER, inserted INTEGER, updated INTEGER, unchanged INTEGER);
                CREATE TABLE incidents(rowid INTEGER PRIMARY KEY, incident_key TEXT NOT NULL UNIQUE, content_hash BLOB NOT NULL,
                    time INTEGER, category TEXT, lon REAL, lat REAL, x REAL, y REAL, tile INTEGER, localidad TEXT, upz TEXT,
                    upl TEXT, municipio TEXT, cuadrante TEXT, source_id INTEGER REFERENCES sources(id), line INTEGER);
                CREATE TABLE incident_records(rowid INTEGER PRIMARY KEY, record TEXT NOT NULL);
                CREATE TRIGGER incidents_record_delete AFTER DELETE ON incidents BEGIN
                    DELETE FROM incident_records WHERE rowid = old.rowid;
                END;
                CREATE VIRTUAL TABLE incidents_rtree USING rtree(id, minx, maxx, miny, maxy);
                CREATE INDEX incidents_time ON incidents(time);
                CREATE INDEX incidents_category_time ON incidents(category, time);
                CREATE INDEX incidents_upz_time ON incidents(upz, time);
                CREATE INDEX incidents_localidad_time ON incidents(localidad, time);
                CREATE INDEX incidents_tile ON incidents(tile);
                INSERT INTO meta VALUES ('crs', 'EPSG:9377'), ('schema_version', '1');
                INSERT INTO sources(id, path, ingested_at, rows_read, accepted, rejected, inserted, updated, unchanged)
                    VALUES (1, 'a.csv', '2026-01-01T00:00:00Z', 3, 3, 0, 3, 0, 0);
                INSERT INTO incidents VALUES
                    (1, 'A1', x'00', 1000, 'HURTO A PERSONAS', -74.07, 4.60, 4880000.5, 2066000.5, 8589934592002, '03', 'UPZ93', 'UPL23', '11001', 'E03-41', 1, 2),
                    (2, 'A2', x'01', 2000, 'HOMICIDIOS', -74.13, 4.55, 4874000.5, 2061000.5, 8589934592003, '19', 'UPZ67', NULL, '11001', NULL, 1, 3),
                    (3, 'A3', x'02', 3000, 'HOMICIDIOS', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, 4);
                INSERT INTO incident_records VALUES (1, '{"id":"A1"}'), (2, '{"id":"A2"}'), (3, '{"id":"A3"}');
                INSERT INTO incidents_rtree VALUES (8589934592002, 0, 1, 0, 1), (8589934592003, 0, 1, 0, 1);
                PRAGMA user_version = 1;
                """)
        }
        let store = try IncidentStore.open(path: path)
        #expect(try store.db.scalarInt("PRAGMA user_version") == 3)
        #expect(try store.meta()["schema_version"] == "3")
        #expect(try store.rowsPerLayerSet() == [nil: 3])
        #expect(try store.db.column("SELECT record FROM incidents ORDER BY rowid") == [#"{"id":"A1"}"#, #"{"id":"A2"}"#, #"{"id":"A3"}"#])
        #expect(try store.db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name IN ('incident_records', 'incidents_record_delete')") == 0)
        let indexes = Set(try store.db.column("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL"))
        #expect(indexes == Set(Schema.indexes.map(\.name)))
        #expect(try store.db.column("SELECT unit || ' ' || code || ' ' || tile FROM unit_tiles ORDER BY 1") == [
            "cuadrante E03-41 8589934592002", "localidad 03 8589934592002", "localidad 19 8589934592003",
            "municipio 11001 8589934592002", "municipio 11001 8589934592003", "upl UPL23 8589934592002",
            "upz UPZ67 8589934592003", "upz UPZ93 8589934592002",
        ])
        #expect(try store.query(IncidentQuery(upz: ["UPZ67"])).key == ["A2"])
        #expect(try store.count(IncidentQuery(categories: ["HOMICIDIOS"])) == 2)
        #expect(try store.sources().map(\.inserted) == [3])
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test("a writer blocked past the busy timeout gets .locked and nothing is lost")
    func locked() throws {
        let dir = try TestFiles.tempDir("locked").path
        let path = dir + "/s.sqlite"
        let holder = try IncidentStore.open(path: path)
        _ = try Synthetic.ingest(holder, try writeCSV(dir, "a.csv", 1...500))
        let csvB = try writeCSV(dir, "b.csv", 400...900)

        let blocked = try IncidentStore.open(path: path, busyTimeout: 0.2)
        try holder.db.execute("BEGIN IMMEDIATE")
        try holder.db.execute("UPDATE meta SET value = value WHERE key = 'crs'")
        let started = Date()
        #expect(throws: SQLiteError.locked(path: path)) { try Synthetic.ingest(blocked, csvB) }
        #expect(Date().timeIntervalSince(started) >= 0.15)
        // Readers are not blocked by the writer.
        #expect(try blocked.count() == 500)
        try holder.db.execute("COMMIT")

        #expect(try blocked.count() == 500)
        #expect(try blocked.sources().count == 1)
        let retry = try Synthetic.ingest(blocked, csvB).report
        #expect(retry.inserted == 400 && retry.unchanged == 101)
        #expect(try holder.count() == 900)
        #expect(try holder.integrityCheck() == ["ok"])
    }

    @Test("a second connection reads while the first holds a write transaction (WAL)")
    func readersDuringWrite() throws {
        let dir = try TestFiles.tempDir("wal").path
        let path = dir + "/s.sqlite"
        let writer = try IncidentStore.open(path: path)
        _ = try Synthetic.ingest(writer, try writeCSV(dir, "a.csv", 1...300))
        let reader = try IncidentStore.open(path: path, busyTimeout: 0.1)
        try writer.db.transaction {
            try writer.db.execute("DELETE FROM incidents WHERE rowid <= 100")
            #expect(try writer.count() == 200)
            // The reader sees the last committed state, without waiting.
            let started = Date()
            #expect(try reader.count() == 300)
            #expect(try reader.query(IncidentQuery(categories: Synthetic.delitos)).count == 300)
            #expect(Date().timeIntervalSince(started) < 0.1)
        }
        #expect(try reader.count() == 200)
        // The delete trigger kept the R*Tree in step (tiles left empty are gone).
        try expectTilesConsistent(reader)
    }

    // MARK: helpers

    /// The rows of `csv` and their EPSG:9377 coordinates.
    private func readProjected(_ csv: String) throws -> (read: ReadResult, x: [Double], y: [Double]) {
        let read = try IncidentReader.read(path: csv, options: ReadOptions())
        var x = read.table.lon, y = read.table.lat
        try Projection.transformParallel(from: WorkingCRS.geographic, to: WorkingCRS.default, x: &x, y: &y)
        return (read, x, y)
    }

    /// EXPLAIN QUERY PLAN details of `store.query(q)`.
    private func planDetails(_ store: IncidentStore, _ q: IncidentQuery) throws -> [String] {
        let (whereClause, values) = IncidentStore.filter(q)
        let s = try store.db.prepare("EXPLAIN QUERY PLAN SELECT x, y, time, category, incident_key FROM incidents\(whereClause) ORDER BY rowid")
        try IncidentStore.bind(values, to: s)
        var details: [String] = []
        while try s.step() { details.append(s.text(3) ?? "") }
        return details
    }

    /// The R*Tree holds exactly the occupied tiles, each with its (widened) cell as box, and every
    /// incident with coordinates has the tile of its x/y.
    private func writeCSV(_ dir: String, _ name: String, _ ks: ClosedRange<Int>, id: Bool = true, reorder: Bool = false) throws -> String {
        let path = dir + "/" + name
        try Synthetic.write(ks, to: path, id: id, reorder: reorder)
        return path
    }
}
