import Localization

/// Why an SQLite call failed: the file, the result code, SQLite's message and the failing SQL text.
/// Bound values (incident data) are never part of an error or its description.
public enum SQLiteError: Error, CustomStringConvertible, Hashable, Sendable {
    /// SQLite returned `code` (extended result code) for `sql` (nil when the failure was not tied to one statement).
    case sqlite(path: String, code: Int32, message: String, sql: String?)
    /// The file is not an SQLite database, or `PRAGMA quick_check`/`integrity_check` reports damage.
    case corrupt(path: String)
    /// Another connection held the write lock for longer than the busy timeout (SQLITE_BUSY).
    case locked(path: String)

    public var description: String {
        switch self {
        case let .sqlite(path, code, message, sql):
            var s = tr("error de SQLite \(code) en '\(path)': \(message)", "SQLite error \(code) in '\(path)': \(message)")
            if let sql { s += " (SQL: \(sql))" }
            return s
        case let .corrupt(path):
            return tr("'\(path)' no es un almacén de Atalaya válido (no es una base SQLite, o está dañado)",
                      "'\(path)' is not a valid Atalaya store (not an SQLite database, or damaged)")
        case let .locked(path):
            return tr("'\(path)' está bloqueado por otro proceso que escribe (se agotó la espera)",
                      "'\(path)' is locked by another writer (timed out waiting)")
        }
    }

    /// The same error about `path` instead of a temporary file it was written to (`temp`).
    public func relabeled(from temp: String, to path: String) -> SQLiteError {
        func fix(_ p: String) -> String { p.replacingOccurrences(of: temp, with: path) }
        switch self {
        case let .sqlite(p, code, message, sql): return .sqlite(path: fix(p), code: code, message: message.replacingOccurrences(of: temp, with: path), sql: sql)
        case let .corrupt(p): return .corrupt(path: fix(p))
        case let .locked(p): return .locked(path: fix(p))
        }
    }

    /// The SQLite code for a file that cannot be opened or replaced (SQLITE_CANTOPEN).
    public static let cannotOpenCode: Int32 = 14
}
