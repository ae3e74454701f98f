import Foundation
import Testing
@testable import Incidents
import TestSupport

@Suite struct RealFileTests {
    /// The real export in the geodata folder (`../shared/geodata` beside the checkout, as CI lays it out,
    /// or `$ATALAYA_GEODATA`). A missing file is a failure of the tests that read it (the reader's error
    /// names it), never a silent skip.
    static let medellin = TestPaths.geodataFile("incidents/medellin_hurto_persona_transporte_publico.csv").path

    /// Expected numbers computed independently with Python's csv module: 20,378 data rows, 710 with both
    /// coordinates empty, everything else valid (all dates YYYY-MM-DD, coordinates in range, no (0,0)).
    @Test
    func medellinExport() throws {
        let r = try IncidentReader.read(path: Self.medellin, options: ReadOptions())
        let t = r.table
        #expect(t.encoding == "UTF-8" && t.delimiter == UInt8(ascii: ","))
        #expect(t.header == ["fecha_hecho", "latitud", "longitud", "sexo", "edad", "medio_transporte", "modalidad", "sede_receptora"])
        #expect(t.timeColumn == "fecha_hecho" && t.latColumn == "latitud" && t.lonColumn == "longitud")
        #expect(t.dataRows == 20_378)
        #expect(t.count + r.rejects.count == 20_378)
        #expect(t.count == 19_668)
        #expect(r.rejects.count == 710)
        #expect(r.rejectCounts == [.missingCoordinate: 710])
        #expect(r.rejects.prefix(3).map(\.line) == [1347, 1348, 1349])
        #expect(t.lines.first == 2)
        #expect(t.lat[0] == 6.27623616 && t.lon[0] == -75.55353312)
        #expect(t.time[0] == 1_483_228_800)  // 2017-01-01
        #expect(t.fields(1) == ["2017-01-01", "6.21907115", "-75.60299601", "Mujer", "29", "Taxi", "Descuido", "Belén"])
        #expect(t.record(1) == "2017-01-01,6.21907115,-75.60299601,Mujer,29,Taxi,Descuido,Belén")
    }

    /// Same file through the multi-chunk path: identical result.
    @Test
    func medellinExportParallel() throws {
        let data = try IncidentReader.readFile(Self.medellin)
        let seq = try IncidentReader.read(data: data, source: "m.csv", format: .csv, options: ReadOptions())
        let par = try IncidentReader.read(data: data, source: "m.csv", format: .csv, options: ReadOptions(),
                                          parallelThreshold: 0, maxWorkers: 3)
        #expect(par.table.count == 19_668 && par.rejects.count == 710)
        #expect(par.table.lines == seq.table.lines && par.table.lat == seq.table.lat && par.table.time == seq.table.time)
        #expect(par.rejects == seq.rejects)
    }
}
