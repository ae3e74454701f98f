import Foundation
import Testing
@testable import Incidents
import TestSupport

/// A `"` inside an unquoted field is a literal character (as Python's csv, pandas and Excel read it),
/// and an unterminated quoted field costs its own line only. The whole-file, parallel and streamed
/// readers must agree on every file.
@Suite struct QuotingTests {
    /// Rows 1 and 3 hold a stray `"` (inches); row 5 a quoted field followed by text and another quote;
    /// row 6 a legitimate two-line quoted field; row 7 quotes inside an unquoted field.
    static let stray = """
    id,fecha_hecho,delito,descripcion,latitud,longitud
    1,2025-01-02 10:00:00,HURTO A PERSONAS,TV 32" ROBADO EN BUS,4.5981,-74.0760
    2,2025-01-03 11:00:00,HURTO A PERSONAS,SIN NOVEDAD,4.6460,-74.0775
    3,2025-01-04 12:00:00,HURTO A COMERCIO,TV 50" ROBADO DE VITRINA,4.6097,-74.0817
    4,2025-01-05 13:00:00,HURTO A PERSONAS,"CALLE 5, ""SUR\""",4.6200,-74.0700
    5,2025-01-06 14:00:00,HURTO A PERSONAS,"PANTALLA" 40" EN SALA,4.6300,-74.0900
    6,2025-01-07 15:00:00,HURTO A PERSONAS,"VARIAS
    LINEAS, CON COMA",4.6400,-74.0800
    7,2025-01-08 16:00:00,HURTO A PERSONAS,MEDIDA 3"X2",4.6500,-74.0850

    """

    /// What Python reads (golden/csv-stray-quotes-python.json, with the file it read, which must be `stray`):
    /// 7 records of 6 fields; the `descripcion` values, ids 1–7, lines from the file.
    struct PythonReading: Decodable { let csv: String; let descripcion: [String] }

    @Test func strayQuotesAreLiteralAsInPython() throws {
        let python = try Golden.load("csv-stray-quotes-python", as: PythonReading.self)
        #expect(python.csv == Self.stray, "the golden file records Python's reading of another input")
        let r = try readCSV(Self.stray)
        #expect(r.rejects.isEmpty)
        #expect(r.table.dataRows == 7 && r.table.count == 7)
        #expect((0..<7).map { r.table.fields($0)[3] } == python.descripcion)
        #expect((0..<7).map { r.table.id($0) } == ["1", "2", "3", "4", "5", "6", "7"])
        #expect(r.table.lines == [2, 3, 4, 5, 6, 7, 9])
        // Each row keeps its own coordinates (the merged row of the old parity rule carried row 3's).
        #expect(r.table.lat == [4.5981, 4.6460, 4.6097, 4.6200, 4.6300, 4.6400, 4.6500])
        // Written back as RFC 4180, which Python reads as the same values.
        #expect(r.table.record(0) == "1,2025-01-02 10:00:00,HURTO A PERSONAS,\"TV 32\"\" ROBADO EN BUS\",4.5981,-74.0760")
    }

    /// A quote that opens a field and never closes: its line is rejected as `unterminated_quote` and the
    /// next line is read normally — at the end of the file, and in the middle when the field would only
    /// close more than `CSVQuoting.maxLines` lines later.
    static func unterminated() -> String {
        var rows = ["id,fecha_hecho,delito,descripcion,latitud,longitud"]
        for k in 1...300 {
            let lat = String(format: "%.4f", 4.55 + Double(k % 50) * 0.002)
            switch k {
            case 20: rows.append("\(k),2025-02-01 10:00:00,HURTO A PERSONAS,\"NUNCA CIERRA,\(lat),-74.0800")
            case 200: rows.append("\(k),2025-02-01 10:00:00,HURTO A PERSONAS,\"CITADA\",\(lat),-74.0800")  // a quote 180 lines later
            case 250: rows.append("\(k),2025-02-01 10:00:00,HURTO A PERSONAS,\"DOS\nLINEAS\",\(lat),-74.0800")
            default: rows.append("\(k),2025-02-01 10:00:00,HURTO A PERSONAS,nota \(k),\(lat),-74.0800")
            }
        }
        rows.append("301,2025-02-01 10:00:00,HURTO A PERSONAS,\"HASTA EL FINAL,4.6,-74.08")
        return rows.joined(separator: "\n") + "\n"
    }

    @Test func unterminatedQuoteCostsOneLine() throws {
        let r = try readCSV(Self.unterminated())
        // 301 records; k = 20 (line 21) and k = 301 (line 303: k = 250 spans two lines) rejected.
        #expect(r.rejects.map { "\($0.line) \($0.reason.rawValue)" } == ["21 unterminated_quote", "303 unterminated_quote"])
        #expect(r.rejects[0].text == "20,2025-02-01 10:00:00,HURTO A PERSONAS,\"NUNCA CIERRA,4.5900,-74.0800")
        #expect(r.table.dataRows == 301 && r.table.count == 299)
        #expect(r.table.id(19) == "21" && r.table.lines[19] == 22)
        #expect(r.table.fields(198)[3] == "CITADA" && r.table.fields(248)[3] == "DOS\nLINEAS")
    }

    /// 3,000 rows (≈ 230 KB, so streamed blocks are cut in many places) mixing stray quotes (every 11th
    /// row), two-line quoted fields (every 37th) and quotes that never close (k = 20, 900, 1850, 2800),
    /// some of which straddle a block cut.
    static func mixed() -> String {
        var rows = ["id,fecha_hecho,delito,descripcion,latitud,longitud"]
        for k in 1...3000 {
            let lat = String(format: "%.4f", 4.55 + Double(k % 50) * 0.002)
            let nota: String
            if [20, 900, 1850, 2800].contains(k) { nota = "\"NUNCA CIERRA" }
            else if k % 37 == 0 { nota = "\"DOS\nLINEAS, \"\"CITA\"\"\"" }
            else if k % 11 == 0 { nota = "TV \(k % 90)\" ROBADO" }
            else { nota = "nota \(k) relleno relleno" }
            rows.append("\(k),2025-02-01 10:00:00,HURTO A PERSONAS,\(nota),\(lat),-74.0800")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Whole file = parallel chunks (any worker count) = streamed blocks (any block size).
    @Test func allReadersAgree() throws {
        let dir = try TestFiles.tempDir("quoting").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in [("stray", Self.stray), ("unterminated", Self.unterminated()), ("mixed", Self.mixed())] {
            let data = Array(text.utf8)
            let whole = try IncidentReader.read(data: data, source: "q.csv", format: .csv, options: ReadOptions(),
                                                parallelThreshold: Int.max, maxWorkers: 1)
            if name == "mixed" {
                #expect(whole.table.dataRows == 3000 && whole.table.count == 2996)
                #expect(whole.rejects.map(\.reason) == Array(repeating: .unterminatedQuote, count: 4))
            }
            for workers in [2, 3, 7, 16] {
                let par = try IncidentReader.read(data: data, source: "q.csv", format: .csv, options: ReadOptions(),
                                                  parallelThreshold: 0, maxWorkers: workers)
                #expect(par.table.lines == whole.table.lines && par.rejects == whole.rejects, "\(name) workers \(workers)")
                #expect((0..<par.table.count).map { par.table.record($0) } == (0..<whole.table.count).map { whole.table.record($0) })
            }
            let path = dir + "/\(name).csv"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            for blockBytes in [1, 60, 97, 1000, 70_000, 1 << 20] {
                let s = try IncidentStream(path: path, options: ReadOptions(), blockBytes: blockBytes)
                var rows = [String](), lines = [Int32](), rejects = [RejectedRow](), dataRows = 0
                while let r = try s.next() {
                    rows += (0..<r.table.count).map { r.table.record($0) }
                    lines += r.table.lines; rejects += r.rejects; dataRows += r.table.dataRows
                }
                #expect(rows == (0..<whole.table.count).map { whole.table.record($0) }, "\(name) block \(blockBytes)")
                #expect(lines == whole.table.lines && rejects == whole.rejects && dataRows == whole.table.dataRows, "\(name) block \(blockBytes)")
            }
        }
    }

    /// The value decoder follows the same rule as the scanner.
    @Test func fieldDecoding() {
        func decode(_ s: String) -> String {
            let b = Array(s.utf8)
            return b.withUnsafeBufferPointer { CSVText.value($0.baseAddress!, 0, b.count) }
        }
        #expect(decode("TV 32\" ROBADO") == "TV 32\" ROBADO")
        #expect(decode("\"a\"\"b\"") == "a\"b")
        #expect(decode("\"PANTALLA\" 40\"") == "PANTALLA 40\"")
        #expect(decode(" \"x\"") == " \"x\"")   // not at the field start: literal, as in Python
        #expect(decode("\"\"") == "")
    }
}
