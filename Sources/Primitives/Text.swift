/// The one copy of the escaping rules of the text formats Atalaya writes: JSON strings (RFC 8259 §7) and
/// CSV fields (RFC 4180, `,` separator). Byte-level, so the million-row writers can use them as they are.
public enum TextEscaping {
    // MARK: JSON

    /// Writes the escape of byte `c` inside a JSON string to `seq` and returns its length, or returns 0 when `c`
    /// stands as it is. `"` and `\` are backslashed, LF/CR/TAB written `\n` `\r` `\t`, the other control bytes
    /// (< 0x20) `\u00xx` (lower-case hex); everything else (UTF-8 included) is copied.
    @inlinable @inline(__always)
    public static func jsonEscape(_ c: UInt8, into seq: UnsafeMutablePointer<UInt8>) -> Int {
        if c >= 0x20 && c != 0x22 && c != 0x5C { return 0 }
        seq[0] = 0x5C
        switch c {
        case 0x22, 0x5C: seq[1] = c; return 2
        case 0x0A: seq[1] = 0x6E; return 2
        case 0x0D: seq[1] = 0x72; return 2
        case 0x09: seq[1] = 0x74; return 2
        default:
            seq[1] = 0x75; seq[2] = 0x30; seq[3] = 0x30
            seq[4] = hexDigit(c >> 4); seq[5] = hexDigit(c & 0xF)
            return 6
        }
    }

    @inlinable @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }

    /// Writes `count` bytes at `s` JSON-escaped (inside a string, no quotes) to `out`, which has room for
    /// 6 × `count` bytes. - Returns: the bytes written.
    @inlinable @inline(__always)
    public static func writeJSONEscaped(_ s: UnsafePointer<UInt8>, count: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var o = 0
        for k in 0..<count {
            let c = s[k]
            let n = jsonEscape(c, into: out + o)
            if n == 0 { out[o] = c; o += 1 } else { o += n }
        }
        return o
    }

    /// Appends `bytes` as a JSON string literal (with its quotes).
    @inlinable
    public static func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(0x22)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 6) { seq in
            var run = 0                                    // start of the bytes not yet copied
            for k in 0..<bytes.count {
                let n = jsonEscape(bytes[k], into: seq.baseAddress!)
                guard n > 0 else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<k]))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: seq[0..<n]))
                run = k + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(0x22)
    }

    /// Appends `s` as a JSON string literal (with its quotes).
    @inlinable
    public static func appendJSONString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendJSONString($0, into: &out) }
    }

    /// Appends `s` as a JSON string literal (with its quotes).
    public static func appendJSONString(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        appendJSONString(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// `s` as a JSON string literal (with its quotes).
    public static func jsonString(_ s: String) -> String {
        var bytes: [UInt8] = []
        appendJSONString(s, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: CSV

    /// Whether a field needs quoting: it holds the separator `,`, a quote or a line break (LF or CR).
    @inlinable @inline(__always)
    public static func csvNeedsQuoting(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in bytes where c == 0x2C || c == 0x22 || c == 0x0A || c == 0x0D { return true }
        return false
    }

    /// Appends `bytes` as a CSV field: as they are, or between quotes with every quote doubled when
    /// `csvNeedsQuoting`.
    @inlinable
    public static func appendCSVField(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard csvNeedsQuoting(bytes) else { out.append(contentsOf: bytes); return }
        out.append(0x22)
        for c in bytes {
            if c == 0x22 { out.append(0x22) }
            out.append(c)
        }
        out.append(0x22)
    }

    /// Appends `s` as a CSV field (see the byte form).
    @inlinable
    public static func appendCSVField(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendCSVField($0, into: &out) }
    }

    /// `s` as a CSV field (see the byte form).
    public static func csvField(_ s: String) -> String {
        var bytes: [UInt8] = []
        appendCSVField(s, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
