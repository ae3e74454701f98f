import CSQLite
import Foundation

/// One SQLite connection. Not shared between threads (opened with SQLITE_OPEN_NOMUTEX): one per thread.
///
/// Failure conventions of the C calls used here: every `sqlite3_*` returning `int` returns
/// `SQLITE_OK` (or `SQLITE_ROW`/`SQLITE_DONE` for `step`) on success and an error code otherwise,
/// with the message in `sqlite3_errmsg` of the connection. `sqlite3_open_v2` hands back a handle even
/// when it fails; it must still be closed.
public final class Database {
    public struct OpenFlags: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let readOnly = OpenFlags(rawValue: SQLITE_OPEN_READONLY)
        public static let readWrite = OpenFlags(rawValue: SQLITE_OPEN_READWRITE)
        public static let create = OpenFlags(rawValue: SQLITE_OPEN_CREATE)
        public static let noMutex = OpenFlags(rawValue: SQLITE_OPEN_NOMUTEX)
    }

    public let path: String
    /// Never leaves the module (the Store's hot paths use the `@inlinable` binders below).
    @usableFromInline let handle: OpaquePointer
    private let busyTimeoutMs: Int32

    /// Opens the connection and sets the busy timeout. No pragma is run here (see `configure`).
    public init(path: String, flags: OpenFlags = [.readWrite, .create, .noMutex], busyTimeout: TimeInterval = 5) throws {
        self.path = path
        Database.prepareProcess()
        var h: OpaquePointer?
        let rc = sqlite3_open_v2(path, &h, flags.rawValue, nil)
        guard rc == SQLITE_OK, let h else {
            let message = h.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(h)
            throw Database.map(code: rc, message: message, sql: nil, path: path)
        }
        handle = h
        sqlite3_extended_result_codes(h, 1)
        busyTimeoutMs = Int32(clamping: Int((busyTimeout * 1000).rounded()))
        sqlite3_busy_timeout(h, busyTimeoutMs)
    }

    /// Process-wide settings that must precede SQLite's initialisation (the first connection in the
    /// process, Atalaya's or PROJ's): no memory statistics, which cost a global mutex on every
    /// allocation (Atalaya never reads them). Later calls do nothing.
    public static func prepareProcess() { _ = libraryConfigured }
    private static let libraryConfigured: Bool = csqlite_disable_memstatus() == SQLITE_OK

    deinit {
        // close_v2: if a statement were still alive the connection becomes a zombie and is closed
        // when the last statement is finalized (statements keep the Database alive, so none is).
        sqlite3_close_v2(handle)
    }

    /// Page cache of a connection (KiB).
    public static let defaultCacheKiB = 262_144

    /// synchronous=NORMAL (with WAL: durable at checkpoints, never corrupt), foreign keys on. The
    /// journal mode is the file's own (persistent); see `useWAL`.
    public func configure(cacheKiB: Int = Database.defaultCacheKiB) throws {
        try execute("PRAGMA synchronous=NORMAL")
        try execute("PRAGMA foreign_keys=ON")
        try execute("PRAGMA temp_store=MEMORY")
        try execute("PRAGMA cache_size=-\(cacheKiB)")
    }

    /// Puts the file in WAL mode if its lock is free right now (the switch needs the file to itself);
    /// otherwise leaves it as it is. Returns the mode in force.
    @discardableResult
    public func useWAL() throws -> String { try switchJournalMode(to: "wal") }

    /// Switches the journal mode (`wal`, `truncate`, …) if the file's lock is free right now, without
    /// waiting: while another connection has the store open the switch answers SQLITE_BUSY, and the
    /// mode stays as it is. Returns the mode in force (lower case).
    @discardableResult
    public func switchJournalMode(to wanted: String) throws -> String {
        let mode = try scalarText("PRAGMA journal_mode") ?? ""
        guard mode != wanted else { return mode }
        sqlite3_busy_timeout(handle, 0)
        defer { sqlite3_busy_timeout(handle, busyTimeoutMs) }
        do { return try scalarText("PRAGMA journal_mode=\(wanted)") ?? mode } catch SQLiteError.locked { return mode }
    }

    // MARK: errors

    /// Builds the error for `code`; SQLITE_BUSY → `.locked`, SQLITE_NOTADB/SQLITE_CORRUPT → `.corrupt`.
    public static func map(code: Int32, message: String, sql: String?, path: String) -> SQLiteError {
        switch csqlite_primary_code(code) {
        case SQLITE_BUSY: return .locked(path: path)
        case SQLITE_NOTADB, SQLITE_CORRUPT: return .corrupt(path: path)
        default: return .sqlite(path: path, code: code, message: message, sql: sql)
        }
    }

    @usableFromInline
    func error(_ code: Int32, sql: String?) -> SQLiteError {
        Database.map(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
    }

    @inline(__always)
    public func check(_ code: Int32, sql: String?) throws {
        if code != SQLITE_OK { throw error(code, sql: sql) }
    }

    // MARK: statements

    public func prepare(_ sql: String) throws -> Statement {
        var stmt: OpaquePointer?
        // Returns SQLITE_OK and NULL for an empty statement (only comments/whitespace).
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            sqlite3_finalize(stmt)
            throw error(rc == SQLITE_OK ? SQLITE_MISUSE : rc, sql: sql)
        }
        return Statement(database: self, handle: stmt, sql: sql)
    }

    /// Runs one or more statements without parameters (DDL, pragmas, BEGIN/COMMIT).
    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(err)
            throw Database.map(code: rc, message: message, sql: sql, path: path)
        }
    }

    public func scalarInt(_ sql: String) throws -> Int64? {
        let s = try prepare(sql)
        return try s.step() && !s.isNull(0) ? s.int64(0) : nil
    }

    public func scalarText(_ sql: String) throws -> String? {
        let s = try prepare(sql)
        return try s.step() ? s.text(0) : nil
    }

    /// Every row's first column as text (e.g. `PRAGMA integrity_check`).
    public func column(_ sql: String) throws -> [String] {
        let s = try prepare(sql)
        var out: [String] = []
        while try s.step() { out.append(s.text(0) ?? "") }
        return out
    }

    public var lastInsertRowID: Int64 {
        get { sqlite3_last_insert_rowid(handle) }
        set { sqlite3_set_last_insert_rowid(handle, newValue) }
    }
    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: transactions

    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED", immediate = "IMMEDIATE", exclusive = "EXCLUSIVE"
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Write paths use IMMEDIATE so that waiting for the write lock happens at BEGIN (busy timeout),
    /// never half-way through a batch.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try execute("BEGIN \(kind.rawValue)")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }
}

/// A prepared statement. Finalized in `deinit`; keeps its `Database` alive.
public final class Statement {
    @usableFromInline let database: Database
    @usableFromInline let handle: OpaquePointer
    public let sql: String

    init(database: Database, handle: OpaquePointer, sql: String) {
        self.database = database; self.handle = handle; self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: binding (1-based indexes; return SQLITE_OK or SQLITE_RANGE/TOOBIG/NOMEM)

    @inlinable @inline(__always)
    func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw database.error(rc, sql: sql) }
    }

    @inlinable public func bind(_ index: Int32, _ value: Int64) throws { try check(sqlite3_bind_int64(handle, index, value)) }
    @inlinable public func bind(_ index: Int32, _ value: Double) throws { try check(sqlite3_bind_double(handle, index, value)) }
    @inlinable public func bindNull(_ index: Int32) throws { try check(sqlite3_bind_null(handle, index)) }

    public func bind(_ index: Int32, _ value: String?) throws {
        guard var value else { return try bindNull(index) }
        try value.withUTF8 { try bindText(index, $0) }
    }

    /// Binds UTF-8 bytes (copied by SQLite before returning).
    @inlinable public func bindText(_ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) throws {
        let p = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
        try check(csqlite_bind_text_transient(handle, index, p, Int32(bytes.count)))
    }

    @inlinable public func bind(_ index: Int32, _ value: Int64?) throws {
        if let value { try bind(index, value) } else { try bindNull(index) }
    }

    @inlinable public func bind(_ index: Int32, _ value: Double?) throws {
        if let value { try bind(index, value) } else { try bindNull(index) }
    }

    public func clearBindings() { sqlite3_clear_bindings(handle) }

    // MARK: stepping

    /// true: a row is available; false: done (the statement is then reset for reuse).
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            sqlite3_reset(handle)
            return false
        default:
            // sqlite3_reset returns the same error; the message stays in the connection.
            let e = database.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw e
        }
    }

    /// Ready to run again (bindings are kept).
    public func reset() { sqlite3_reset(handle) }

    // MARK: columns (0-based)

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// nil for NULL.
    public func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, column) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    // MARK: binding in place (the ingest's hot path)

    /// Binds UTF-8 bytes read in place (SQLITE_STATIC): they must stay unchanged until the statement
    /// is stepped and the binding replaced or cleared.
    @inlinable public func bindTextInPlace(_ index: Int32, _ text: UnsafePointer<CChar>, count: Int) throws {
        try check(csqlite_bind_text_static(handle, index, text, Int32(count)))
    }

    /// Binds bytes as a BLOB read in place (SQLITE_STATIC), with the same lifetime rule.
    @inlinable public func bindBlobInPlace(_ index: Int32, _ bytes: UnsafeRawPointer, count: Int) throws {
        try check(csqlite_bind_blob_static(handle, index, bytes, Int32(count)))
    }

    /// Binds a BLOB (copied by SQLite before returning).
    public func bind(_ index: Int32, blob bytes: [UInt8]) throws {
        try check(bytes.withUnsafeBytes { buf in
            csqlite_bind_blob_transient(handle, index, buf.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32(buf.count))
        })
    }

    /// The bytes of a BLOB (or TEXT) column; empty for NULL.
    public func blob(_ column: Int32) -> [UInt8] {
        guard let p = sqlite3_column_blob(handle, column) else { return [] }
        let n = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}
