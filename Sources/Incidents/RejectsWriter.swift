import Foundation

/// Writes rejected rows for the user to inspect and fix.
public enum RejectsWriter {
    /// CSV with header `line,reason,field,detail,record` (UTF-8, RFC 4180 quoting, LF line ends).
    public static func write(_ rejects: [RejectedRow], to path: String) throws {
        let bytes = render(rejects)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw IncidentReadError.unreadable(path: path, reason: "cannot write: \(error.localizedDescription)")
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
            CSVText.appendQuoted(r.field ?? "", into: &out)
            out.append(Byte.comma)
            CSVText.appendQuoted(r.detail, into: &out)
            out.append(Byte.comma)
            CSVText.appendQuoted(r.text, into: &out)
            out.append(Byte.lf)
        }
    }
}

/// A rejects file written as the rows come (a streamed read): same format as `RejectsWriter.write`.
public final class RejectsFile {
    public let path: String
    public private(set) var count = 0
    private let handle: FileHandle

    /// Creates (or truncates) `path` and writes the header.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: Data(RejectsWriter.header)),
              let h = FileHandle(forWritingAtPath: path) else {
            throw IncidentReadError.unreadable(path: path, reason: "cannot write the rejects file")
        }
        handle = h
        handle.seekToEndOfFile()
    }

    public func append(_ rejects: [RejectedRow]) throws {
        guard !rejects.isEmpty else { return }
        var out = [UInt8]()
        RejectsWriter.appendRows(rejects, to: &out)
        do { try handle.write(contentsOf: Data(out)) } catch {
            throw IncidentReadError.unreadable(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
        count += rejects.count
    }

    deinit { try? handle.close() }
}
