import Foundation
import Localization
import Testing
@testable import Incidents

@Suite struct GeoJSONTests {
    static let collection = """
    {"type": "FeatureCollection", "features": [
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-74.07, 4.71]},
       "properties": {"id": 1, "fecha": "2021-03-04 05:06:07", "delito": "Hurto", "peso": 2.50, "ok": true, "nada": null}},
      {"type": "Feature", "geometry": null, "properties": {"id": 2, "fecha": "2021-03-04"}},
      {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[-74.0, 4.6], [-74.1, 4.7]]},
       "properties": {"id": 3}},
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-74.1, 4.6, 2600]},
       "properties": {"id": 4.0, "fecha": "04/03/2021", "delito": "Riña, \\"grave\\"", "extra": "Engativá", "big": 123456789012345678901}},
      {"type": "Feature", "properties": {"id": 5, "fecha": "2021-03-04"}},
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.71, -74.07]}, "properties": {"id": 6, "fecha": "2021-03-04"}},
      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-74.1, 4.6]}, "properties": {"id": 1, "fecha": "2021-03-04"}}
    ]}
    """

    @Test func featureCollection() throws {
        let r = try IncidentReader.read(data: Array(Self.collection.utf8), source: "x.geojson", format: .geojson,
                                        options: ReadOptions(expectedLonLatBox: bogotaBox))
        let t = r.table
        #expect(t.format == .geojson && t.delimiter == UInt8(ascii: ","))
        #expect(t.header == ["id", "fecha", "delito", "peso", "ok", "nada", "extra", "big"])
        #expect(t.latColumn == "geometry" && t.lonColumn == "geometry")
        #expect(t.timeColumn == "fecha" && t.categoryColumn == "delito" && t.idColumn == "id")
        #expect(t.dataRows == 7 && t.count == 2)
        #expect(t.lines == [1, 4])
        #expect(t.lon == [-74.07, -74.1] && t.lat == [4.71, 4.6])
        #expect(t.time == [1_614_834_367, 1_614_816_000])
        #expect(t.fields(0) == ["1", "2021-03-04 05:06:07", "Hurto", "2.5", "true", "", "", ""])
        #expect(t.fields(1) == ["4", "04/03/2021", "Riña, \"grave\"", "", "", "", "Engativá", "123456789012345678901"])
        #expect(t.category(1) == "Riña, \"grave\"")
        #expect(t.id(1) == "4")
        #expect(t.record(1) == "4,04/03/2021,\"Riña, \"\"grave\"\"\",,,,Engativá,123456789012345678901")
        let got = r.rejects.map { "\($0.line) \($0.reason.rawValue)" }
        #expect(got == ["2 missing_coordinate", "3 malformed_record", "5 missing_coordinate",
                        "6 swapped_lat_lon", "7 duplicate_id"])
        #expect(r.rejects[0].text == #"{"type":"Feature","geometry":null,"properties":{"id":2,"fecha":"2021-03-04"}}"#)
        #expect(r.rejects[1].detail == tr("geometría de tipo LineString, se esperaba Point", "geometry type LineString, expected Point"))
        #expect(r.rejects[4].detail == tr("id='1' (visto por primera vez en la línea 1)", "id='1' (first seen on line 1)"))
        #expect(t.dataRows == t.count + r.rejects.count)
    }

    @Test func invalidDocuments() {
        #expect(throws: IncidentReadError.self) {
            try IncidentReader.read(data: Array(#"{"type": "FeatureCollection", "features": [ {"#.utf8), source: "bad.geojson",
                                    format: .geojson, options: ReadOptions())
        }
        do {
            _ = try IncidentReader.read(data: Array("[1, 2]".utf8), source: "a.json", format: .geojson, options: ReadOptions())
            Issue.record("expected an error")
        } catch let e as IncidentReadError {
            #expect(e == .malformedGeoJSON(path: "a.json", reason: tr("se esperaba un FeatureCollection o un Feature", "expected a FeatureCollection or Feature")))
        } catch { Issue.record("\(error)") }
        #expect(throws: IncidentReadError.empty(path: "e.geojson")) {
            try IncidentReader.read(data: Array(#"{"type":"FeatureCollection","features":[]}"#.utf8), source: "e.geojson",
                                    format: .geojson, options: ReadOptions())
        }
    }

    @Test func formatFromExtension() {
        #expect(InputFormat.fromExtension(of: "a/b.GeoJSON") == .geojson)
        #expect(InputFormat.fromExtension(of: "a.json") == .geojson)
        #expect(InputFormat.fromExtension(of: "a.tsv") == .csv)
        #expect(InputFormat.fromExtension(of: "a.txt") == .csv)
        #expect(InputFormat.fromExtension(of: "a.dat") == nil)
    }
}
