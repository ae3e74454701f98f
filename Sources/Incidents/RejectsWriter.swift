import Foundation
import Primitives

/// Writes rejected rows for the user to inspect and fix.
///
/// A rejects file exists only when there are rejects: with none, nothing is written and a rejects file
/// an earlier run left at that path is removed (it would describe another run). Files are written
/// atomically (`AtomicFile`): a crash or full disk leaves the previous file whole.
public enum RejectsWriter {
    /// CSV with header `line,reason,field,detail,record` (UTF-8, RFC 4180 quoting, LF line ends).
    /// - Returns: whether a file was written (false when `rejects` is empty).
    @discardableResult
    public static func write(_ rejects: [RejectedRow], to path: String) throws -> Bool {
        guard !rejects.isEmpty else { removeStale(path); return false }
        try AtomicFile.write(render(rejects), to: path)
        return true
    }

    /// Runs `read`; when it fails because every row was rejected, writes those rejects to `path` first,
    /// so that even a file without one valid row leaves its rejects (with reasons), then rethrows.
    /// `written` hears the path and count of rejects so written (for a progress line).
    public static func keepingRejects<T>(at path: String, written: (String, Int) -> Void = { _, _ in },
                                         _ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch let error as IncidentReadError {
            if case let .noValidRows(_, _, rejects) = error, !rejects.isEmpty {
                try write(rejects, to: path)
                written(path, rejects.count)
            }
            throw error
        }
    }

    /// The CSV bytes `write` produces.
    public static func render(_ rejects: [RejectedRow]) -> [UInt8] {
        var out = header
        appendRows(rejects, to: &out)
        return out
    }

    static let header = Array("line,reason,field,detail,record\n".utf8)

    static func appendRows(_ rejects: [RejectedRow], to out: inout [UInt8]) {
        for r in rejects {
            out.append(contentsOf: String(r.line).utf8)
            out.append(Byte.comma)
            out.append(contentsOf: r.reason.rawValue.utf8)
            out.append(Byte.comma)
            TextEscaping.appendCSVField(r.field ?? "", into: &out)
            out.append(Byte.comma)
            TextEscaping.appendCSVField(r.detail, into: &out)
            out.append(Byte.comma)
            TextEscaping.appendCSVField(r.text, into: &out)
            out.append(Byte.lf)
        }
    }

    /// Removes a regular file left at `path` by an earlier run.
    static func removeStale(_ path: String) {
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG { unlink(path) }
    }
}

/// A rejects file written as the rows come (a streamed read): same format and rules as
/// `RejectsWriter.write`. The file appears at `path` on `finish()`; until then (and if the writer is
/// dropped unfinished, e.g. on an error) it is a temporary file beside it.
public final class RejectsFile {
    public let path: String
    public private(set) var count = 0
    private var file: AtomicFile?

    public init(path: String) {
        self.path = path
    }

    public func append(_ rejects: [RejectedRow]) throws {
        guard !rejects.isEmpty else { return }
        if file == nil {
            file = try AtomicFile(path: path)
            try file!.write(RejectsWriter.header)
        }
        var out = [UInt8]()
        RejectsWriter.appendRows(rejects, to: &out)
        try file!.write(out)
        count += rejects.count
    }

    /// Puts the file in place (only if there were rejects; otherwise removes a stale one).
    /// - Returns: whether a file was written.
    @discardableResult
    public func finish() throws -> Bool {
        guard let file else { RejectsWriter.removeStale(path); return false }
        try file.commit()
        return true
    }
}
