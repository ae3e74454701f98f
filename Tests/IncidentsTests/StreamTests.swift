import Foundation
import Localization
import Testing
@testable import Incidents
import TestSupport

/// `IncidentStream` must give, block by block, exactly what `IncidentReader.read` gives for the whole file.
@Suite struct StreamTests {
    /// 300 rows with the awkward cases spread over many blocks: quoted fields holding commas, quotes
    /// and line breaks (a record over three physical lines), an id repeated 250 lines later, bad
    /// coordinates and dates, blank lines, CRLF endings, and no final newline.
    static func awkwardCSV() -> String {
        var rows = ["id,fecha_hecho,delito,latitud,longitud,nota"]
        for k in 1...300 {
            let lat = String(format: "%.6f", 4.6 + Double(k % 37) * 0.001), lon = String(format: "%.6f", -74.1 + Double(k % 41) * 0.001)
            switch k % 50 {
            case 7: rows.append("I\(k),2025-01-02 10:00:00,HURTO A PERSONAS,\(lat),\(lon),\"varias\nlíneas, con \"\"comillas\"\"\ny comas\"")
            case 13: rows.append("I\(k),2025-01-02 10:00:00,HURTO A PERSONAS,,\(lon),sin latitud")
            case 21: rows.append("I\(k),no es fecha,LESIONES PERSONALES,\(lat),\(lon),")
            case 29: rows.append("")                                  // blank line: not a data row
            case 33: rows.append("I\(k - 30),2025-03-01 08:00:00,HURTO DE CELULARES,\(lat),\(lon),repetido")
            case 41: rows.append("I\(k),2025-01-05 23:59:59,HOMICIDIOS,\(lat),\(lon),\"coma, dentro\"\r")
            default: rows.append("I\(k),2025-01-0\(1 + k % 9) 12:00:00,HURTO A PERSONAS,\(lat),\(lon),nota \(k)")
            }
        }
        rows.append("I1,2025-12-31 00:00:00,HURTO A PERSONAS,4.6,-74.1,el primero otra vez")   // dup of line 2, far away
        return rows.joined(separator: "\n")                           // no final newline
    }

    func streamAll(_ path: String, blockBytes: Int) throws -> (rows: [String], lines: [Int32], lat: [Double], time: [Int64],
                                                                 rejects: [RejectedRow], dataRows: Int, hashed: [UInt8]) {
        let s = try IncidentStream(path: path, options: ReadOptions(), blockBytes: blockBytes)
        var hashed = [UInt8]()
        s.onRawBytes = { hashed.append(contentsOf: $0) }
        var rows = [String](), lines = [Int32](), lat = [Double](), time = [Int64](), rejects = [RejectedRow](), dataRows = 0
        while let r = try s.next() {
            for i in 0..<r.table.count { rows.append(r.table.record(i)) }
            lines += r.table.lines; lat += r.table.lat; time += r.table.time
            rejects += r.rejects; dataRows += r.table.dataRows
        }
        #expect(s.dataRows == dataRows && s.accepted == rows.count && s.rejected == rejects.count)
        return (rows, lines, lat, time, rejects, dataRows, hashed)
    }

    @Test func blocksEqualWholeFile() throws {
        let dir = try TestFiles.tempDir("stream").path
        let path = dir + "/awkward.csv"
        let text = StreamTests.awkwardCSV()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let whole = try IncidentReader.read(path: path, options: ReadOptions())
        // Hand check of the whole-file result the stream must match: 300 data rows (6 blank), of which
        // 6 lack a latitude (k = 13, 63, …), 6 have a bad date, 6 + 1 repeat an earlier id.
        #expect(whole.table.dataRows == 295)
        #expect(whole.rejects.filter { $0.reason == .duplicateId }.count == 7)
        #expect(whole.rejects.first { $0.reason == .duplicateId && $0.detail.contains("'I1'") }?.detail == tr("id='I1' (visto por primera vez en la línea 2)", "id='I1' (first seen on line 2)"))
        #expect(whole.rejects.count == 19 && whole.table.count == 276)

        for blockBytes in [1, 97, 1000, 4096, 1 << 20] {
            let s = try streamAll(path, blockBytes: blockBytes)
            #expect(s.dataRows == whole.table.dataRows, "block \(blockBytes)")
            #expect(s.rows == (0..<whole.table.count).map { whole.table.record($0) }, "block \(blockBytes)")
            #expect(s.lines == whole.table.lines && s.lat == whole.table.lat && s.time == whole.table.time, "block \(blockBytes)")
            #expect(s.rejects.sorted { $0.line < $1.line } == whole.rejects, "block \(blockBytes)")
            #expect(s.hashed == Array(text.utf8), "block \(blockBytes)")
        }
    }

    @Test func latin1BlocksAndErrors() throws {
        let dir = try TestFiles.tempDir("stream-l1").path
        // Windows-1252 bytes ("Engativá" with á = 0xE1) only in the last rows.
        var bytes = Array("id;fecha;delito;latitud;longitud;localidad\n".utf8)
        for k in 1...60 {
            bytes += Array("\(k);2025-02-01;HURTO;4,70;-74,10;".utf8) + (k > 50 ? Array("Engativ".utf8) + [0xE1] : Array("Suba".utf8)) + [0x0A]
        }
        let path = dir + "/latin1.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let whole = try IncidentReader.read(path: path, options: ReadOptions())
        let s = try IncidentStream(path: path, options: ReadOptions(), blockBytes: 200)
        var fields = [[String]]()
        while let r = try s.next() { fields += (0..<r.table.count).map { r.table.fields($0) } }
        #expect(fields == (0..<whole.table.count).map { whole.table.fields($0) })
        #expect(fields.last?.last == "Engativá" && s.encoding == whole.table.encoding)

        // Every row rejected: the blocks come back, then the same error as a whole-file read.
        let bad = dir + "/bad.csv"
        try "id,latitud,longitud\n1,x,y\n2,,\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let b = try IncidentStream(path: bad, options: ReadOptions(), blockBytes: 8)
        #expect(throws: IncidentReadError.noValidRows(path: bad, rejected: 2)) { while try b.next() != nil {} }
        let empty = dir + "/empty.csv"
        try "id,latitud,longitud\n".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect(throws: IncidentReadError.empty(path: empty)) { let e = try IncidentStream(path: empty, options: ReadOptions()); while try e.next() != nil {} }
        #expect(throws: IncidentReadError.self) { _ = try IncidentStream(path: dir + "/missing.csv", options: ReadOptions()) }
    }
}
