import Localization

/// Why a store operation failed.
///
/// SQLite failures carry the store path, the result code, SQLite's message and the failing SQL text.
/// Bound values (incident data) are never part of an error or its description.
public enum StoreError: Error, CustomStringConvertible, Hashable, Sendable {
    /// SQLite returned `code` (extended result code) for `sql` (nil when the failure was not tied to one statement).
    case sqlite(path: String, code: Int32, message: String, sql: String?)
    /// The file is not an SQLite database, or `PRAGMA quick_check`/`integrity_check` reports damage.
    case corrupt(path: String)
    /// The store was written by a newer Atalaya (`PRAGMA user_version` above what this build knows).
    case newerSchema(path: String, found: Int, supported: Int)
    /// Another connection held the write lock for longer than the busy timeout (SQLITE_BUSY).
    case locked(path: String)
    /// The arguments do not describe the same rows (e.g. `x.count != table.count`).
    case invalidInput(reason: String)
    /// Another ingest session has the store (`owner` = "pid@host#n", see `IncidentStore.beginIngest`);
    /// this one was refused before writing anything.
    case ingestRunning(path: String, owner: String)

    public var description: String {
        switch self {
        case let .sqlite(path, code, message, sql):
            var s = tr("error de SQLite \(code) en '\(path)': \(message)", "SQLite error \(code) in '\(path)': \(message)")
            if let sql { s += " (SQL: \(sql))" }
            return s
        case let .corrupt(path):
            return tr("'\(path)' no es un almacén de Atalaya válido (no es una base SQLite, o está dañado)",
                      "'\(path)' is not a valid Atalaya store (not an SQLite database, or damaged)")
        case let .newerSchema(path, found, supported):
            return tr("'\(path)' tiene la versión de esquema \(found); esta versión de Atalaya admite hasta la \(supported)",
                      "'\(path)' has schema version \(found); this build of Atalaya supports up to \(supported)")
        case let .locked(path):
            return tr("'\(path)' está bloqueado por otro proceso que escribe (se agotó la espera)",
                      "'\(path)' is locked by another writer (timed out waiting)")
        case let .invalidInput(reason):
            return tr("datos no válidos para el almacén: \(reason)", "invalid store input: \(reason)")
        case let .ingestRunning(path, owner):
            return tr("'\(path)' está recibiendo otra ingesta (proceso \(owner)); de esta no se guardó nada: vuelva a ejecutarla cuando aquella termine",
                      "'\(path)' is receiving another ingest (process \(owner)); nothing of this one was stored: run it again once that one has finished")
        }
    }
}
