import Foundation
import Localization
import Testing
@testable import Incidents
import TestSupport

@Suite struct CSVReadingTests {
    @Test func bomSemicolonAndDecimalComma() throws {
        let r = try readCSV("\u{FEFF}fecha;latitud;longitud;delito\r\n2021-03-04;4,6097;-74,0817;Hurto\r\n")
        let t = r.table
        #expect(t.encoding == "UTF-8 (BOM)")
        #expect(t.delimiter == UInt8(ascii: ";"))
        #expect(t.header == ["fecha", "latitud", "longitud", "delito"])
        #expect(t.count == 1 && r.rejects.isEmpty)
        #expect(t.lat == [4.6097] && t.lon == [-74.0817])
        #expect(t.time == [1_614_816_000])
        #expect(t.timeColumn == "fecha" && t.categoryColumn == "delito" && t.idColumn == nil)
        #expect(t.category(0) == "Hurto")
        #expect(t.id(0) == nil)
        #expect(t.lines == [2])
        // Re-written with ',' separators: the decimal-comma fields must be quoted.
        #expect(t.record(0) == "2021-03-04,\"4,6097\",\"-74,0817\",Hurto")
    }

    @Test func latin1IsTranscoded() throws {
        var bytes = Array("localidad,latitud,longitud\nUsaqu".utf8)
        bytes.append(0xE9)  // é in ISO-8859-1
        bytes += Array("n,4.70,-74.03\nEngativ".utf8)
        bytes.append(0xE1)  // á
        bytes += Array(",4.70,-74.11\n".utf8)
        let r = try readBytes(bytes)
        #expect(r.table.encoding == "ISO-8859-1")
        #expect(r.table.fields(0) == ["Usaquén", "4.70", "-74.03"])
        #expect(r.table.fields(1) == ["Engativá", "4.70", "-74.11"])
        #expect(r.table.record(1) == "Engativá,4.70,-74.11")
    }

    @Test func plainUTF8() throws {
        let r = try readCSV("lat,lon\n4.6,-74.1")  // no trailing newline
        #expect(r.table.encoding == "UTF-8")
        #expect(r.table.delimiter == UInt8(ascii: ","))
        #expect(r.table.count == 1 && r.table.dataRows == 1)
        #expect(r.table.time == [Int64.min])
    }

    @Test func quotedFieldsAndLineNumbers() throws {
        for eol in ["\n", "\r\n"] {
            let text = ["id,descripcion,latitud,longitud",
                        "1,\"calle 5, \"\"sur\"\"\(eol)barrio x\",4.6,-74.1",
                        "",
                        "2,simple,4.61,-74.11",
                        "3,\"otra\(eol)\(eol)más\",4.62,-74.12",
                        "4,x,4.63,-74.13"].joined(separator: eol) + eol
            let r = try readCSV(text)
            let t = r.table
            #expect(t.count == 4 && r.rejects.isEmpty)
            #expect(t.dataRows == 4)  // the blank line is not a data row
            #expect(t.lines == [2, 5, 6, 9])
            #expect(t.fields(0) == ["1", "calle 5, \"sur\"\(eol)barrio x", "4.6", "-74.1"])
            #expect(t.fields(2)[1] == "otra\(eol)\(eol)más")
            #expect(t.id(0) == "1")
            #expect(t.record(0) == "1,\"calle 5, \"\"sur\"\"\(eol)barrio x\",4.6,-74.1")
            #expect(t.record(1) == "2,simple,4.61,-74.11")
        }
    }

    @Test func writeRecordRoundTrips() throws {
        let text = "a;latitud;longitud;b\n\"x;\"\"y\"\"\";4,5;-74,1;\" padded \"\nplain;4.5;-74.1;\n"
        let r = try readCSV(text)
        #expect(r.table.count == 2)
        var out = Array((r.table.header.joined(separator: ",") + "\n").utf8)
        for i in 0..<r.table.count { r.table.writeRecord(i, into: &out); out.append(0x0A) }
        #expect(String(decoding: out, as: UTF8.self) == "a,latitud,longitud,b\n\"x;\"\"y\"\"\",\"4,5\",\"-74,1\", padded \nplain,4.5,-74.1,\n")
        let again = try readBytes(out)
        for i in 0..<2 { #expect(again.table.fields(i) == r.table.fields(i)) }
        #expect(again.table.lat == r.table.lat && again.table.lon == r.table.lon)
    }

    @Test func shortRecordsArePadded() throws {
        let r = try readCSV("latitud,longitud,delito,id\n4.6,-74.1\n4.6\n")
        #expect(r.table.count == 1)
        #expect(r.table.fields(0) == ["4.6", "-74.1", "", ""])
        #expect(r.table.record(0) == "4.6,-74.1,,")
        #expect(r.table.category(0) == "")
        #expect(r.rejects.map(\.reason) == [.missingCoordinate])
        #expect(r.rejects.first?.field == "longitud")
    }

    @Test func trailingEmptyFieldsAreTolerated() throws {
        let r = try readCSV("latitud;longitud\n4,6;-74,1;\n4,6;-74,1;x\n")
        #expect(r.table.count == 1)
        #expect(r.table.fields(0) == ["4,6", "-74,1"])
        #expect(r.rejects.map(\.reason) == [.malformedRecord])
        #expect(r.rejects.first?.detail == tr("3 campos, el encabezado tiene 2", "3 fields, header has 2"))
    }

    /// One data row per reason, with the exact line and field of each reject.
    @Test func everyRejectReason() throws {
        let text = """
        id,fecha,latitud,longitud
        1,2021-01-01,4.6,-74.1
        2,2021-01-01,,-74.1
        3,2021-01-01,abc,-74.1
        4,2021-01-01,4.6,NaN
        5,2021-01-01,95,-74.1
        6,2021-01-01,0,0
        7,2021-01-01,-74.07,4.71
        8,,4.6,-74.1
        9,2021-02-29,4.6,-74.1
        1,2021-01-02,4.6,-74.1
        10,2021-01-01,4.6,-74.1,extra

        11,2021-01-01,4.6,-74.1
        12,"2021-01-01,4.6,-74.1

        """
        let r = try readCSV(text, options: ReadOptions(expectedLonLatBox: bogotaBox))
        let got = r.rejects.map { "\($0.line) \($0.reason.rawValue) \($0.field ?? "-")" }
        #expect(got == [
            "3 missing_coordinate latitud",
            "4 non_numeric_coordinate latitud",
            "5 non_finite_coordinate longitud",
            "6 out_of_range latitud",
            "7 null_island latitud,longitud",
            "8 swapped_lat_lon latitud,longitud",
            "9 missing_date fecha",
            "10 unparseable_date fecha",
            "11 duplicate_id id",
            "12 malformed_record -",
            "15 unterminated_quote -",
        ])
        #expect(Set(r.rejects.map(\.reason)) == Set(RejectReason.allCases))
        #expect(r.table.lines == [2, 14])
        #expect(r.table.dataRows == 13)
        #expect(r.table.dataRows == r.table.count + r.rejects.count)
        #expect(r.rejects[1].detail == "latitud='abc'")
        #expect(r.rejects[1].text == "3,2021-01-01,abc,-74.1")
        #expect(r.rejects[8].detail == tr("id='1' (visto por primera vez en la línea 2)", "id='1' (first seen on line 2)"))
        #expect(r.rejects[10].detail.hasPrefix(tr("comillas sin cerrar", "unterminated quote")))
        // Cut at the end of the line where the quote opened.
        #expect(r.rejects[10].text == "12,\"2021-01-01,4.6,-74.1")
        #expect(r.rejectCounts[.malformedRecord] == 1 && r.rejectCounts[.unterminatedQuote] == 1)
        #expect(r.rejectCounts[.duplicateId] == 1)
    }

    @Test func coordinateForms() throws {
        let text = """
        latitud,longitud
        4.6e0,-7.41E1
        +4.600000000000000000001," -74.1 "
        " 4.6",-74.1
        inf,-74.1
        -Infinity,-74.1
        1e999,-74.1
        4.6.1,-74.1
        0x12,-74.1
        4.6,-74.1°
        -0.0,0
        4.6,181
        """
        let r = try readCSV(text)
        #expect(r.table.lat == [4.6, 4.6, 4.6])
        #expect(r.table.lon == [-74.1, -74.1, -74.1])
        #expect(r.rejects.map(\.reason) == [.nonFiniteCoordinate, .nonFiniteCoordinate, .nonFiniteCoordinate,
                                            .nonNumericCoordinate, .nonNumericCoordinate, .nonNumericCoordinate,
                                            .nullIsland, .outOfRange])
        #expect(r.rejects.last?.field == "longitud")
        #expect(r.rejects.map(\.line) == [5, 6, 7, 8, 9, 10, 11, 12])
    }

    @Test func swappedDetection() throws {
        let text = """
        latitud,longitud
        4.71,-74.07
        -74.07,4.71
        6.25,-75.56
        """
        let strict = try readCSV(text, options: ReadOptions(expectedLonLatBox: bogotaBox))
        #expect(strict.table.count == 2)
        #expect(strict.table.lines == [2, 4])   // Medellín is valid, merely outside the box
        #expect(strict.table.lat == [4.71, 6.25])
        #expect(strict.rejects.map(\.reason) == [.swappedLatLon])
        #expect(strict.rejects.first?.line == 3)
        #expect(strict.rejects.first?.detail == "latitud='-74.07', longitud='4.71'")

        let fixed = try readCSV(text, options: ReadOptions(fixSwapped: true, expectedLonLatBox: bogotaBox))
        #expect(fixed.rejects.isEmpty)
        #expect(fixed.table.lat == [4.71, 4.71, 6.25])
        #expect(fixed.table.lon == [-74.07, -74.07, -75.56])
        #expect((0..<3).map(fixed.table.wasSwapFixed) == [false, true, false])

        // Without a box there is no way to know: the pair is in range and accepted as is.
        let nobox = try readCSV(text)
        #expect(nobox.table.count == 3 && nobox.rejects.isEmpty)
    }

    @Test func projectedCoordinates() throws {
        let text = "ESTE;NORTE;fecha\n100000,5;105000;2021-01-01\n0;0;2021-01-01\n-1e6;2e6;2021-01-01\n"
        let r = try readCSV(text, options: ReadOptions(projected: true, expectedLonLatBox: bogotaBox))
        #expect(r.table.lonColumn == "ESTE" && r.table.latColumn == "NORTE")
        #expect(r.table.lon == [100000.5, -1e6] && r.table.lat == [105000, 2e6])
        #expect(r.rejects.map(\.reason) == [.nullIsland])
    }

    @Test func columnDetectionAndOverrides() throws {
        let auto = try readCSV("FECHA HECHO,Latitud ,LONGITUD,Tipo_Delito,Radicado\n2021-03-04,4.6,-74.1,Hurto,A1\n")
        #expect(auto.table.latColumn == "Latitud" && auto.table.lonColumn == "LONGITUD")
        #expect(auto.table.timeColumn == "FECHA HECHO")
        #expect(auto.table.categoryColumn == "Tipo_Delito" && auto.table.idColumn == "Radicado")
        #expect(auto.table.id(0) == "A1")

        let header = ["Y_COORD", "X_COORD", "cuando", "tipo"]
        let text = header.joined(separator: ",") + "\n4.6,-74.1,04/03/2021,Hurto\n"
        let named = try readCSV(text, options: ReadOptions(columns: ColumnMapping(lat: "Y_COORD", lon: "x coord", time: "cuando", category: "TIPO")))
        #expect(named.table.lat == [4.6] && named.table.lon == [-74.1])
        #expect(named.table.time == [1_614_816_000])
        #expect(named.table.category(0) == "Hurto")
        #expect(named.table.lonColumn == "X_COORD")

        #expect(throws: IncidentReadError.columnNotFound(path: "test.csv", role: "latitude", tried: ["nope"], available: header)) {
            try readCSV(text, options: ReadOptions(columns: ColumnMapping(lat: "nope", lon: "X_COORD")))
        }
        #expect(throws: IncidentReadError.columnNotFound(path: "test.csv", role: "time", tried: ["hora"], available: header)) {
            try readCSV(text, options: ReadOptions(columns: ColumnMapping(lat: "Y_COORD", lon: "X_COORD", time: "hora")))
        }
        do {
            _ = try readCSV("a,b\n1,2\n")
            Issue.record("expected columnNotFound")
        } catch let IncidentReadError.columnNotFound(_, role, tried, available) {
            #expect(role == "latitude")
            #expect(tried.contains("latitud"))
            #expect(available == ["a", "b"])
        }
    }

    @Test func errors() throws {
        #expect(throws: IncidentReadError.empty(path: "test.csv")) { try readCSV("latitud,longitud\n\n\n") }
        #expect(throws: IncidentReadError.empty(path: "test.csv")) { try readCSV("") }
        // Every row rejected: the error carries the rejects, so the caller can still write them.
        let none = #expect(throws: IncidentReadError.self) { try readCSV("latitud,longitud\n,\n0,0\n") }
        guard case let .noValidRows(path, rejected, rejects)? = none else { Issue.record("expected noValidRows, got \(String(describing: none))"); return }
        #expect(path == "test.csv" && rejected == 2 && rejects.map(\.line) == [2, 3])
        #expect(throws: IncidentReadError.unreadable(path: "/nonexistent/x.csv", reason: tr("no existe el archivo o la carpeta", "no such file or directory"))) {
            try IncidentReader.read(path: "/nonexistent/x.csv", options: ReadOptions())
        }
        #expect(IncidentReadError.empty(path: "f.csv").description == tr("'f.csv' no tiene filas de datos", "'f.csv' has no data rows"))
    }

    @Test func readsFromDiskAndWritesRejects() throws {
        let dir = try TestFiles.tempDir("incidents")
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("in.txt").path
        try Data("latitud\tlongitud\tnota\n4.6\t-74.1\tok\n\t-74.1\t\"a,b\"\n".utf8).write(to: URL(fileURLWithPath: csv))
        let r = try IncidentReader.read(path: csv, options: ReadOptions())
        #expect(r.table.source == csv && r.table.format == .csv)
        #expect(r.table.delimiter == UInt8(ascii: "\t"))
        #expect(r.table.count == 1 && r.rejects.count == 1)

        let out = dir.appendingPathComponent("rejects.csv").path
        try RejectsWriter.write(r.rejects, to: out)
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written == "line,reason,field,detail,record\n3,missing_coordinate,latitud,latitud='',\"\t-74.1\t\"\"a,b\"\"\"\n")
    }

    /// The multi-chunk (parallel) path must give exactly the sequential result.
    @Test func parallelSplitMatchesSequential() throws {
        var text = "id;fecha;latitud;longitud;nota\r\n"
        for i in 0..<3000 {
            switch i % 7 {
            case 0: text += "\(i);2021-01-01;4,6;-74,1;\"multi\r\nline; \"\"q\"\"\"\r\n"
            case 1: text += "\(i % 500);2021-01-02 10:00;4.61;-74.11;dup ids\r\n"
            case 2: text += "\(i);;4.6;-74.1;no date\r\n\r\n"
            case 3: text += "\(i);2021-01-03;;-74.1;\"\"\r\n"
            case 4: text += "\(i);2021-01-04;-74.07;4.71;swapped\r\n"
            default: text += "\(i);2021-01-05;4.62;-74.12;\"a\"\r\n"
            }
        }
        text += "9998;2021-01-01;4.6;-74.1;TV 32\" ROBADO\r\n"  // a literal quote: the parity of quotes is now odd
        text += "9999;\"2021-01-01;4.6;-74.1\r\n"  // unterminated at EOF
        let data = Array(text.utf8)
        let options = ReadOptions(expectedLonLatBox: bogotaBox)
        let seq = try IncidentReader.read(data: data, source: "p.csv", format: .csv, options: options,
                                          parallelThreshold: Int.max, maxWorkers: 1)
        #expect(seq.table.dataRows == 3002)
        #expect(seq.table.dataRows == seq.table.count + seq.rejects.count)
        #expect(seq.rejects.last?.reason == .unterminatedQuote)
        // The guessed cuts are line starts with their physical line; some fall inside a quoted
        // multi-line field (rows i % 7 == 0 span two lines) and are corrected against the chunk before.
        let header = Array("id;fecha;latitud;longitud;nota\r\n".utf8).count
        let cuts = data.withUnsafeBufferPointer { CSVIncidents.splitPoints($0.baseAddress!, from: header, to: data.count, firstLine: 2, pieces: 64) }
        #expect(cuts.count == 65)
        for cut in cuts.dropFirst().dropLast() {
            #expect(data[cut.offset - 1] == 0x0A)
            #expect(cut.line == 1 + data[..<cut.offset].filter { $0 == 0x0A }.count)
        }
        #expect(cuts.contains { data[$0.offset...].starts(with: Array("line; ".utf8)) }, "no cut inside a quoted field: the test would not test the correction")
        for workers in [2, 3, 8, 64] {
            let par = try IncidentReader.read(data: data, source: "p.csv", format: .csv, options: options,
                                              parallelThreshold: 0, maxWorkers: workers)
            #expect(par.table.lines == seq.table.lines)
            #expect(par.table.lat == seq.table.lat && par.table.lon == seq.table.lon)
            #expect(par.table.time == seq.table.time)
            #expect(par.rejects == seq.rejects)
            #expect(par.table.dataRows == seq.table.dataRows)
            #expect(par.table.fields(0) == seq.table.fields(0))
        }
    }
}

/// Files of 8 MiB and more are read by several threads at once (`IncidentReader.readInParallel`): the
/// bytes must come back whole and in order, and a 20,000-row CSV of that size must parse as one.
@Suite struct LargeFileReadingTests {
    @Test func largeFileReadInParallelIsByteIdentical() throws {
        // 9 MiB + 7 bytes whose every 8-byte word differs, so a misplaced or repeated range shows.
        var bytes = [UInt8]()
        bytes.reserveCapacity((9 << 20) + 7)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        while bytes.count < (9 << 20) + 7 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            withUnsafeBytes(of: state) { bytes.append(contentsOf: $0.prefix((9 << 20) + 7 - bytes.count)) }
        }
        let path = NSTemporaryDirectory() + "atalaya-large-\(ProcessInfo.processInfo.processIdentifier).bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let read = try IncidentReader.readFile(path)
        #expect(read.count == bytes.count)
        #expect(read == bytes)
    }

    @Test func largeCSVParsesEveryRow() throws {
        // 20,000 rows padded to 8.4 MB with a long description column; row k has lat 4 + k·10⁻⁵.
        let pad = String(repeating: "x", count: 400)
        var text = "id,fecha,lat,lon,descripcion\n"
        for k in 1...20_000 { text += "\(k),2025-03-01 10:00:00,\(String(format: "%.5f", 4 + Double(k) * 1e-5)),-74.1,\(pad)\n" }
        let path = NSTemporaryDirectory() + "atalaya-large-\(ProcessInfo.processInfo.processIdentifier).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(text.utf8.count >= 1 << 23)
        let r = try IncidentReader.read(path: path, options: ReadOptions())
        #expect(r.table.count == 20_000 && r.rejects.isEmpty)
        #expect(r.table.lines.first == 2 && r.table.lines.last == 20_001)
        #expect(abs(r.table.lat[19_999] - 4.2) < 1e-12)
    }
}
