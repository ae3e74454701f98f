import Localization

/// Why a store operation failed (SQLite's own failures — busy, damaged file, a failing statement — are
/// `SQLiteError`). Bound values (incident data) are never part of an error or its description.
public enum StoreError: Error, CustomStringConvertible, Hashable, Sendable {
    /// The store was written by a newer Atalaya (`PRAGMA user_version` above what this build knows).
    case newerSchema(path: String, found: Int, supported: Int)
    /// The arguments do not describe the same rows (e.g. `x.count != table.count`).
    case invalidInput(reason: String)
    /// Another ingest session has the store (`owner` = "pid@host#n", see `IncidentStore.beginIngest`);
    /// this one was refused before writing anything.
    case ingestRunning(path: String, owner: String)

    public var description: String {
        switch self {
        case let .newerSchema(path, found, supported):
            return tr("'\(path)' tiene la versión de esquema \(found); esta versión de Atalaya admite hasta la \(supported)",
                      "'\(path)' has schema version \(found); this build of Atalaya supports up to \(supported)")
        case let .invalidInput(reason):
            return tr("datos no válidos para el almacén: \(reason)", "invalid store input: \(reason)")
        case let .ingestRunning(path, owner):
            return tr("'\(path)' está recibiendo otra ingesta (proceso \(owner)); de esta no se guardó nada: vuelva a ejecutarla cuando aquella termine",
                      "'\(path)' is receiving another ingest (process \(owner)); nothing of this one was stored: run it again once that one has finished")
        }
    }
}
