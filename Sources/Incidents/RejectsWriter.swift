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
        var out = Array("line,reason,field,detail,record\n".utf8)
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
        return out
    }
}
