import SQLite
import Dispatch
import Foundation
import Incidents

/// One source file going into the store, possibly in several pieces (a streamed file): `add` each
/// piece's accepted rows, then `finish`. Made by `IncidentStore.beginIngest`.
///
/// A row whose key is new is inserted; a known key with the same content hash is left alone
/// (`unchanged`); a known key with a different hash is overwritten (`updated`). See
/// `RecordEncoder` for the key and hash. Each batch of `batchSize` rows is one transaction, so an
/// interrupted ingest leaves whole batches only, and running it again completes it.
///
/// The `sources` row is written in the first batch's transaction; `finish` fills in its counts and
/// the file's SHA-256, so a row with NULL counts marks an interrupted ingest.
///
/// **Bulk path** (decided by `beginIngest`): the secondary indexes (time, category, tile) are
/// dropped in the first batch's transaction and re-created (sorted, in bulk) by `finish` (the tile
/// index only in a first load: elsewhere moved rows' R*Tree trigger probes it). The unique
/// key index stays in force (except in a first load, below). If the ingest is interrupted, the next
/// `IncidentStore.open` (or `beginIngest`) re-creates them.
///
/// **First load** (a bulk path into an empty store): rows go in with multi-row plain INSERTs (a file's
/// keys are unique by construction, and other ingests are refused meanwhile,
/// `StoreError.ingestRunning`). A file without an id column goes in without the unique key index,
/// which `finish` sorts in at the end: its content-hash keys are random, and inserting them one by one
/// took twice as long as the rest of the load (exported ids arrive in order: their index is kept).
/// The store runs in rollback-journal mode until `finish` puts it back in WAL: pages appended to a
/// database are not journaled, so each batch is written once, where WAL writes it twice (log, then
/// checkpoint); measured on 1M rows, this halved the time spent writing rows. Each batch is still one
/// transaction (a killed load leaves whole batches; the journal rolls back the rest). Readers still
/// work, between the loader's commits instead of alongside them.
public final class IngestSession {
    private let db: Database
    private let sourcePath: String
    private let bulk: Bool
    private let batchSize: Int
    /// This session's claim on the store (`meta.ingest`, taken by `beginIngest`), also its bulk and
    /// first-load marker.
    private let marker: String
    private var claimReleased = false
    private let ingestedAt = IncidentStore.timestamp()
    private let insertSource: Statement, upsert: Statement, insertTile: Statement, insertUnitTile: Statement
    /// A first load (see above): rows go in with `insertMany` / `insert` instead of the upsert.
    /// Decided by `init`, confirmed in the first batch's transaction (`firstWrites`).
    private var firstLoad: Bool
    private let insert: Statement, insertMany: Statement
    /// Tiles whose R*Tree entry is known to be committed (or written in the current batch).
    private var knownTiles = Set<Int64>()
    /// `unit_tiles` rows known to be committed, and the (tile, unit codes fingerprint) pairs already
    /// seen (a tile has a handful of code combinations, met again and again: one cheap lookup).
    private var knownUnitTiles = Set<UnitTile>()
    private var seenPrints = Set<TilePrint>()
    /// The store is in rollback-journal mode for this load (see "First load").
    private var rollbackJournal = false
    /// Content-keyed rows seen so far in this file, per content hash (first 8 bytes): the k-th
    /// identical row gets key `sha:…#k`. Distinct incidents can share every exported value (same day,
    /// place and description); numbering them keeps each one while a re-ingest still matches key for key.
    private var contentCopies: [UInt64: UInt32] = [:]
    private var sourceID: Int64 = 0
    private var accepted = 0, inserted = 0, updated = 0, unchanged = 0, batches = 0
    private var finished = false, failed = false

    /// The layer files that assign this file's units (`layer_sets`), and its id once the first batch
    /// has written it (NULL in the rows when nil).
    private let layerSet: [LayerFile]?
    private var layerSetID: Int64?

    init(db: Database, sourcePath: String, marker: String, layerSet: [LayerFile]?, bulk: Bool, batchSize: Int,
         emptyStore: Bool) throws {
        self.db = db; self.sourcePath = sourcePath; self.marker = marker; self.layerSet = layerSet
        self.bulk = bulk; self.batchSize = batchSize
        if bulk && emptyStore {
            // Refused (SQLITE_BUSY, stays "wal") while another connection has the store open — a reader,
            // or an ingest being refused: then WAL it is.
            rollbackJournal = try db.switchJournalMode(to: "truncate") == "truncate"
        }
        insertSource = try db.prepare("INSERT INTO sources(path, ingested_at) VALUES (?1, ?2)")
        let columns = IngestSession.columns.joined(separator: ", ")
        let updates = IngestSession.columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        upsert = try db.prepare("""
            INSERT INTO incidents(\(columns)) VALUES \(IngestSession.placeholders(rows: 1))
            ON CONFLICT(incident_key) DO UPDATE SET \(updates)
            WHERE incidents.content_hash IS NOT excluded.content_hash
            """)
        insert = try db.prepare("INSERT INTO incidents(\(columns)) VALUES \(IngestSession.placeholders(rows: 1))")
        insertMany = try db.prepare("INSERT INTO incidents(\(columns)) VALUES \(IngestSession.placeholders(rows: IngestSession.insertManyRows))")
        firstLoad = bulk && emptyStore
        insertTile = try db.prepare("INSERT OR IGNORE INTO incidents_rtree(id, minx, maxx, miny, maxy) VALUES (?1, ?2, ?3, ?4, ?5)")
        insertUnitTile = try db.prepare("INSERT OR IGNORE INTO unit_tiles(unit, code, tile) VALUES (?1, ?2, ?3)")
        // Rows are appended, so a small cache holds the pages being written; it keeps a streamed ingest of
        // millions of rows in bounded memory (restored by `finish`). Measured on 1M rows, 16 MiB wrote
        // faster than 64 or 256 MiB.
        try db.execute("PRAGMA cache_size = -\(IngestSession.writeCacheKiB)")
    }

    /// Writes the source row (and, on the bulk path, drops the secondary indexes): inside the first
    /// batch's transaction. `contentKeys`: the file has no id column (see "First load").
    private func firstWrites(contentKeys: Bool) throws {
        try insertSource.bind(1, sourcePath)
        try insertSource.bind(2, ingestedAt)
        try insertSource.step()
        sourceID = db.lastInsertRowID
        if let layerSet { layerSetID = try IncidentStore.layerSetID(layerSet, in: db) }
        if firstLoad {
            // Still empty, and no other first load under way (both checked under the write lock)?
            let empty = try db.scalarInt("SELECT count(*) FROM incidents") == 0
            firstLoad = try empty && IncidentStore.liveFirstLoad(db) == nil
            if firstLoad {
                if contentKeys { try db.execute("DROP INDEX IF EXISTS \(Schema.keyIndex.name)") }
                try setMarker("first_load")
            }
        }
        if bulk {
            // Into a non-empty store rows may move, and `incidents_tile_leave` asks "is any incident left
            // in the old tile?" per moved row: without the (tile, time) index that is a table scan each
            // (30,000 rows with 10,000 moved took 9 s). Only a first load, where nothing moves, drops it.
            for index in Schema.indexes where firstLoad || index.name != Schema.tileTimeIndex {
                try db.execute("DROP INDEX IF EXISTS \(index.name)")
            }
            try setMarker("bulk_ingest")
        }
    }

    private func setMarker(_ key: String) throws { try IngestSession.setMarker(key, marker, in: db) }

    static func setMarker(_ key: String, _ marker: String, in db: Database) throws {
        let m = try db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
        try m.bind(1, key)
        try m.bind(2, marker)
        try m.step()
    }

    /// Stores the accepted rows of one piece of the file.
    /// - Parameters: see `IncidentStore.ingest`; `progress` gets the rows of this piece done so far.
    public func add(_ read: ReadResult, x: [Double], y: [Double], units: [String: [String?]] = [:],
                    progress: (Int) -> Void = { _ in }) throws {
        precondition(!finished, "add after finish")
        // After a failed batch the known tiles and content copies may not match the store.
        if failed { throw StoreError.invalidInput(reason: "this ingest of \(sourcePath) already failed; start a new one") }
        let t = read.table
        let n = t.count
        guard x.count == n, y.count == n else {
            throw StoreError.invalidInput(reason: "x/y have \(x.count)/\(y.count) values for \(n) accepted rows")
        }
        var unitArrays: [[String?]?] = []
        for (_, names) in Schema.unitColumns {
            let codes = names.lazy.compactMap { units[$0] }.first
            if let codes, codes.count != n {
                throw StoreError.invalidInput(reason: "units[\(names[0])] has \(codes.count) values for \(n) accepted rows")
            }
            unitArrays.append(codes)
        }
        guard n > 0 else { return }
        // Encoding (hash, key, unit codes, JSON record) of batch k+1 runs on another thread while batch k
        // is written.
        let encoder = RecordEncoder(table: t, units: unitArrays)
        let ready = BatchBox(), spare = BatchBox()
        var pending: DispatchGroup?
        defer { pending?.wait() }
        func encodeAhead(_ range: Range<Int>) {
            let group = DispatchGroup()
            let box = spare
            DispatchQueue.global(qos: .userInitiated).async(group: group) { encoder.encode(range, into: &box.batch) }
            pending = group
        }
        encoder.encode(0..<min(n, batchSize), into: &ready.batch)
        var start = 0
        while start < n {
            let range = start..<min(n, start + batchSize)
            if let p = pending { p.wait(); pending = nil; swap(&ready.batch, &spare.batch) }
            if range.upperBound < n { encodeAhead(range.upperBound..<min(n, range.upperBound + batchSize)) }
            failed = true
            let counts = try db.transaction { () -> (Int, Int, Int) in
                if sourceID == 0 { try firstWrites(contentKeys: t.idColumn == nil) }
                return try write(ready.batch, rows: range, of: t, x: x, y: y)
            }
            failed = false
            inserted += counts.0; updated += counts.1; unchanged += counts.2
            accepted += range.count
            batches += 1
            start = range.upperBound
            progress(start)
        }
    }

    /// Writes one encoded batch (rows `rows` of `t`), inside the caller's transaction.
    /// - Returns: (inserted, updated, unchanged).
    private func write(_ batch: RecordEncoder.Batch, rows range: Range<Int>, of t: IncidentTable,
                       x: [Double], y: [Double]) throws -> (Int, Int, Int) {
        let unitCount = Schema.unitColumns.count
        let db = self.db, upsert = self.upsert, insert = self.insert, insertMany = self.insertMany
        // The loop runs on locals (no exclusivity checks; taken out of `self` so that they stay
        // uniquely referenced), put back at the end. A batch that fails ends the session (`failed`).
        var knownTiles = self.knownTiles, knownUnitTiles = self.knownUnitTiles
        var seenPrints = self.seenPrints, contentCopies = self.contentCopies
        self.knownTiles = []; self.knownUnitTiles = []; self.seenPrints = []; self.contentCopies = [:]
        // New R*Tree entries are written after the rows: once a virtual table is part of the
        // transaction, every later statement pays for its savepoints.
        var newTiles: [Int64] = []
        let sourceID = self.sourceID
        var ins = 0, upd = 0, same = 0
        // Bound in place (SQLITE_STATIC): every parameter is re-bound before each step, and the
        // bindings are cleared before `batch.bytes` goes back to the encoder.
        defer {
            upsert.clearBindings(); insert.clearBindings()
            insertMany.clearBindings()
        }
        try batch.bytes.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                .assumingMemoryBound(to: CChar.self)
            // Pass 1, per row: the `#copy` of a repeated content-keyed row, the tile, and the R*Tree and
            // `unit_tiles` entries it needs.
            var copies = [UInt32](repeating: 1, count: range.count)
            var tiles = [Int64?](repeating: nil, count: range.count)
            for (j, i) in range.enumerated() {
                if batch.contentKeyed[j] {
                    let h = batch.hash[j].lowerBound
                    var tag: UInt64 = 0
                    for b in 0..<8 { tag = tag << 8 | UInt64(UInt8(bitPattern: base[h + b])) }
                    let copy = (contentCopies[tag] ?? 0) + 1
                    contentCopies[tag] = copy
                    copies[j] = copy
                }
                guard let tile = Tile.key(x: x[i], y: y[i]) else { continue }
                tiles[j] = tile
                if knownTiles.insert(tile).inserted { newTiles.append(tile) }
                // `unit_tiles` rows of this row, unless its tile has had these codes before.
                if seenPrints.insert(TilePrint(tile: tile, print: batch.unitPrint[j])).inserted {
                    for k in 0..<unitCount {
                        guard let r = batch.units[j * unitCount + k] else { continue }
                        let code = String(decoding: UnsafeRawBufferPointer(start: base + r.lowerBound, count: r.count),
                                          as: UTF8.self)
                        guard knownUnitTiles.insert(UnitTile(unit: k, code: code, tile: tile)).inserted else { continue }
                        try insertUnitTile.bind(1, Schema.unitColumns[k].column)
                        try insertUnitTile.bind(2, code)
                        try insertUnitTile.bind(3, tile)
                        try insertUnitTile.step()
                    }
                }
            }

            var suffixed = [UInt8]()
            /// Binds row `j` (file row `range.lowerBound + j`) to parameters `offset + 1 … offset + 18`.
            func bind(_ j: Int, to statement: Statement, offset: Int32 = 0) throws {
                let i = range.lowerBound + j
                @inline(__always) func text(_ k: Int32, _ r: Range<Int>?) throws {
                    guard let r else { return try statement.bindNull(offset + k) }
                    try statement.bindTextInPlace(offset + k, base + r.lowerBound, count: r.count)
                }
                let key = batch.key[j], copy = copies[j]
                if copy == 1 {
                    try text(1, key)
                } else {
                    suffixed.removeAll(keepingCapacity: true)
                    suffixed.append(contentsOf: UnsafeRawBufferPointer(start: base + key.lowerBound, count: key.count))
                    suffixed.append(contentsOf: Array("#\(copy)".utf8))
                    try suffixed.withUnsafeBufferPointer { try statement.bindText(offset + 1, $0) }
                }
                let h = batch.hash[j]
                try statement.bindBlobInPlace(offset + 2, base + h.lowerBound, count: h.count)
                let time = t.time[i]
                try statement.bind(offset + 3, time == Int64.min ? nil : time)
                try text(4, batch.category[j])
                try statement.bind(offset + 5, t.lon[i])
                try statement.bind(offset + 6, t.lat[i])
                let xi = x[i], yi = y[i]
                try statement.bind(offset + 7, xi.isFinite ? xi : nil)
                try statement.bind(offset + 8, yi.isFinite ? yi : nil)
                try statement.bind(offset + 9, tiles[j])
                for k in 0..<unitCount { try text(Int32(10 + k), batch.units[j * unitCount + k]) }
                try statement.bind(offset + 15, sourceID)
                try statement.bind(offset + 16, Int64(t.lines[i]))
                try text(17, batch.record[j])
                try statement.bind(offset + 18, layerSetID)
            }

            /// Row `j` alone: a plain insert in a first load, the upsert otherwise.
            func writeOne(_ j: Int) throws {
                if firstLoad {
                    try bind(j, to: insert)
                    try insert.step()
                    ins += 1
                    return
                }
                // An insert sets last_insert_rowid (rowids here are ≥ 1); DO UPDATE leaves it at 0;
                // a skipped update (same hash) changes no row.
                try bind(j, to: upsert)
                db.lastInsertRowID = 0
                try upsert.step()
                if db.changes == 0 {
                    same += 1
                } else if db.lastInsertRowID != 0 {
                    ins += 1
                } else {
                    upd += 1
                }
            }

            // Pass 2: the rows; in a first load `insertManyRows` rows per statement (one statement run
            // instead of many).
            var j = 0
            if firstLoad {
                let m = IngestSession.insertManyRows
                while j + m <= range.count {
                    for r in 0..<m { try bind(j + r, to: insertMany, offset: Int32(r * IngestSession.columnCount)) }
                    try insertMany.step()
                    ins += m
                    j += m
                }
            }
            while j < range.count {
                try writeOne(j)
                j += 1
            }
        }
        for tile in newTiles {
            let b = Tile.box(tile)
            try insertTile.bind(1, tile)
            try insertTile.bind(2, b.minX)
            try insertTile.bind(3, b.maxX)
            try insertTile.bind(4, b.minY)
            try insertTile.bind(5, b.maxY)
            try insertTile.step()
        }
        self.knownTiles = knownTiles; self.knownUnitTiles = knownUnitTiles
        self.seenPrints = seenPrints; self.contentCopies = contentCopies
        return (ins, upd, same)
    }

    struct UnitTile: Hashable {
        let unit: Int, code: String, tile: Int64
    }

    private func clearMarker(_ key: String) throws { try IngestSession.clearMarker(key, marker, in: db) }

    /// Removes `meta[key]` if it is still `marker`.
    static func clearMarker(_ key: String, _ marker: String, in db: Database) throws {
        let m = try db.prepare("DELETE FROM meta WHERE key = ?1 AND value = ?2")
        try m.bind(1, key)
        try m.bind(2, marker)
        try m.step()
    }

    /// Values per row of the insert statements, and rows per multi-row INSERT.
    /// Columns written per incident, in parameter order (the key first).
    static let columns = ["incident_key", "content_hash", "time", "category", "lon", "lat", "x", "y", "tile", "localidad",
                          "upz", "upl", "municipio", "cuadrante", "source_id", "line", "record", "layer_set"]
    static var columnCount: Int { columns.count }
    static let insertManyRows = 64

    /// `(?1, …, ?18), (?19, …)` for `rows` rows.
    static func placeholders(rows: Int) -> String {
        (0..<rows).map { r in
            "(" + (1...columnCount).map { "?\(r * columnCount + $0)" }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
    }

    struct TilePrint: Hashable {
        let tile: Int64, print: UInt64
    }

    /// Final transaction: the source row gets its counts and SHA-256; the bulk path re-creates the
    /// secondary indexes.
    /// - Parameters: `rowsRead` data rows of the file (accepted + rejected), `rejected` rows rejected
    ///   by validation, `sha256` hex digest of the file's bytes (nil when unknown).
    public func finish(rowsRead: Int, rejected: Int, sha256: String?) throws -> IngestReport {
        precondition(!finished, "finish twice")
        defer { IncidentStore.BulkMarker.release(marker) }
        if failed { throw StoreError.invalidInput(reason: "this ingest of \(sourcePath) already failed; start a new one") }
        finished = true
        // Back to WAL (needs the store to itself: if a reader holds it, the next `open` does it).
        defer { if rollbackJournal { _ = try? db.scalarText("PRAGMA journal_mode=WAL") } }
        if bulk {
            // A small page cache makes SQLite's sorter spill sorted runs that helper threads sort in
            // parallel (faster than one big in-memory list sort); the runs go to temporary files, not
            // memory, so ten million rows sort in bounded memory.
            try db.execute("PRAGMA threads = 2")
            try db.execute("PRAGMA cache_size = -\(IngestSession.indexBuildCacheKiB)")
            try db.execute("PRAGMA temp_store = FILE")
        }
        defer {
            try? db.execute("PRAGMA cache_size = -\(Database.defaultCacheKiB)")
            try? db.execute("PRAGMA temp_store = MEMORY")
        }
        try db.transaction {
            if sourceID == 0 { try firstWrites(contentKeys: false) }
            if firstLoad {
                // A version 1 table keeps its UNIQUE constraint (never dropped): no second index then.
                if try !IncidentStore.hasUniqueKey(db) { try db.execute(Schema.keyIndex.sql) }
                try clearMarker("first_load")
            }
            if bulk {
                for index in Schema.indexes { try db.execute(index.sql) }
                try clearMarker("bulk_ingest")
            }
            let s = try db.prepare("""
                UPDATE sources SET rows_read = ?1, accepted = ?2, rejected = ?3, inserted = ?4, updated = ?5,
                                   unchanged = ?6, sha256 = ?7
                WHERE id = ?8
                """)
            for (k, v) in [rowsRead, accepted, rejected, inserted, updated, unchanged].enumerated() {
                try s.bind(Int32(k + 1), Int64(v))
            }
            try s.bind(7, sha256)
            try s.bind(8, sourceID)
            try s.step()
            try clearMarker("ingest")
        }
        claimReleased = true
        return IngestReport(rowsRead: rowsRead, accepted: accepted, rejected: rejected, inserted: inserted,
                            updated: updated, unchanged: unchanged, batches: batches, sourceID: sourceID)
    }

    deinit {
        // Dropped without finishing (or its final transaction failed): give the store back. If this
        // fails, the claim goes stale with this session (`BulkMarker.isLive`).
        if !claimReleased { try? clearMarker("ingest") }
        IncidentStore.BulkMarker.release(marker)
    }

    /// Page cache while rows are written.
    static let writeCacheKiB = 16_384
    /// Page cache while the bulk path re-creates the secondary indexes.
    static let indexBuildCacheKiB = 16_384

    /// The batch being encoded ahead, shared with the encoding thread. Safe to send: from `encodeAhead` until
    /// `pending.wait()` only the encoding thread touches `spare.batch`, and the ingest thread touches a box only
    /// outside that window (the group's wait orders the two); `ready` never leaves the ingest thread.
    final class BatchBox: @unchecked Sendable {
        var batch = RecordEncoder.Batch()
    }
}
