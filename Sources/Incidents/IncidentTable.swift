import Primitives

/// Accepted incidents in columnar form. Row `i` of every array is the same incident.
///
/// The original record bytes are kept (one shared UTF-8 buffer plus per-row offsets) so that all
/// original fields can be recovered or re-written without holding a `String` per field.
/// For GeoJSON input the buffer holds the feature properties rendered as CSV records (`,`-delimited).
public struct IncidentTable: Sendable {
    /// Path as given.
    public let source: String
    public let format: InputFormat
    /// "UTF-8", "UTF-8 (BOM)", "ISO-8859-1", "Windows-1252" (Latin-1 with 0x80–0x9F punctuation) or "UTF-16LE"/"UTF-16BE".
    public let encoding: String
    /// Input delimiter (`,` `;` or tab); `,` for GeoJSON.
    public let delimiter: UInt8
    /// Original column names (BOM stripped, surrounding spaces trimmed); GeoJSON: union of property keys in first-seen order.
    public let header: [String]
    /// Resolved coordinate column names ("geometry" for GeoJSON).
    public let latColumn: String
    public let lonColumn: String
    public let timeColumn: String?
    public let categoryColumn: String?
    public let idColumn: String?
    /// 1-based physical line of each accepted record's first line (header is line 1); GeoJSON: 1-based feature index.
    public let lines: [Int32]
    /// Coordinates as read (degrees, or x/y when projected), after the swap fix when fixed.
    public let lon: [Double]
    public let lat: [Double]
    /// True where lat/lon were swapped back (`ReadOptions.fixSwapped`).
    public let swapFixed: [Bool]
    /// Seconds since 1970-01-01T00:00:00 of the local civil time (see `DateParser`); `Int64.min` when there is no time column.
    public let time: [Int64]
    /// Input data rows (excluding header and blank lines) = accepted + rejected.
    public let dataRows: Int

    // Storage for original fields.
    let buffer: [UInt8]
    let recordStart: [Int]
    let recordEnd: [Int]
    let categoryIndex: Int?
    let idIndex: Int?

    /// Number of accepted rows.
    public var count: Int { lat.count }

    public func wasSwapFixed(_ i: Int) -> Bool { swapFixed[i] }

    /// Category value of row i (trimmed, unquoted); nil without a category column.
    public func category(_ i: Int) -> String? {
        categoryIndex.map { roleValue(i, $0) }
    }

    /// Id value of row i (trimmed, unquoted); nil without an id column.
    public func id(_ i: Int) -> String? {
        idIndex.map { roleValue(i, $0) }
    }

    private func roleValue(_ i: Int, _ column: Int) -> String {
        buffer.withUnsafeBufferPointer { b -> String in
            let base = b.baseAddress!
            let fields = CSVText.splitFields(base, recordStart[i], recordEnd[i], delimiter: tableDelimiter)
            guard column < fields.count else { return "" }
            var bytes = [UInt8]()
            CSVText.appendValue(base, fields[column].0, fields[column].1, into: &bytes)
            var s = 0, e = bytes.count
            while s < e && Byte.isBlank(bytes[s]) { s += 1 }
            while e > s && Byte.isBlank(bytes[e - 1]) { e -= 1 }
            return String(decoding: bytes[s..<e], as: UTF8.self)
        }
    }

    /// The delimiter of the stored records (GeoJSON records are stored with `,`).
    private var tableDelimiter: UInt8 { format == .geojson ? Byte.comma : delimiter }

    /// All original fields of row i, decoded, padded with "" to `header.count` (extra empty trailing fields dropped).
    public func fields(_ i: Int) -> [String] {
        buffer.withUnsafeBufferPointer { b -> [String] in
            let base = b.baseAddress!
            var ranges = CSVText.splitFields(base, recordStart[i], recordEnd[i], delimiter: tableDelimiter)
            if ranges.count > header.count { ranges.removeLast(ranges.count - header.count) }
            var out = ranges.map { CSVText.value(base, $0.0, $0.1) }
            while out.count < header.count { out.append("") }
            return out
        }
    }

    /// Appends row i as an RFC 4180 record with `,` separators (quoting only where needed), without a
    /// trailing newline. Same fields as `fields(i)`. Copies the original bytes when they already are such a record.
    public func writeRecord(_ i: Int, into out: inout [UInt8]) {
        buffer.withUnsafeBufferPointer { b in
            let base = b.baseAddress!
            let s = recordStart[i], e = recordEnd[i]
            let delim = tableDelimiter
            if delim == Byte.comma {
                // Fast path: no quotes/CR/LF and exactly header.count fields → already canonical.
                var commas = 0
                var plain = true
                for k in s..<e {
                    let c = base[k]
                    if c == Byte.comma { commas += 1 } else if c == Byte.quote || c == Byte.cr || c == Byte.lf { plain = false; break }
                }
                if plain && commas + 1 == header.count {
                    out.append(contentsOf: UnsafeBufferPointer(start: base + s, count: e - s))
                    return
                }
            }
            var ranges = CSVText.splitFields(base, s, e, delimiter: delim)
            if ranges.count > header.count { ranges.removeLast(ranges.count - header.count) }
            var scratch = [UInt8]()
            for (k, r) in ranges.enumerated() {
                if k > 0 { out.append(Byte.comma) }
                var hasQuote = false
                for q in r.0..<r.1 where base[q] == Byte.quote { hasQuote = true; break }
                if hasQuote {
                    scratch.removeAll(keepingCapacity: true)
                    CSVText.appendValue(base, r.0, r.1, into: &scratch)
                    scratch.withUnsafeBufferPointer { TextEscaping.appendCSVField($0, into: &out) }
                } else {
                    TextEscaping.appendCSVField(UnsafeBufferPointer(start: base + r.0, count: r.1 - r.0), into: &out)
                }
            }
            for _ in ranges.count..<max(ranges.count, header.count) { out.append(Byte.comma) }
        }
    }

    /// Original record text of row i (without line terminator).
    func recordText(_ i: Int) -> String {
        String(decoding: buffer[recordStart[i]..<recordEnd[i]], as: UTF8.self)
    }
}
