/// Byte-level RFC 4180 scanning over a UTF-8 buffer.
///
/// Quoting rule used everywhere (scanner, chunk splitter, field splitter): every `"` toggles the
/// in-quotes state, and delimiters/newlines only count outside quotes. For valid RFC 4180 this is
/// exact (`""` toggles twice), and because it is a pure parity rule the parallel splitter and the
/// sequential scanner always agree on record boundaries, even for malformed input.
enum Byte {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let tab: UInt8 = 0x09
    static let space: UInt8 = 0x20
    static let dot: UInt8 = 0x2E

    @inline(__always) static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab }
}

/// One record as found by `CSVScanner.scanRecord`.
struct ScannedRecord {
    /// First byte of the record.
    var start: Int
    /// End of the record content (excludes LF and a CR right before it).
    var end: Int
    /// Where the next record starts.
    var next: Int
    /// Number of fields (starts stored in the scanner's `fieldStarts`).
    var fieldCount: Int
    /// LFs inside quoted fields (so the physical line counter stays right).
    var innerNewlines: Int
    /// Reached the end of the range still inside quotes.
    var unterminated: Bool
}

/// Reusable record scanner. Not thread-safe; use one per worker.
/// Raw storage (not arrays) so the per-record hot loop has no uniqueness checks or closures.
final class CSVScanner {
    let delimiter: UInt8
    /// `special[c] != 0` for delimiter, quote and LF: one load + branch per ordinary byte.
    private let special: UnsafeMutablePointer<UInt8>
    /// Start offset of each field of the last scanned record; field k ends at `fieldStarts[k+1] - 1`
    /// (the delimiter) or at the record end for the last field.
    private var fieldStarts: UnsafeMutablePointer<Int>
    private var capacity: Int

    init(delimiter: UInt8) {
        self.delimiter = delimiter
        special = .allocate(capacity: 256)
        special.initialize(repeating: 0, count: 256)
        special[Int(delimiter)] = 1
        special[Int(Byte.quote)] = 1
        special[Int(Byte.lf)] = 1
        capacity = 64
        fieldStarts = .allocate(capacity: capacity)
    }

    deinit {
        special.deallocate()
        fieldStarts.deallocate()
    }

    /// Scans one record starting at `start` (must be < `limit`).
    func scanRecord(_ base: UnsafePointer<UInt8>, start: Int, limit: Int) -> ScannedRecord {
        let sp = special
        var fs = fieldStarts
        var cap = capacity
        var nf = 1
        var inQuotes = false
        var newlines = 0
        var i = start
        fs[0] = start
        while i < limit {
            let c = base[i]
            if sp[Int(c)] == 0 { i += 1; continue }
            if c == Byte.quote {
                inQuotes.toggle()
            } else if c == Byte.lf {
                if !inQuotes { break }
                newlines += 1
            } else if !inQuotes {  // delimiter
                if nf == cap {
                    // Rare: more fields than the scratch holds.
                    let bigger = UnsafeMutablePointer<Int>.allocate(capacity: cap * 4)
                    bigger.update(from: fs, count: nf)
                    fs.deallocate()
                    fs = bigger; cap *= 4
                    fieldStarts = fs; capacity = cap
                }
                fs[nf] = i + 1
                nf += 1
            }
            i += 1
        }
        var end = i
        if end > start && base[end - 1] == Byte.cr && !inQuotes { end -= 1 }
        if end < fs[nf - 1] { end = fs[nf - 1] }  // CR as the delimiter: keep ranges ordered
        return ScannedRecord(start: start, end: end, next: i < limit ? i + 1 : limit,
                             fieldCount: nf, innerNewlines: newlines, unterminated: inQuotes)
    }

    /// Raw byte range of field `k` of the last scanned record (empty range when absent).
    @inline(__always) func fieldRange(_ k: Int, of r: ScannedRecord) -> (Int, Int) {
        if k >= r.fieldCount { return (r.end, r.end) }
        let s = fieldStarts[k]
        let e = k + 1 < r.fieldCount ? fieldStarts[k + 1] - 1 : r.end
        return (s, e)
    }
}

enum CSVText {
    /// Trims spaces/tabs and then one pair of enclosing quotes (and spaces inside them). Used for role
    /// values (coordinates, dates, ids) where `""` escapes make the value invalid anyway or are compared verbatim.
    @inline(__always)
    static func valueRange(_ base: UnsafePointer<UInt8>, _ s0: Int, _ e0: Int) -> (Int, Int) {
        var s = s0, e = e0
        while s < e && Byte.isBlank(base[s]) { s += 1 }
        while e > s && Byte.isBlank(base[e - 1]) { e -= 1 }
        if e - s >= 2 && base[s] == Byte.quote && base[e - 1] == Byte.quote {
            s += 1; e -= 1
            while s < e && Byte.isBlank(base[s]) { s += 1 }
            while e > s && Byte.isBlank(base[e - 1]) { e -= 1 }
        }
        return (s, e)
    }

    /// True when the range has only spaces/tabs.
    static func isBlank(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e { if !Byte.isBlank(base[i]) { return false }; i += 1 }
        return true
    }

    /// Appends the decoded value of a raw field: a field whose first non-blank byte is `"` is unquoted
    /// with `""` → `"`; bytes after the closing quote are kept literally (lenient). Other fields verbatim.
    static func appendValue(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int, into out: inout [UInt8]) {
        var q = s
        while q < e && Byte.isBlank(base[q]) { q += 1 }
        guard q < e, base[q] == Byte.quote else {
            out.append(contentsOf: UnsafeBufferPointer(start: base + s, count: e - s))
            return
        }
        var i = q + 1
        var inQuotes = true
        while i < e {
            let c = base[i]
            if inQuotes && c == Byte.quote {
                if i + 1 < e && base[i + 1] == Byte.quote { out.append(Byte.quote); i += 2; continue }
                inQuotes = false
            } else if !inQuotes && c == Byte.quote {
                inQuotes = true
            } else {
                out.append(c)
            }
            i += 1
        }
    }

    static func value(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> String {
        var bytes = [UInt8]()
        appendValue(base, s, e, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Raw field ranges of the record in [s, e) (already known to be one record).
    static func splitFields(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int, delimiter: UInt8) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        var fs = s
        var inQuotes = false
        var i = s
        while i < e {
            let c = base[i]
            if c == Byte.quote { inQuotes.toggle() } else if c == delimiter && !inQuotes { result.append((fs, i)); fs = i + 1 }
            i += 1
        }
        result.append((fs, e))
        return result
    }

    /// Most frequent of `,` `;` tab outside quotes in the header range; ties and no delimiter → `,`.
    static func detectDelimiter(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> UInt8 {
        var comma = 0, semi = 0, tab = 0
        var inQuotes = false
        var i = s
        while i < e {
            let c = base[i]
            if c == Byte.quote { inQuotes.toggle() } else if c == Byte.lf && !inQuotes { break } else if !inQuotes {
                if c == Byte.comma { comma += 1 } else if c == Byte.semicolon { semi += 1 } else if c == Byte.tab { tab += 1 }
            }
            i += 1
        }
        if semi > comma && semi >= tab { return Byte.semicolon }
        if tab > comma && tab > semi { return Byte.tab }
        return Byte.comma
    }

    /// Does a decoded value need RFC 4180 quoting with `,` as separator?
    @inline(__always)
    static func needsQuoting(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in p where c == Byte.comma || c == Byte.quote || c == Byte.lf || c == Byte.cr { return true }
        return false
    }

    /// Appends `value` as an RFC 4180 field (`,` separator), quoting only when needed.
    static func appendQuoted(_ value: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard needsQuoting(value) else { out.append(contentsOf: value); return }
        out.append(Byte.quote)
        for c in value {
            if c == Byte.quote { out.append(Byte.quote) }
            out.append(c)
        }
        out.append(Byte.quote)
    }

    static func appendQuoted(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendQuoted($0, into: &out) }
    }
}
