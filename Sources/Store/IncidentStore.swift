import Foundation
import Incidents
import Primitives
import SQLite
import Synchronization

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

    /// Opens the store at `path`, creating it (schema v3, WAL) when missing and migrating a version 1 or 2 store.
    ///
    /// An existing file is checked with `PRAGMA quick_check` (when `verify`). An index that
    /// is missing (a bulk ingest was killed before its final transaction) is re-created, unless a live
    /// bulk ingest is still running (it re-creates them itself) or another writer holds the lock.
    /// - Parameter busyTimeout: seconds to wait for another writer's lock before failing with `.locked`.
    /// - Throws: `SQLiteError.corrupt` (not an SQLite file, or damaged), `StoreError.newerSchema`, `SQLiteError.locked`, `.sqlite`.
    public static func open(path: String, busyTimeout: TimeInterval = 5, verify: Bool = true) throws -> IncidentStore {
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        let existed = (size ?? 0) > 0
        let db = try Database(path: path, busyTimeout: busyTimeout)
        let version = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
        if version > Schema.version {
            throw StoreError.newerSchema(path: path, found: version, supported: Schema.version)
        }
        try db.configure()
        if version == 0 {
            try db.useWAL()
        } else if let marker = try? db.scalarText("SELECT value FROM meta WHERE key = 'bulk_ingest'"), BulkMarker.isLive(marker) {
            // A first load runs in rollback-journal mode (`IngestSession`): read alongside it, as it is.
        } else {
            try db.useWAL()  // back from the rollback-journal mode of a first load that was killed
        }
        if existed && verify {
            let check = try db.column("PRAGMA quick_check")
            if check != ["ok"] { throw SQLiteError.corrupt(path: path) }
        }
        if version == 0 {
            try db.transaction {
                // Re-read inside the write lock: another process may have created it meanwhile.
                guard try db.scalarInt("PRAGMA user_version") ?? 0 == 0 else { return }
                try db.execute(Schema.create)
                for index in Schema.indexes { try db.execute(index.sql) }
                let meta = try db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
                for (k, v) in [("crs", WorkingCRS.default), ("created_by", "atalaya \(AtalayaVersion.current)"),
                               ("schema_version", String(Schema.version))] {
                    try meta.bind(1, k); try meta.bind(2, v); try meta.step()
                }
                try db.execute("PRAGMA user_version = \(Schema.version)")
            }
        } else if version < Schema.version {
            try db.execute("PRAGMA threads = 2")
            try db.transaction {
                // Re-read inside the write lock: another process may have migrated it meanwhile.
                let current = try db.scalarInt("PRAGMA user_version") ?? 0
                if current == 1 {
                    try db.execute(Schema.migrateFrom1)
                    for index in Schema.indexes { try db.execute(index.sql) }
                }
                if current == 1 || current == 2 { try db.execute(Schema.migrateFrom2) }
            }
        } else {
            do {
                try repairIndexes(db)
            } catch SQLiteError.locked {
                // Another writer is busy: the store is usable without them (queries stay correct).
            }
        }
        // Readers do not need the triggers; a writer installs them in `beginIngest` if they are still missing.
        do { try installTileTriggers(db) } catch SQLiteError.locked {}
        return IncidentStore(path: path, db: db)
    }

    /// Names of the indexes of `incidents` that are missing: the key index (unless a version 1 UNIQUE
    /// constraint stands in for it) and the secondary ones.
    static func missingIndexes(_ db: Database) throws -> [String] {
        let present = Set(try db.column("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents'"))
        return (try hasUniqueKey(db) ? [] : [Schema.keyIndex.name]) + Schema.indexes.map(\.name).filter { !present.contains($0) }
    }

    /// `incident_key` has a unique index (`Schema.keyIndex`, or a version 1 table's UNIQUE constraint).
    static func hasUniqueKey(_ db: Database) throws -> Bool {
        try db.scalarInt("SELECT count(*) FROM pragma_index_list('incidents') WHERE \"unique\" = 1") ?? 0 > 0
    }

    /// Re-creates missing indexes and drops the obsolete ones (see `open`), unless a bulk ingest or
    /// first load is still running (it re-creates them itself).
    static func repairIndexes(_ db: Database) throws {
        guard try !missingIndexes(db).isEmpty else { return }
        for key in ["bulk_ingest", "first_load"] {
            if let marker = try db.scalarText("SELECT value FROM meta WHERE key = '\(key)'"), BulkMarker.isLive(marker) { return }
        }
        try db.execute("PRAGMA threads = 2")
        try db.transaction {
            guard try !missingIndexes(db).isEmpty else { return }
            if try !hasUniqueKey(db) { try db.execute(Schema.keyIndex.sql) }
            for index in Schema.indexes { try db.execute(index.sql) }
            for name in Schema.obsoleteIndexes { try db.execute("DROP INDEX IF EXISTS \(name)") }
            try db.execute("DELETE FROM meta WHERE key IN ('bulk_ingest', 'first_load')")
        }
    }

    /// Replaces the R*Tree triggers of earlier builds (which failed with SQLite error 518 on moved rows)
    /// by `Schema.tileTriggers`, unless they are all there already.
    static func installTileTriggers(_ db: Database) throws {
        let names = Schema.tileTriggerNames.map { "'\($0)'" }.joined(separator: ", ")
        let sql = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (\(names))"
        guard try db.scalarInt(sql) != Int64(Schema.tileTriggerNames.count) else { return }
        try db.transaction {
            guard try db.scalarInt(sql) != Int64(Schema.tileTriggerNames.count) else { return }
            try db.execute(Schema.tileTriggers)
        }
    }

    /// The owner of a first load still running in another connection, if any.
    static func liveFirstLoad(_ db: Database) throws -> String? {
        guard let marker = try db.scalarText("SELECT value FROM meta WHERE key = 'first_load'"), BulkMarker.isLive(marker) else {
            return nil
        }
        return marker
    }

    /// `meta.ingest` / `meta.bulk_ingest` / `meta.first_load`: "pid@host#n", the ingest session that has
    /// the store / runs a bulk ingest / a first load (n numbers the sessions of one process).
    enum BulkMarker {
        /// This process's live markers and how many it has issued.
        private static let state = Mutex<(live: Set<String>, issued: Int)>(([], 0))

        /// A new marker for a session of this process, live until `release`.
        static func make() -> String {
            state.withLock { s in
                s.issued += 1
                let marker = "\(getpid())@\(ProcessInfo.processInfo.hostName)#\(s.issued)"
                s.live.insert(marker)
                return marker
            }
        }

        /// The session has finished, or was dropped without finishing (its markers are then stale).
        static func release(_ marker: String) {
            _ = state.withLock { $0.live.remove(marker) }
        }

        /// The marker's session is still running: in this process, one not yet released; elsewhere, a
        /// process still alive (WAL stores are only shared on one host: a marker from another host is
        /// stale).
        static func isLive(_ marker: String) -> Bool {
            guard let at = marker.firstIndex(of: "@"), let pid = Int32(marker[..<at]) else { return false }
            let rest = marker[marker.index(after: at)...]
            let host = rest.firstIndex(of: "#").map { rest[..<$0] } ?? rest
            guard String(host) == ProcessInfo.processInfo.hostName else { return false }
            if pid == getpid() {
                return !rest.contains("#") || state.withLock { $0.live.contains(marker) }
            }
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

    /// Stores the accepted rows of `read`, idempotently: `beginIngest`, one `add`, `finish` (see
    /// `IngestSession` for keys, batches and the bulk path).
    ///
    /// - Parameters:
    ///   - x, y: working-CRS (EPSG:9377) coordinates of the accepted rows.
    ///   - units: assignment layer name (`localidades`, `upz`, `upl`, `municipios_region`,
    ///     `policia_cuadrantes`, or the store column name) → code per accepted row (nil: none).
    ///     Unknown names are ignored; missing layers are stored as NULL.
    ///   - sourcePath: the file that was read; its bytes are hashed into `sources.sha256`.
    ///   - batchSize: rows per transaction.
    ///   - layerSet: the layer files behind `units` (see `beginIngest`).
    ///   - progress: called after each committed batch with the number of accepted rows done so far.
    /// - Complexity: O(n log n) (B-tree inserts, index sorts).
    public func ingest(read: ReadResult, x: [Double], y: [Double], units: [String: [String?]] = [:],
                       sourcePath: String, batchSize: Int = IncidentStore.defaultBatchSize,
                       layerSet: [LayerFile]? = nil, progress: ((Int) -> Void)? = nil) throws -> IngestReport {
        let session = try beginIngest(sourcePath: sourcePath, expectedRows: read.table.count, batchSize: batchSize,
                                      layerSet: layerSet)
        try session.add(read, x: x, y: y, units: units) { progress?($0) }
        return try session.finish(rowsRead: read.table.dataRows, rejected: read.rejects.count,
                                  sha256: IncidentStore.fileSHA256(sourcePath))
    }

    /// Starts ingesting one source file whose rows will come in one or more `add` calls (a streamed
    /// file). `expectedRows` (an estimate is fine) decides the bulk path. Nothing is written until
    /// the first batch.
    ///
    /// One ingest at a time per store: the session claims `meta.ingest` and counts the stored rows in
    /// one write transaction, so the claim and the first-load decision are one atomic step. Another
    /// session holding a live claim (or a live first load of an earlier build) refuses this one with
    /// `StoreError.ingestRunning` before anything is written; a claim whose process is gone is taken
    /// over. The claim is released by `finish`, or when the session is dropped.
    /// - Throws: `.ingestRunning`, `.locked` (another connection held the write lock past the busy
    ///   timeout; nothing written either), `.sqlite`.
    /// - Parameter layerSet: the layer files that assigned the rows' units (`IncidentStore.layerSet(of:)`),
    ///   recorded in `layer_sets` and each written row's `layer_set`; nil: none recorded.
    public func beginIngest(sourcePath: String, expectedRows: Int,
                            batchSize: Int = IncidentStore.defaultBatchSize,
                            layerSet: [LayerFile]? = nil) throws -> IngestSession {
        let marker = BulkMarker.make()
        let existing = try claim(marker)
        do {
            // What an ingest that stopped without finishing (in this process, too) left: missing indexes,
            // the rollback-journal mode of a first load.
            do { try IncidentStore.repairIndexes(db) } catch SQLiteError.locked {}
            try IncidentStore.installTileTriggers(db)
            try db.useWAL()
            let bulk = expectedRows >= IncidentStore.bulkMinimumRows && existing <= expectedRows / 2
            return try IngestSession(db: db, sourcePath: sourcePath, marker: marker, layerSet: layerSet, bulk: bulk,
                                     batchSize: max(1, batchSize), emptyStore: existing == 0)
        } catch {
            try? IngestSession.clearMarker("ingest", marker, in: db)
            BulkMarker.release(marker)
            throw error
        }
    }

    /// Claims the store for one writing session (`meta.ingest` = `marker`) and counts its rows, in one
    /// write transaction (see `beginIngest`). On failure `marker` is released.
    /// - Throws: `.ingestRunning` (another live claim, nothing written), `.locked`, `.sqlite`.
    func claim(_ marker: String) throws -> Int {
        do {
            return try db.transaction {
                for key in ["ingest", "first_load"] {
                    if let owner = try db.scalarText("SELECT value FROM meta WHERE key = '\(key)'"), BulkMarker.isLive(owner) {
                        throw StoreError.ingestRunning(path: path, owner: owner)
                    }
                }
                try IngestSession.setMarker("ingest", marker, in: db)
                return Int(try db.scalarInt("SELECT count(*) FROM incidents") ?? 0)
            }
        } catch {
            BulkMarker.release(marker)
            throw error
        }
    }

    /// Call first thing in a process that uses PROJ before opening a store (see `Database.prepareProcess`).
    public static func prepareProcess() { Database.prepareProcess() }

    /// Assignment layer names whose codes the store keeps (localidad, UPZ, UPL, municipio, cuadrante).
    public static var unitLayerNames: Set<String> { Set(Schema.unitColumns.flatMap(\.layers)) }

    /// Store columns of the unit codes, in order (`localidad`, `upz`, `upl`, `municipio`, `cuadrante`).
    public static var unitColumnNames: [String] { Schema.unitColumns.map(\.column) }

    /// Rows per transaction of `ingest` unless told otherwise.
    public static let defaultBatchSize = 50_000
    /// Smallest ingest that takes the bulk path (secondary indexes re-created at the end).
    public static let bulkMinimumRows = 20_000

    /// SHA-256 (hex) of a file's bytes, streamed in 1 MiB reads; nil when it cannot be read.
    public static func fileSHA256(_ path: String) -> String? {
        guard let fh = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? fh.close() }
        let hasher = SourceHasher()
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
        func placeholders(_ n: Int) -> String { Array(repeating: "?", count: n).joined(separator: ", ") }
        if !q.categories.isEmpty {
            clauses.append("category IN (\(placeholders(q.categories.count)))")
            values.append(contentsOf: q.categories.map(Value.text))
        }
        for (column, list) in [("localidad", q.localidades), ("upz", q.upz), ("upl", q.upl), ("cuadrante", q.cuadrantes)]
        where !list.isEmpty {
            // The unit's tiles (`unit_tiles`) → the (tile, time) index → the exact code test.
            clauses.append("tile IN (SELECT tile FROM unit_tiles WHERE unit = ? AND code IN (\(placeholders(list.count))))")
            values.append(.text(column))
            values.append(contentsOf: list.map(Value.text))
            clauses.append("\(column) IN (\(placeholders(list.count)))")
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
