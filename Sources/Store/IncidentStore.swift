import CSQLite
import Foundation
import Incidents
import SpatialCore

/// The embedded incident store: one SQLite file (WAL) holding validated incidents with their
/// working-CRS coordinates and unit codes, for repeated time/category/unit/box queries.
///
/// One `IncidentStore` is one connection: use it from one thread at a time; open another store on
/// the same path for another thread or process (readers never wait for the writer in WAL mode).
public final class IncidentStore {
    /// Highest schema version this build reads and writes.
    public static let supportedSchemaVersion = Schema.version

    public let path: String
    let db: Database

    private init(path: String, db: Database) {
        self.path = path; self.db = db
    }

    /// Opens the store at `path`, creating it (schema v1, WAL) when missing.
    ///
    /// An existing file is checked with `PRAGMA quick_check` (when `verify`). A secondary index that
    /// is missing (a bulk ingest was killed before its final transaction) is re-created, unless a live
    /// bulk ingest is still running (it re-creates them itself) or another writer holds the lock.
    /// - Parameter busyTimeout: seconds to wait for another writer's lock before failing with `.locked`.
    /// - Throws: `StoreError.corrupt` (not an SQLite file, or damaged), `.newerSchema`, `.locked`, `.sqlite`.
    public static func open(path: String, busyTimeout: TimeInterval = 5, verify: Bool = true) throws -> IncidentStore {
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        let existed = (size ?? 0) > 0
        let db = try Database(path: path, busyTimeout: busyTimeout)
        let version = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
        if version > Schema.version {
            throw StoreError.newerSchema(path: path, found: version, supported: Schema.version)
        }
        try db.configure()
        if existed && verify {
            let check = try db.column("PRAGMA quick_check")
            if check != ["ok"] { throw StoreError.corrupt(path: path) }
        }
        if version < Schema.version {
            try db.transaction {
                // Re-read inside the write lock: another process may have created it meanwhile.
                let v = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
                guard v < Schema.version else { return }
                try db.execute(Schema.create)
                for index in Schema.indexes { try db.execute(index.sql) }
                let meta = try db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
                for (k, v) in [("crs", WorkingCRS.default), ("created_by", "atalaya \(AtalayaVersion.current)"),
                               ("schema_version", String(Schema.version))] {
                    try meta.bind(1, k); try meta.bind(2, v); try meta.step()
                }
                try db.execute("PRAGMA user_version = \(Schema.version)")
            }
        } else {
            do {
                try repairIndexes(db)
            } catch StoreError.locked {
                // Another writer is busy: the store is usable without them (queries stay correct).
            }
        }
        return IncidentStore(path: path, db: db)
    }

    /// Names of the secondary indexes of `incidents` that are missing.
    static func missingIndexes(_ db: Database) throws -> [String] {
        let present = Set(try db.column("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents'"))
        return Schema.indexes.map(\.name).filter { !present.contains($0) }
    }

    /// Re-creates missing secondary indexes (see `open`).
    static func repairIndexes(_ db: Database) throws {
        guard try !missingIndexes(db).isEmpty else { return }
        if let marker = try db.scalarText("SELECT value FROM meta WHERE key = 'bulk_ingest'"), BulkMarker.isLive(marker) {
            return
        }
        try db.execute("PRAGMA threads = 2")
        try db.transaction {
            guard try !missingIndexes(db).isEmpty else { return }
            for index in Schema.indexes { try db.execute(index.sql) }
            try db.execute("DELETE FROM meta WHERE key = 'bulk_ingest'")
        }
    }

    /// `meta.bulk_ingest`: "pid@host" of the process running a bulk ingest.
    enum BulkMarker {
        static var current: String { "\(getpid())@\(ProcessInfo.processInfo.hostName)" }

        /// The marker's process is still running (WAL stores are only shared on one host: a marker from
        /// another host is stale).
        static func isLive(_ marker: String) -> Bool {
            guard let at = marker.firstIndex(of: "@"), let pid = Int32(marker[..<at]) else { return false }
            guard String(marker[marker.index(after: at)...]) == ProcessInfo.processInfo.hostName else { return false }
            if pid == getpid() { return true }
            return kill(pid, 0) == 0 || errno == EPERM
        }
    }

    /// `meta` as a dictionary (`crs`, `created_by`, `schema_version`).
    public func meta() throws -> [String: String] {
        let s = try db.prepare("SELECT key, value FROM meta")
        var out: [String: String] = [:]
        while try s.step() { out[s.text(0) ?? ""] = s.text(1) }
        return out
    }

    /// `PRAGMA integrity_check`: `["ok"]` for a sound file, otherwise SQLite's findings.
    public func integrityCheck() throws -> [String] {
        try db.column("PRAGMA integrity_check")
    }

    /// Writes the WAL back into the main file (readers may keep it from finishing; that is fine).
    public func checkpoint() throws {
        try db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    }

    // MARK: ingest

    /// Stores the accepted rows of `read`, idempotently.
    ///
    /// A row whose key is new is inserted; a known key with the same content hash is left alone
    /// (`unchanged`); a known key with a different hash is overwritten (`updated`). See
    /// `RecordEncoder` for the key and hash. Each batch of `batchSize` rows is one transaction, so an
    /// interrupted ingest leaves whole batches only, and running it again completes it.
    ///
    /// **Bulk path**: when at least `bulkMinimumRows` rows go into a store holding at most half as
    /// many, the secondary indexes (time, category, units, tile) are dropped in the first batch's
    /// transaction and re-created (sorted, in bulk) in the final transaction. `UNIQUE(incident_key)`
    /// stays in force throughout. If the ingest is interrupted, the next `open` re-creates them.
    ///
    /// - Parameters:
    ///   - x, y: working-CRS (EPSG:9377) coordinates of the accepted rows.
    ///   - units: assignment layer name (`localidades`, `upz`, `upl`, `municipios_region`,
    ///     `policia_cuadrantes`, or the store column name) → code per accepted row (nil: none).
    ///     Unknown names are ignored; missing layers are stored as NULL.
    ///   - sourcePath: the file that was read; its bytes are hashed into `sources.sha256`.
    ///   - batchSize: rows per transaction.
    ///   - progress: called after each committed batch with the number of accepted rows done so far.
    /// - Complexity: O(n log n) (B-tree inserts, index sorts).
    public func ingest(read: ReadResult, x: [Double], y: [Double], units: [String: [String?]] = [:],
                       sourcePath: String, batchSize: Int = IncidentStore.defaultBatchSize,
                       progress: ((Int) -> Void)? = nil) throws -> IngestReport {
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
        let batchSize = max(1, batchSize)
        let fileHash = IncidentStore.fileSHA256(sourcePath)
        let ingestedAt = ISO8601DateFormatter().string(from: Date())

        let existing = Int(try db.scalarInt("SELECT count(*) FROM incidents") ?? 0)
        let bulk = n >= IncidentStore.bulkMinimumRows && existing <= n / 2
        let marker = BulkMarker.current

        let insertSource = try db.prepare("INSERT INTO sources(path, sha256, ingested_at) VALUES (?1, ?2, ?3)")
        let columns = "incident_key, content_hash, time, category, lon, lat, x, y, tile, localidad, upz, upl, municipio, cuadrante, source_id, line"
        let updates = columns.split(separator: ",").dropFirst().map { c in
            let c = c.trimmingCharacters(in: .whitespaces)
            return "\(c) = excluded.\(c)"
        }.joined(separator: ", ")
        let upsert = try db.prepare("""
            INSERT INTO incidents(\(columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
            ON CONFLICT(incident_key) DO UPDATE SET \(updates)
            WHERE incidents.content_hash IS NOT excluded.content_hash
            """)
        let putRecord = try db.prepare("INSERT OR REPLACE INTO incident_records(rowid, record) VALUES (?1, ?2)")
        let findKey = try db.prepare("SELECT rowid FROM incidents WHERE incident_key = ?1")
        let insertTile = try db.prepare("INSERT OR IGNORE INTO incidents_rtree(id, minx, maxx, miny, maxy) VALUES (?1, ?2, ?3, ?4, ?5)")
        // Tiles whose R*Tree entry is known to be committed (or written in the current batch).
        var knownTiles = Set<Int64>()

        var sourceID: Int64 = 0
        func firstWrites() throws {
            try insertSource.bind(1, sourcePath)
            try insertSource.bind(2, fileHash)
            try insertSource.bind(3, ingestedAt)
            try insertSource.step()
            sourceID = db.lastInsertRowID
            if bulk {
                for index in Schema.indexes { try db.execute("DROP INDEX IF EXISTS \(index.name)") }
                let m = try db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('bulk_ingest', ?1)")
                try m.bind(1, marker)
                try m.step()
            }
        }

        // Encoding (hash, key, JSON record) of batch k+1 runs on another thread while batch k is written.
        let encoder = RecordEncoder(table: t)
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
        var inserted = 0, updated = 0, unchanged = 0, batches = 0
        var start = 0
        let u = upsert.handle, tileStmt = insertTile.handle, rec = putRecord.handle
        @inline(__always) func ok(_ rc: Int32, _ s: Statement) throws {
            if rc != SQLITE_OK { throw db.error(rc, sql: s.sql) }
        }
        while start < n {
            let range = start..<min(n, start + batchSize)
            if let p = pending { p.wait(); pending = nil; swap(&ready.batch, &spare.batch) }
            if range.upperBound < n { encodeAhead(range.upperBound..<min(n, range.upperBound + batchSize)) }
            let batch = ready.batch
            let tilesBefore = knownTiles
            let counts: (Int, Int, Int)
            do {
                counts = try db.transaction { () -> (Int, Int, Int) in
                    if sourceID == 0 { try firstWrites() }
                    var ins = 0, upd = 0, same = 0
                    try batch.bytes.withUnsafeBufferPointer { bytes in
                        let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                            .assumingMemoryBound(to: CChar.self)
                        @inline(__always) func text(_ k: Int32, _ r: Range<Int>) throws {
                            try ok(csqlite_bind_text_transient(u, k, base + r.lowerBound, Int32(r.count)), upsert)
                        }
                        @inline(__always) func record(_ rowid: Int64, _ r: Range<Int>) throws {
                            try ok(sqlite3_bind_int64(rec, 1, rowid), putRecord)
                            try ok(csqlite_bind_text_transient(rec, 2, base + r.lowerBound, Int32(r.count)), putRecord)
                            try putRecord.step()
                        }
                        for (j, i) in range.enumerated() {
                            try text(1, batch.key[j])
                            let h = batch.hash[j]
                            try ok(csqlite_bind_blob_transient(u, 2, base + h.lowerBound, Int32(h.count)), upsert)
                            let time = t.time[i]
                            try ok(time == Int64.min ? sqlite3_bind_null(u, 3) : sqlite3_bind_int64(u, 3, time), upsert)
                            if let c = batch.category[j] { try text(4, c) } else { try ok(sqlite3_bind_null(u, 4), upsert) }
                            try ok(sqlite3_bind_double(u, 5, t.lon[i]), upsert)
                            try ok(sqlite3_bind_double(u, 6, t.lat[i]), upsert)
                            let xi = x[i], yi = y[i]
                            try ok(xi.isFinite ? sqlite3_bind_double(u, 7, xi) : sqlite3_bind_null(u, 7), upsert)
                            try ok(yi.isFinite ? sqlite3_bind_double(u, 8, yi) : sqlite3_bind_null(u, 8), upsert)
                            if let tile = Tile.key(x: xi, y: yi) {
                                try ok(sqlite3_bind_int64(u, 9, tile), upsert)
                                if knownTiles.insert(tile).inserted {
                                    let b = Tile.box(tile)
                                    sqlite3_bind_int64(tileStmt, 1, tile)
                                    sqlite3_bind_double(tileStmt, 2, b.minX)
                                    sqlite3_bind_double(tileStmt, 3, b.maxX)
                                    sqlite3_bind_double(tileStmt, 4, b.minY)
                                    sqlite3_bind_double(tileStmt, 5, b.maxY)
                                    try insertTile.step()
                                }
                            } else {
                                try ok(sqlite3_bind_null(u, 9), upsert)
                            }
                            for (k, codes) in unitArrays.enumerated() {
                                try upsert.bind(Int32(10 + k), codes?[i])
                            }
                            try ok(sqlite3_bind_int64(u, 15, sourceID), upsert)
                            try ok(sqlite3_bind_int64(u, 16, Int64(t.lines[i])), upsert)
                            // An insert sets last_insert_rowid (rowids here are ≥ 1); DO UPDATE leaves it at 0;
                            // a skipped update (same hash) changes no row.
                            sqlite3_set_last_insert_rowid(db.handle, 0)
                            try upsert.step()
                            if sqlite3_changes(db.handle) == 0 { same += 1; continue }
                            let rowid = sqlite3_last_insert_rowid(db.handle)
                            if rowid != 0 {
                                ins += 1
                                try record(rowid, batch.record[j])
                            } else {
                                upd += 1
                                let k = batch.key[j]
                                try ok(csqlite_bind_text_transient(findKey.handle, 1, base + k.lowerBound, Int32(k.count)), findKey)
                                guard try findKey.step() else { throw db.error(SQLITE_CORRUPT, sql: findKey.sql) }
                                let id = findKey.int64(0)
                                findKey.reset()
                                try record(id, batch.record[j])
                            }
                        }
                    }
                    return (ins, upd, same)
                }
            } catch {
                knownTiles = tilesBefore  // rolled back with the batch
                throw error
            }
            inserted += counts.0; updated += counts.1; unchanged += counts.2
            batches += 1
            start = range.upperBound
            progress?(start)
        }

        // Final transaction: the source row (created with the first batch) gets its counts; a bulk
        // ingest re-creates the secondary indexes.
        if bulk { try db.execute("PRAGMA threads = 2") }
        try db.transaction {
            if sourceID == 0 { try firstWrites() }
            if bulk {
                for index in Schema.indexes { try db.execute(index.sql) }
                let m = try db.prepare("DELETE FROM meta WHERE key = 'bulk_ingest' AND value = ?1")
                try m.bind(1, marker)
                try m.step()
            }
            let s = try db.prepare("""
                UPDATE sources SET rows_read = ?1, accepted = ?2, rejected = ?3, inserted = ?4, updated = ?5, unchanged = ?6
                WHERE id = ?7
                """)
            for (k, v) in [t.dataRows, n, read.rejects.count, inserted, updated, unchanged].enumerated() {
                try s.bind(Int32(k + 1), Int64(v))
            }
            try s.bind(7, sourceID)
            try s.step()
        }
        return IngestReport(rowsRead: t.dataRows, accepted: n, rejected: read.rejects.count, inserted: inserted,
                            updated: updated, unchanged: unchanged, batches: batches, sourceID: sourceID)
    }

    /// The batch being encoded ahead, shared with the encoding thread (which alone touches it until
    /// its group is waited for).
    final class BatchBox: @unchecked Sendable {
        var batch = RecordEncoder.Batch()
    }

    /// Rows per transaction of `ingest` unless told otherwise.
    public static let defaultBatchSize = 50_000
    /// Smallest ingest that takes the bulk path (secondary indexes re-created at the end).
    public static let bulkMinimumRows = 20_000

    /// SHA-256 (hex) of a file's bytes, streamed in 1 MiB reads; nil when it cannot be read.
    static func fileSHA256(_ path: String) -> String? {
        guard let fh = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? fh.close() }
        let hasher = SHA256Hasher()
        while true {
            let chunk: Data?
            do { chunk = try fh.read(upToCount: 1 << 20) } catch { return nil }
            guard let chunk, !chunk.isEmpty else { break }  // nil or empty at end of file
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }

    // MARK: queries

    /// Matching incidents, in storage order.
    /// - Complexity: uses the time/category/unit indexes or the R*Tree, as SQLite's planner chooses.
    public func query(_ q: IncidentQuery) throws -> QueryResult {
        let (whereClause, values) = IncidentStore.filter(q)
        let s = try db.prepare("SELECT x, y, time, category, incident_key FROM incidents\(whereClause) ORDER BY rowid")
        try IncidentStore.bind(values, to: s)
        var r = QueryResult()
        while try s.step() {
            r.x.append(s.isNull(0) ? .nan : s.double(0))
            r.y.append(s.isNull(1) ? .nan : s.double(1))
            r.time.append(s.isNull(2) ? Int64.min : s.int64(2))
            r.category.append(s.text(3))
            r.key.append(s.text(4) ?? "")
        }
        return r
    }

    /// Number of matching incidents.
    public func count(_ q: IncidentQuery = IncidentQuery()) throws -> Int {
        let (whereClause, values) = IncidentStore.filter(q)
        let s = try db.prepare("SELECT count(*) FROM incidents\(whereClause)")
        try IncidentStore.bind(values, to: s)
        guard try s.step() else { return 0 }
        let c = Int(s.int64(0))
        s.reset()
        return c
    }

    /// Every ingested file, oldest first.
    public func sources() throws -> [SourceRecord] {
        let s = try db.prepare("""
            SELECT id, path, sha256, ingested_at, rows_read, accepted, rejected, inserted, updated, unchanged
            FROM sources ORDER BY id
            """)
        var out: [SourceRecord] = []
        while try s.step() {
            func int(_ c: Int32) -> Int? { s.isNull(c) ? nil : Int(s.int64(c)) }
            out.append(SourceRecord(id: s.int64(0), path: s.text(1) ?? "", sha256: s.text(2), ingestedAt: s.text(3) ?? "",
                                    rowsRead: int(4), accepted: int(5), rejected: int(6), inserted: int(7),
                                    updated: int(8), unchanged: int(9)))
        }
        return out
    }

    enum Value {
        case int(Int64), double(Double), text(String)
    }

    /// ` WHERE …` with `?` placeholders only, and the values to bind in order.
    static func filter(_ q: IncidentQuery) -> (String, [Value]) {
        var clauses: [String] = []
        var values: [Value] = []
        if let from = q.from { clauses.append("time >= ?"); values.append(.int(from)) }
        if let to = q.to { clauses.append("time < ?"); values.append(.int(to)) }
        for (column, list) in [("category", q.categories), ("localidad", q.localidades), ("upz", q.upz),
                               ("upl", q.upl), ("cuadrante", q.cuadrantes)] where !list.isEmpty {
            clauses.append("\(column) IN (\(Array(repeating: "?", count: list.count).joined(separator: ", ")))")
            values.append(contentsOf: list.map(Value.text))
        }
        if let b = q.bbox {
            // R*Tree → occupied tiles (boxes widened by `Tile.margin`) → `incidents.tile` → exact test.
            clauses.append("tile IN (SELECT id FROM incidents_rtree WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)")
            values.append(contentsOf: [.double(b.maxX), .double(b.minX), .double(b.maxY), .double(b.minY)])
            clauses.append("x BETWEEN ? AND ? AND y BETWEEN ? AND ?")
            values.append(contentsOf: [.double(b.minX), .double(b.maxX), .double(b.minY), .double(b.maxY)])
        }
        return (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "), values)
    }

    static func bind(_ values: [Value], to s: Statement) throws {
        for (k, v) in values.enumerated() {
            let i = Int32(k + 1)
            switch v {
            case let .int(x): try s.bind(i, x)
            case let .double(x): try s.bind(i, x)
            case let .text(x): try s.bind(i, x)
            }
        }
    }
}
