import Incidents
import Primitives

/// Turns accepted rows into what the store keeps: the incident key, the content hash, the category,
/// the unit codes and the original record as a JSON object. Works on bytes (no `String` per field),
/// so that the writer binds ranges of one buffer.
///
/// **Content hash** = SHA-256 (hex) of the normalized record: the non-empty field values, trimmed of
/// spaces/tabs, paired with their column names and taken in column-name order
/// (`name 0x1F value 0x1E …`). Column order, surrounding blanks, empty columns and the line number do
/// not change it, so the same incident exported twice (or in overlapping exports) hashes the same.
///
/// Stored as the 32 raw bytes (`incidents.content_hash` BLOB).
///
/// **Key** = the trimmed id when the export has an id column and the row's id is non-empty,
/// otherwise `sha:` + content hash (`contentKeyed`); `IngestSession` appends `#k` to the k-th (k ≥ 2)
/// identical content-keyed row of one file, so identical rows of one export stay separate incidents.
///
/// The row loop runs on raw pointers held in locals: written with array appends and scratch arrays
/// held by the class (uniqueness and exclusivity checks per byte or per field), it took a quarter of
/// an ingest's CPU.
final class RecordEncoder: Sendable {        // immutable: shared with the encode-ahead thread
    /// Encoded rows of one batch: byte ranges into `bytes`.
    struct Batch {
        var bytes = ByteBuffer()
        var key: [Range<Int>] = []
        /// The 32 raw bytes of the content hash (stored as a BLOB).
        var hash: [Range<Int>] = []
        /// nil: no category column or empty value.
        var category: [Range<Int>?] = []
        var record: [Range<Int>] = []
        /// The key is `sha:` + content hash (no id).
        var contentKeyed: [Bool] = []
        /// Unit codes, one per `Schema.unitColumns` per row (row-major; nil: no code).
        var units: [Range<Int>?] = []
        /// Per row, a fingerprint of its unit codes (FNV-1a of their bytes): rows of one tile with the
        /// same fingerprint need no `unit_tiles` lookup.
        var unitPrint: [UInt64] = []

        mutating func removeAll() {
            contentKeyed.removeAll(keepingCapacity: true)
            bytes.count = 0; key.removeAll(keepingCapacity: true)
            hash.removeAll(keepingCapacity: true); category.removeAll(keepingCapacity: true)
            record.removeAll(keepingCapacity: true)
            units.removeAll(keepingCapacity: true); unitPrint.removeAll(keepingCapacity: true)
        }
    }

    private let table: IncidentTable
    private let columns: Int
    private let idIndex: Int?
    private let categoryIndex: Int?
    /// Column indexes in name order (ties by position).
    private let sortedColumns: [Int]
    /// Column names, then `"name":` JSON-escaped, per column, as ranges of `names`.
    private let names: [UInt8]
    private let nameRange: [Range<Int>]
    private let jsonNameRange: [Range<Int>]

    /// Unit code arrays (one per `Schema.unitColumns`, nil when that layer is absent), one value per row.
    private let unitCodes: [[String?]?]

    init(table: IncidentTable, units: [[String?]?]) {
        precondition(units.count == Schema.unitColumns.count, "one code array (or nil) per unit column")
        precondition(!table.header.isEmpty, "a table has at least one column")
        self.table = table
        unitCodes = units
        columns = table.header.count
        idIndex = table.idColumn.flatMap { table.header.firstIndex(of: $0) }
        categoryIndex = table.categoryColumn.flatMap { table.header.firstIndex(of: $0) }
        let plain = table.header.map { Array($0.utf8) }
        sortedColumns = Array(0..<table.header.count).sorted { a, b in
            plain[a].lexicographicallyPrecedes(plain[b]) || (plain[a] == plain[b] && a < b)
        }
        var names: [UInt8] = [], nameRange: [Range<Int>] = [], jsonNameRange: [Range<Int>] = []
        for n in plain {
            let s = names.count
            names.append(contentsOf: n)
            nameRange.append(s..<names.count)
        }
        for n in plain {
            let s = names.count
            names.append(0x22)
            let escaped = n.withUnsafeBufferPointer { RecordEncoder.jsonEscaped($0) }
            names.append(contentsOf: escaped)
            names.append(contentsOf: [0x22, 0x3A])
            jsonNameRange.append(s..<names.count)
        }
        self.names = names; self.nameRange = nameRange; self.jsonNameRange = jsonNameRange
    }

    /// Encodes rows `range` into `batch` (cleared first).
    func encode(_ range: Range<Int>, into batch: inout Batch) {
        batch.removeAll()
        batch.bytes.reserve(range.count * 320)
        let columns = self.columns
        // Per-row scratch: the canonical record, its decoded values, their bounds, the normalized form.
        var raw: [UInt8] = []
        raw.reserveCapacity(1024)
        let values = ByteBuffer(), normalized = ByteBuffer()
        let start = UnsafeMutablePointer<Int>.allocate(capacity: columns)
        let end = UnsafeMutablePointer<Int>.allocate(capacity: columns)
        defer { start.deallocate(); end.deallocate() }
        names.withUnsafeBufferPointer { namesBuffer in
            let names = namesBuffer.baseAddress!
            for i in range {
                raw.removeAll(keepingCapacity: true)
                table.writeRecord(i, into: &raw)
                raw.withUnsafeBufferPointer { r in
                    values.count = 0
                    values.reserve(r.count)
                    RecordEncoder.split(r, columns: columns, into: values.base, start: start, end: end)
                }
                let v = values.base
                @inline(__always) func trimmed(_ c: Int) -> (Int, Int) {
                    var s = start[c], e = end[c]
                    while s < e && (v[s] == 0x20 || v[s] == 0x09) { s += 1 }
                    while e > s && (v[e - 1] == 0x20 || v[e - 1] == 0x09) { e -= 1 }
                    return (s, e)
                }

                // Normalized form → hash.
                normalized.count = 0
                normalized.reserve(nameRange.last!.upperBound + end[columns - 1] + 2 * columns)
                let n = normalized.base; var nc = 0
                for c in sortedColumns {
                    let (s, e) = trimmed(c)
                    if s == e { continue }
                    let nr = nameRange[c]
                    (n + nc).update(from: names + nr.lowerBound, count: nr.count); nc += nr.count
                    n[nc] = 0x1F; nc += 1
                    (n + nc).update(from: v + s, count: e - s); nc += e - s
                    n[nc] = 0x1E; nc += 1
                }
                normalized.count = nc

                // Worst case of this row: hash, key ("sha:" + hex, or the id), category, JSON record (6 bytes per
                // escaped byte).
                batch.bytes.reserve(32 + 68 + end[columns - 1] * 8 + namesBuffer.count + 3 * columns + 2)
                var out = batch.bytes.base, oc = batch.bytes.count
                let hash = oc..<(oc + 32)
                SHA256Digest.write(UnsafeRawBufferPointer(start: n, count: nc), to: out + oc)
                oc += 32
                batch.hash.append(hash)

                // Key.
                let keyStart = oc
                if let idIndex, case let (s, e) = trimmed(idIndex), s < e {
                    (out + oc).update(from: v + s, count: e - s); oc += e - s
                    batch.contentKeyed.append(false)
                } else {
                    batch.contentKeyed.append(true)
                    out[oc] = 0x73; out[oc + 1] = 0x68; out[oc + 2] = 0x61; out[oc + 3] = 0x3A  // "sha:"
                    oc += 4
                    for k in hash {
                        let b = out[k]
                        out[oc] = RecordEncoder.hexDigit(b >> 4); out[oc + 1] = RecordEncoder.hexDigit(b & 0x0F)
                        oc += 2
                    }
                }
                batch.key.append(keyStart..<oc)

                // Category.
                if let categoryIndex, case let (s, e) = trimmed(categoryIndex), s < e {
                    (out + oc).update(from: v + s, count: e - s)
                    batch.category.append(oc..<(oc + e - s))
                    oc += e - s
                } else {
                    batch.category.append(nil)
                }

                // Record as a JSON object, original (untrimmed) values in column order.
                let recStart = oc
                out[oc] = 0x7B; oc += 1
                for c in 0..<columns {
                    if c > 0 { out[oc] = 0x2C; oc += 1 }
                    let jr = jsonNameRange[c]
                    (out + oc).update(from: names + jr.lowerBound, count: jr.count); oc += jr.count
                    out[oc] = 0x22; oc += 1
                    oc += TextEscaping.writeJSONEscaped(v + start[c], count: end[c] - start[c], to: out + oc)
                    out[oc] = 0x22; oc += 1
                }
                out[oc] = 0x7D; oc += 1
                batch.record.append(recStart..<oc)
                batch.bytes.count = oc

                // Unit codes (their length is only known here).
                var print: UInt64 = 0xcbf2_9ce4_8422_2325
                for codes in unitCodes {
                    guard var code = codes?[i] else {
                        batch.units.append(nil)
                        print = (print ^ 0xFF) &* 0x100_0000_01b3
                        continue
                    }
                    code.withUTF8 { u in
                        batch.bytes.reserve(u.count)
                        out = batch.bytes.base; oc = batch.bytes.count
                        for b in u {
                            out[oc] = b; oc += 1
                            print = (print ^ UInt64(b)) &* 0x100_0000_01b3
                        }
                        batch.units.append(batch.bytes.count..<oc)
                        batch.bytes.count = oc
                    }
                    print = (print ^ 0x1F) &* 0x100_0000_01b3
                }
                batch.unitPrint.append(print)
            }
        }
    }

    /// Splits the canonical RFC 4180 record `r` (`,`-separated, quoted only where needed, as
    /// `IncidentTable.writeRecord` writes it) into decoded values at `out` (room for `r.count` bytes),
    /// `columns` of them (missing ones empty, extra ones dropped), value `c` at `start[c]..<end[c]`.
    private static func split(_ r: UnsafeBufferPointer<UInt8>, columns: Int, into out: UnsafeMutablePointer<UInt8>,
                              start: UnsafeMutablePointer<Int>, end: UnsafeMutablePointer<Int>) {
        let n = r.count
        var i = 0, o = 0, c = 0
        while c < columns {
            start[c] = o
            if i < n && r[i] == 0x22 {
                i += 1
                while i < n {
                    if r[i] == 0x22 {
                        if i + 1 < n && r[i + 1] == 0x22 { out[o] = 0x22; o += 1; i += 2; continue }
                        i += 1
                        break
                    }
                    out[o] = r[i]; o += 1; i += 1
                }
                while i < n && r[i] != 0x2C { out[o] = r[i]; o += 1; i += 1 }  // tolerate text after a closing quote
            } else {
                while i < n && r[i] != 0x2C { out[o] = r[i]; o += 1; i += 1 }
            }
            end[c] = o
            c += 1
            if i >= n { break }
            i += 1  // comma
        }
        while c < columns { start[c] = o; end[c] = o; c += 1 }
    }

    @inline(__always)
    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }

    /// `s` JSON-escaped (inside a string).
    private static func jsonEscaped(_ s: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let base = s.baseAddress, s.count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: 6 * s.count) { out, initialized in
            initialized = TextEscaping.writeJSONEscaped(base, count: s.count, to: out.baseAddress!)
        }
    }
}
