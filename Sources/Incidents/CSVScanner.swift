/// Byte-level CSV scanning over a UTF-8 buffer.
///
/// Quoting rule, the one Python's `csv` module, pandas and Excel follow, used everywhere (record
/// scanner, field splitter, value decoder, delimiter detection):
/// - a field is quoted only when its first byte is `"`; a `"` anywhere else in an unquoted field is a
///   literal character (`TV 32" ROBADO`), so a stray quote never merges rows;
/// - inside a quoted field `""` is one quote and delimiters and line breaks are data; a lone `"` closes
///   the field, and bytes after it up to the delimiter are kept literally (quotes included);
/// - a quoted field that is still open after `CSVQuoting.maxLines` line breaks or `maxBytes` bytes, or
///   at the end of the data, or that spans lines and "closes" on a quote not followed by a delimiter or
///   line end (a stray quote further down: taking it would merge rows, as Python does), is unterminated:
///   its record is cut at the end of the line where the quote opened (rejected as `unterminated_quote`
///   on its first line) and reading resumes on the next line.
///
/// Record boundaries therefore depend on the state from the start of the data; parallel readers guess
/// a chunk's first record start and check the guess against the previous chunk's actual end
/// (`CSVIncidents.records`), so any cut gives the sequential result.
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

/// Bounds of a quoted field, and the one routine that walks one (shared by every reader of the rule).
enum CSVQuoting {
    /// Line breaks a quoted field may hold before it counts as unterminated.
    static let maxLines = 100
    /// Bytes a quoted field may span (checked at each line break inside it) before it counts as unterminated.
    static let maxBytes = 64 << 10

    enum Outcome { case closed, tooLong, endOfData }

    /// Walks a quoted field whose opening `"` is just before `from`. `closed`: `end` is just past the
    /// closing quote; `tooLong`: `end` is the line break that went over the bounds, or the quote that
    /// "closed" a field spanning lines without a delimiter or line end after it (a stray quote further
    /// down, not a real close: taking it would merge rows); `endOfData`: `end == limit`.
    /// `delimiter` nil: any of `,` `;` tab (delimiter detection).
    @inline(__always)
    static func scan(_ base: UnsafePointer<UInt8>, from: Int, limit: Int, delimiter: UInt8?) -> (end: Int, newlines: Int, outcome: Outcome) {
        var i = from, lines = 0
        while i < limit {
            let c = base[i]
            if c == Byte.quote {
                if i + 1 < limit && base[i + 1] == Byte.quote { i += 2; continue }  // "" = one quote
                if lines > 0 && i + 1 < limit {
                    let n = base[i + 1]
                    let ends = n == Byte.lf || n == Byte.cr || (delimiter.map { n == $0 } ?? (n == Byte.comma || n == Byte.semicolon || n == Byte.tab))
                    if !ends { return (i, lines, .tooLong) }
                }
                return (i + 1, lines, .closed)
            }
            if c == Byte.lf {
                lines += 1
                if lines > maxLines || i - from > maxBytes { return (i, lines, .tooLong) }
            }
            i += 1
        }
        return (limit, lines, .endOfData)
    }
}

/// One record as found by `CSVScanner.scanRecord`.
struct ScannedRecord {
    enum Status {
        case complete
        /// A quoted field never closed (see `CSVQuoting`): the record ends with the line where it opened.
        case unterminated
        /// The data ended inside the record and more data may follow (`final == false`): nothing decided.
        case needMore
    }
    /// First byte of the record.
    var start: Int
    /// End of the record content (excludes LF and a CR right before it).
    var end: Int
    /// Where the next record starts.
    var next: Int
    /// Number of fields (starts stored in the scanner's `fieldStarts`).
    var fieldCount: Int
    /// LFs inside the record (so the physical line counter stays right): the record spans 1 + this lines.
    var innerNewlines: Int
    var status: Status
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

    /// Scans one record starting at `start` (must be < `limit`) with the quoting rule above.
    /// - Parameter final: `limit` is the end of the data. When false, a record that reaches `limit`
    ///   (no LF yet) is `needMore`, since the bytes after `limit` decide it.
    func scanRecord(_ base: UnsafePointer<UInt8>, start: Int, limit: Int, final: Bool = true) -> ScannedRecord {
        let sp = special
        var fs = fieldStarts
        var cap = capacity
        var nf = 1
        var newlines = 0
        var i = start
        fs[0] = start
        while i < limit {
            let c = base[i]
            if sp[Int(c)] == 0 { i += 1; continue }
            if c == Byte.lf { break }
            if c == Byte.quote {
                if i == fs[nf - 1] {  // opens a quoted field; elsewhere a quote is literal
                    let q = CSVQuoting.scan(base, from: i + 1, limit: limit, delimiter: delimiter)
                    if q.outcome == .closed { newlines += q.newlines; i = q.end; continue }
                    if q.outcome == .endOfData && !final {
                        return ScannedRecord(start: start, end: limit, next: limit, fieldCount: nf, innerNewlines: newlines, status: .needMore)
                    }
                    // Unterminated: the record is cut at the end of the line where the quote opened.
                    var e = i
                    while e < limit && base[e] != Byte.lf { e += 1 }
                    let next = e < limit ? e + 1 : limit
                    if e > start && base[e - 1] == Byte.cr { e -= 1 }
                    return ScannedRecord(start: start, end: max(e, i), next: next, fieldCount: nf,
                                         innerNewlines: newlines, status: .unterminated)
                }
            } else {  // delimiter
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
        if i >= limit && !final {
            return ScannedRecord(start: start, end: limit, next: limit, fieldCount: nf, innerNewlines: newlines, status: .needMore)
        }
        var end = i
        if end > start && base[end - 1] == Byte.cr { end -= 1 }
        if end < fs[nf - 1] { end = fs[nf - 1] }  // CR as the delimiter: keep ranges ordered
        return ScannedRecord(start: start, end: end, next: i < limit ? i + 1 : limit,
                             fieldCount: nf, innerNewlines: newlines, status: .complete)
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

    /// Appends the decoded value of a raw field (quoting rule above): a field whose first byte is `"`
    /// is unquoted with `""` → `"`, and bytes after its closing quote are kept literally; other fields verbatim.
    static func appendValue(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int, into out: inout [UInt8]) {
        guard s < e, base[s] == Byte.quote else {
            out.append(contentsOf: UnsafeBufferPointer(start: base + s, count: e - s))
            return
        }
        var i = s + 1
        while i < e {
            let c = base[i]
            if c == Byte.quote {
                if i + 1 < e && base[i + 1] == Byte.quote { out.append(Byte.quote); i += 2; continue }
                out.append(contentsOf: UnsafeBufferPointer(start: base + i + 1, count: e - i - 1))
                return
            }
            out.append(c)
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
        var i = s
        while i < e {
            let c = base[i]
            if c == Byte.quote && i == fs {
                i = CSVQuoting.scan(base, from: i + 1, limit: e, delimiter: delimiter).end
                continue
            }
            if c == delimiter { result.append((fs, i)); fs = i + 1 }
            i += 1
        }
        result.append((fs, e))
        return result
    }

    /// Most frequent of `,` `;` tab outside quoted fields in the first record from `s`; ties and no
    /// delimiter → `,`. (A quote opens a field at the line start or after any of the three.)
    static func detectDelimiter(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> UInt8 {
        var comma = 0, semi = 0, tab = 0
        var fieldStart = true
        var i = s
        while i < e {
            let c = base[i]
            if c == Byte.quote && fieldStart {
                let q = CSVQuoting.scan(base, from: i + 1, limit: e, delimiter: nil)
                if q.outcome != .closed { break }
                i = q.end; fieldStart = false
                continue
            }
            if c == Byte.lf { break }
            fieldStart = true
            if c == Byte.comma { comma += 1 } else if c == Byte.semicolon { semi += 1 } else if c == Byte.tab { tab += 1 } else { fieldStart = false }
            i += 1
        }
        if semi > comma && semi >= tab { return Byte.semicolon }
        if tab > comma && tab > semi { return Byte.tab }
        return Byte.comma
    }
}
