import Incidents

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
final class RecordEncoder {
    /// Encoded rows of one batch: byte ranges into `bytes`.
    struct Batch {
        var bytes: [UInt8] = []
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
            bytes.removeAll(keepingCapacity: true); key.removeAll(keepingCapacity: true)
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
    private let nameBytes: [[UInt8]]
    /// `"name":` JSON-escaped, per column.
    private let jsonNames: [[UInt8]]

    // Scratch reused across rows.
    private var raw: [UInt8] = []
    private var values: [UInt8] = []
    private var valueRange: [Range<Int>] = []
    private var normalized: [UInt8] = []

    /// Unit code arrays (one per `Schema.unitColumns`, nil when that layer is absent), one value per row.
    private let unitCodes: [[String?]?]

    init(table: IncidentTable, units: [[String?]?]) {
        precondition(units.count == Schema.unitColumns.count, "one code array (or nil) per unit column")
        self.table = table
        unitCodes = units
        columns = table.header.count
        idIndex = table.idColumn.flatMap { table.header.firstIndex(of: $0) }
        categoryIndex = table.categoryColumn.flatMap { table.header.firstIndex(of: $0) }
        nameBytes = table.header.map { Array($0.utf8) }
        let names = nameBytes
        sortedColumns = Array(0..<table.header.count).sorted { a, b in
            names[a].lexicographicallyPrecedes(names[b]) || (names[a] == names[b] && a < b)
        }
        jsonNames = names.map { n in
            var out: [UInt8] = [0x22]
            RecordEncoder.appendJSONEscaped(n[...], into: &out)
            out.append(contentsOf: [0x22, 0x3A])
            return out
        }
    }

    /// Encodes rows `range` into `batch` (cleared first).
    func encode(_ range: Range<Int>, into batch: inout Batch) {
        batch.removeAll()
        batch.bytes.reserveCapacity(range.count * 256)
        for i in range { encodeRow(i, into: &batch) }
    }

    private func encodeRow(_ i: Int, into batch: inout Batch) {
        raw.removeAll(keepingCapacity: true)
        table.writeRecord(i, into: &raw)
        splitFields()

        // Normalized form → hash.
        normalized.removeAll(keepingCapacity: true)
        for c in sortedColumns {
            let v = trimmed(valueRange[c])
            if v.isEmpty { continue }
            normalized.append(contentsOf: nameBytes[c])
            normalized.append(0x1F)
            normalized.append(contentsOf: values[v])
            normalized.append(0x1E)
        }
        let hashStart = batch.bytes.count
        batch.bytes.append(contentsOf: repeatElement(0, count: 32))
        normalized.withUnsafeBytes { n in
            batch.bytes.withUnsafeMutableBufferPointer { SHA256Digest.write(n, to: $0.baseAddress! + hashStart) }
        }
        let hash = hashStart..<batch.bytes.count
        batch.hash.append(hash)

        // Key.
        let keyStart = batch.bytes.count
        if let idIndex, case let v = trimmed(valueRange[idIndex]), !v.isEmpty {
            batch.bytes.append(contentsOf: values[v])
            batch.contentKeyed.append(false)
        } else {
            batch.contentKeyed.append(true)
            batch.bytes.append(contentsOf: [0x73, 0x68, 0x61, 0x3A])  // "sha:"
            for k in hash {
                let b = batch.bytes[k]
                batch.bytes.append(RecordEncoder.hex[Int(b >> 4)])
                batch.bytes.append(RecordEncoder.hex[Int(b & 0x0F)])
            }
        }
        batch.key.append(keyStart..<batch.bytes.count)

        // Category.
        if let categoryIndex, case let v = trimmed(valueRange[categoryIndex]), !v.isEmpty {
            let s = batch.bytes.count
            batch.bytes.append(contentsOf: values[v])
            batch.category.append(s..<batch.bytes.count)
        } else {
            batch.category.append(nil)
        }

        // Unit codes.
        var print: UInt64 = 0xcbf2_9ce4_8422_2325
        for codes in unitCodes {
            guard var code = codes?[i] else {
                batch.units.append(nil)
                print = (print ^ 0xFF) &* 0x100_0000_01b3
                continue
            }
            let s = batch.bytes.count
            code.withUTF8 { batch.bytes.append(contentsOf: $0) }
            for k in s..<batch.bytes.count { print = (print ^ UInt64(batch.bytes[k])) &* 0x100_0000_01b3 }
            print = (print ^ 0x1F) &* 0x100_0000_01b3
            batch.units.append(s..<batch.bytes.count)
        }
        batch.unitPrint.append(print)

        // Record as a JSON object, original (untrimmed) values in column order.
        let recStart = batch.bytes.count
        batch.bytes.append(0x7B)
        for c in 0..<columns {
            if c > 0 { batch.bytes.append(0x2C) }
            batch.bytes.append(contentsOf: jsonNames[c])
            batch.bytes.append(0x22)
            RecordEncoder.appendJSONEscaped(values[valueRange[c]], into: &batch.bytes)
            batch.bytes.append(0x22)
        }
        batch.bytes.append(0x7D)
        batch.record.append(recStart..<batch.bytes.count)
    }

    /// Splits the canonical RFC 4180 record in `raw` (`,`-separated, quoted only where needed) into
    /// decoded values in `values`, padded with empty values to the header width.
    private func splitFields() {
        values.removeAll(keepingCapacity: true)
        valueRange.removeAll(keepingCapacity: true)
        let n = raw.count
        raw.withUnsafeBufferPointer { r in
            var i = 0
            while true {
                let start = values.count
                if i < n && r[i] == 0x22 {
                    i += 1
                    while i < n {
                        if r[i] == 0x22 {
                            if i + 1 < n && r[i + 1] == 0x22 { values.append(0x22); i += 2; continue }
                            i += 1
                            break
                        }
                        values.append(r[i]); i += 1
                    }
                    while i < n && r[i] != 0x2C { values.append(r[i]); i += 1 }  // tolerate text after a closing quote
                } else {
                    let s = i
                    while i < n && r[i] != 0x2C { i += 1 }
                    values.append(contentsOf: UnsafeBufferPointer(rebasing: r[s..<i]))
                }
                valueRange.append(start..<values.count)
                if i >= n { break }
                i += 1  // comma
            }
        }
        while valueRange.count < columns { valueRange.append(values.count..<values.count) }
    }

    private func trimmed(_ r: Range<Int>) -> Range<Int> {
        var s = r.lowerBound, e = r.upperBound
        while s < e && (values[s] == 0x20 || values[s] == 0x09) { s += 1 }
        while e > s && (values[e - 1] == 0x20 || values[e - 1] == 0x09) { e -= 1 }
        return s..<e
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendJSONEscaped(_ s: ArraySlice<UInt8>, into out: inout [UInt8]) {
        for c in s {
            switch c {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0..<0x20:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30])
                out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 0xF)])
            default: out.append(c)
            }
        }
    }
}
