import Foundation

/// The official SDSCJ table "Delitos de Alto Impacto por UPZ" (PROVENANCE.md §6b), reduced to the counts
/// the simulator draws from: one row per UPZ, one column per high-impact category, summed over the
/// calibration years.
///
/// Columns read: `CMIUUPLA` (UPZ code, joins to the `upz` layer's `UPlCodigo`), `CMNOMUPLA` (name, optional)
/// and `CM<X><yy>CONT` per category code X and two-digit year yy (the celulares columns are truncated to
/// `CMHCE<yy>CON` in the source; both spellings are accepted). `UPZ999` ("Sin Localización") has no
/// polygon and is excluded, and reported in `excludedRows`. `CMHF…` (probably hurto a entidades
/// financieras, unverified) is not one of the eleven categories and is ignored.
public struct CalibrationTable: Sendable {
    /// The file the table was read from.
    public let path: String
    /// UPZ codes, e.g. "UPZ48", in file order (UPZ999 excluded).
    public let upzCodes: [String]
    /// UPZ names from `CMNOMUPLA` ("" when the column is absent), parallel to `upzCodes`.
    public let upzNames: [String]
    /// Category names, in Spanish, exactly as SDSCJ spells them (see `CalibrationTable.categoryCodes`).
    public let categories: [String]
    /// `counts[upz][category]`: events summed over `years`.
    public let counts: [[Double]]
    /// The calibration years that were summed.
    public let years: [Int]
    /// Rows left out, one description each (code, name, line, events over the years), e.g. UPZ999.
    public let excludedRows: [String]

    /// The eleven SDSCJ high-impact categories: column code → Spanish name.
    public static let categoryCodes: [(code: String, name: String)] = [
        ("H", "HOMICIDIOS"),
        ("LP", "LESIONES PERSONALES"),
        ("HP", "HURTO A PERSONAS"),
        ("HR", "HURTO A RESIDENCIAS"),
        ("HA", "HURTO DE AUTOMOTORES"),
        ("HB", "HURTO DE BICICLETAS"),
        ("HC", "HURTO A COMERCIO"),
        ("HCE", "HURTO DE CELULARES"),
        ("HM", "HURTO DE MOTOCICLETAS"),
        ("DS", "DELITOS SEXUALES"),
        ("VI", "VIOLENCIA INTRAFAMILIAR"),
    ]

    /// UPZ codes that are in the table but have no place on the map.
    public static let excludedCodes: Set<String> = ["UPZ999"]

    /// Builds a table from values (tests, other sources). `counts[u].count` must equal `categories.count`.
    public init(path: String, upzCodes: [String], upzNames: [String]? = nil, categories: [String],
                counts: [[Double]], years: [Int], excludedRows: [String] = []) {
        precondition(counts.count == upzCodes.count && counts.allSatisfy { $0.count == categories.count })
        self.path = path
        self.upzCodes = upzCodes
        self.upzNames = upzNames ?? Array(repeating: "", count: upzCodes.count)
        self.categories = categories
        self.counts = counts
        self.years = years
        self.excludedRows = excludedRows
    }

    /// Total events of one category over all UPZ.
    public func total(category: String) -> Double {
        guard let c = categories.firstIndex(of: category) else { return 0 }
        return counts.reduce(0) { $0 + $1[c] }
    }

    /// Total events of one UPZ over all categories.
    public func total(upz: String) -> Double {
        guard let u = upzCodes.firstIndex(of: upz) else { return 0 }
        return counts[u].reduce(0, +)
    }

    /// Total events in the table.
    public var grandTotal: Double { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Reads the SDSCJ CSV (UTF-8, optional BOM, ',' separator, RFC 4180 quoting, LF or CRLF) and sums
    /// each category over `years` (2000–2099). Every problem names file, line and column.
    public static func load(path: String, years: [Int]) throws -> CalibrationTable {
        guard !years.isEmpty, Set(years).count == years.count, years.allSatisfy({ (2000...2099).contains($0) }) else {
            throw SimulationError.invalidYears(years)
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SimulationError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        let rows = try CSVRecords.parse([UInt8](data), path: path)
        guard let header = rows.first, !(header.fields.count == 1 && header.fields[0].isEmpty) else {
            throw SimulationError.emptyFile(path: path)
        }
        var column: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() where column[name] == nil { column[name] = i }
        func require(_ name: String) throws -> Int {
            guard let i = column[name] else { throw SimulationError.missingColumn(path: path, line: header.line, column: name) }
            return i
        }
        let codeColumn = try require("CMIUUPLA")
        let nameColumn = column["CMNOMUPLA"]
        // [category][year] → column index.
        var countColumns: [[Int]] = []
        for (code, _) in categoryCodes {
            var perYear: [Int] = []
            for y in years {
                let yy = String(format: "%02d", y % 100)
                let full = "CM\(code)\(yy)CONT"
                if let i = column[full] ?? column[String(full.prefix(10))] { perYear.append(i) } else {
                    throw SimulationError.missingColumn(path: path, line: header.line, column: full)
                }
            }
            countColumns.append(perYear)
        }

        var codes: [String] = [], names: [String] = [], counts: [[Double]] = [], excluded: [String] = []
        var firstLine: [String: Int] = [:]
        let yearText = years.count == 1 ? "\(years[0])" : "\(years.min()!)–\(years.max()!)"
        for row in rows.dropFirst() {
            if row.fields.count == 1 && row.fields[0].isEmpty { continue }   // blank line
            guard row.fields.count == header.fields.count else {
                throw SimulationError.wrongFieldCount(path: path, line: row.line, expected: header.fields.count, found: row.fields.count)
            }
            let code = row.fields[codeColumn].trimmingCharacters(in: .whitespaces)
            guard !code.isEmpty else { throw SimulationError.emptyUPZCode(path: path, line: row.line, column: codeColumn + 1) }
            if let first = firstLine[code] {
                throw SimulationError.duplicateUPZ(path: path, line: row.line, column: codeColumn + 1, code: code, firstLine: first)
            }
            firstLine[code] = row.line
            var values: [Double] = []
            values.reserveCapacity(countColumns.count)
            for perYear in countColumns {
                var sum = 0.0
                for c in perYear {
                    let text = row.fields[c].trimmingCharacters(in: .whitespaces)
                    guard let v = Double(text), v.isFinite, v >= 0 else {
                        throw SimulationError.badNumber(path: path, line: row.line, column: c + 1, name: header.fields[c], value: row.fields[c])
                    }
                    sum += v
                }
                values.append(sum)
            }
            let name = nameColumn.map { row.fields[$0] } ?? ""
            if excludedCodes.contains(code) {
                let total = values.reduce(0, +)
                excluded.append("\(code) \"\(name)\" (line \(row.line)): \(formatCount(total)) events \(yearText), no polygon, excluded")
                continue
            }
            codes.append(code); names.append(name); counts.append(values)
        }
        return CalibrationTable(path: path, upzCodes: codes, upzNames: names, categories: categoryCodes.map(\.name),
                                counts: counts, years: years, excludedRows: excluded)
    }

    static func formatCount(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}

/// A minimal RFC 4180 reader over UTF-8 bytes that keeps the line where each record starts.
enum CSVRecords {
    struct Record { var line: Int; var fields: [String] }

    static func parse(_ bytes: [UInt8], path: String) throws -> [Record] {
        var i = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var records: [Record] = []
        var line = 1
        var fields: [String] = []
        var field: [UInt8] = []
        var recordLine = 1
        var inQuotes = false, quoteLine = 1, quoteColumn = 1
        let n = bytes.count
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        while i < n {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < n, bytes[i + 1] == UInt8(ascii: "\"") { field.append(b); i += 2; continue }
                    inQuotes = false; i += 1; continue
                }
                if b == UInt8(ascii: "\n") { line += 1 }
                field.append(b); i += 1; continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inQuotes = true; quoteLine = line; quoteColumn = fields.count + 1
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\r") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "\n"):
                break
            case UInt8(ascii: "\n"):
                endField()
                records.append(Record(line: recordLine, fields: fields))
                fields.removeAll(keepingCapacity: true)
                line += 1; recordLine = line
            default:
                field.append(b)
            }
            i += 1
        }
        if inQuotes { throw SimulationError.unterminatedQuote(path: path, line: quoteLine, column: quoteColumn) }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}
