/// Normalises raw file bytes to UTF-8 once, so every later stage works on UTF-8 only.
enum TextEncoding {
    struct Decoded {
        var bytes: [UInt8]
        /// "UTF-8", "UTF-8 (BOM)", "ISO-8859-1", "Windows-1252" or "UTF-16LE"/"UTF-16BE".
        var name: String
    }

    static func decode(_ raw: [UInt8]) -> Decoded {
        if raw.count >= 3, raw[0] == 0xEF, raw[1] == 0xBB, raw[2] == 0xBF {
            let rest = Array(raw[3...])
            if isValidUTF8(rest) { return Decoded(bytes: rest, name: "UTF-8 (BOM)") }
            return latin1ToUTF8(rest)
        }
        // Excel "Unicode text" exports are UTF-16 with a BOM.
        if raw.count >= 2, (raw[0] == 0xFF && raw[1] == 0xFE) || (raw[0] == 0xFE && raw[1] == 0xFF) {
            let little = raw[0] == 0xFF
            var units = [UInt16]()
            units.reserveCapacity(raw.count / 2)
            var i = 2
            while i + 1 < raw.count {
                units.append(little ? UInt16(raw[i]) | UInt16(raw[i + 1]) << 8 : UInt16(raw[i]) << 8 | UInt16(raw[i + 1]))
                i += 2
            }
            let s = String(decoding: units, as: UTF16.self)
            return Decoded(bytes: Array(s.utf8), name: little ? "UTF-16LE" : "UTF-16BE")
        }
        if isValidUTF8(raw) { return Decoded(bytes: raw, name: "UTF-8") }
        return latin1ToUTF8(raw)
    }

    /// Strict UTF-8 validation (no overlongs, no surrogates, ≤ U+10FFFF) with an 8-byte ASCII fast path.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return true }
            let n = buf.count
            var i = 0
            while i < n {
                // Skip ASCII 8 bytes at a time.
                while i + 8 <= n {
                    let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    if w & 0x8080_8080_8080_8080 != 0 { break }
                    i += 8
                }
                if i >= n { break }
                let b0 = base[i]
                if b0 < 0x80 { i += 1; continue }
                let len: Int
                var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
                switch b0 {
                case 0xC2...0xDF: len = 2
                case 0xE0: len = 3; lo = 0xA0
                case 0xE1...0xEC, 0xEE, 0xEF: len = 3
                case 0xED: len = 3; hi = 0x9F
                case 0xF0: len = 4; lo = 0x90
                case 0xF1...0xF3: len = 4
                case 0xF4: len = 4; hi = 0x8F
                default: return false
                }
                if i + len > n { return false }
                let b1 = base[i + 1]
                if b1 < lo || b1 > hi { return false }
                var k = 2
                while k < len {
                    if base[i + k] & 0xC0 != 0x80 { return false }
                    k += 1
                }
                i += len
            }
            return true
        }
    }

    /// Windows-1252 code points for 0x80...0x9F (0 = undefined there, kept as the Latin-1 C1 control).
    private static let cp1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// Transcodes single-byte text to UTF-8. Reported as ISO-8859-1 unless bytes 0x80–0x9F occur, which in
    /// real exports are Windows-1252 punctuation (“ ” € …) and are decoded as such.
    static func latin1ToUTF8(_ raw: [UInt8]) -> Decoded {
        var out = [UInt8]()
        out.reserveCapacity(raw.count + raw.count / 8)
        var usedC1 = false
        for b in raw {
            if b < 0x80 { out.append(b); continue }
            var cp = UInt32(b)
            if b < 0xA0 {
                let m = cp1252High[Int(b - 0x80)]
                if m != 0 { cp = m; usedC1 = true }
            }
            if cp < 0x800 {
                out.append(UInt8(0xC0 | (cp >> 6)))
                out.append(UInt8(0x80 | (cp & 0x3F)))
            } else {
                out.append(UInt8(0xE0 | (cp >> 12)))
                out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (cp & 0x3F)))
            }
        }
        return Decoded(bytes: out, name: usedC1 ? "Windows-1252" : "ISO-8859-1")
    }
}
