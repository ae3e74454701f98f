import Foundation
import Testing
import TestSupport

/// End-to-end tests of `atalaya assign` through the built binary, on the real layers.
@Suite(.serialized) struct AssignCommandTests {
    /// One row per bad-input case, plus good rows at known places.
    static let mixedCSV = #"""
    id,fecha_hecho,delito,latitud,longitud
    1,2024-03-01 10:00:00,HURTO A PERSONAS,4.5981,-74.0760
    2,2024-03-02,HURTO A PERSONAS,,-74.07
    3,2024-03-03,HOMICIDIOS,abc,-74.07
    4,2024-03-04,HOMICIDIOS,NaN,-74.07
    5,2024-03-05,HOMICIDIOS,95.2,-74.07
    6,2024-03-06,HOMICIDIOS,0,0
    7,2024-03-07,LESIONES PERSONALES,-74.0775,4.6460
    8,fecha mala,LESIONES PERSONALES,4.646,-74.0775
    1,2024-03-09,HURTO A PERSONAS,4.6460,-74.0775
    10,2024-03-10,"HURTO A COMERCIO, MODALIDAD ""RAPONAZO""",4.6460,-74.0775
    11,2024-03-11,HURTO A PERSONAS,6.2518,-75.5636
    12,2024-03-12,HURTO A PERSONAS,4.7070,-74.2050

    """#

    @Test func rejectsEveryBadRowAndKeepsTheGoodOnes() throws {
        let dir = try TestFiles.tempDir("mixed")
        let input = dir.appendingPathComponent("in.csv")
        try Self.mixedCSV.write(to: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.csv")
        let r = try CLI.run(["assign", input.path, "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")

        let rejects = try CLI.readCSV(dir.appendingPathComponent("out.rejects.csv"))
        #expect(rejects.first == ["line", "reason", "field", "detail", "record"])
        let byLine = Dictionary(uniqueKeysWithValues: rejects.dropFirst().map { (Int($0[0])!, $0[1]) })
        #expect(byLine == [3: "missing_coordinate", 4: "non_numeric_coordinate", 5: "non_finite_coordinate",
                           6: "out_of_range", 7: "null_island", 8: "swapped_lat_lon", 9: "unparseable_date", 10: "duplicate_id"])

        let rows = try CLI.readCSV(out)
        let header = rows[0]
        let data = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        // Conservation: 12 input rows = 4 written + 8 rejected.
        #expect(data.count + rejects.count - 1 == 12)
        #expect(data.map { $0["id"]! } == ["1", "10", "11", "12"])
        #expect(header.starts(with: ["id", "fecha_hecho", "delito", "latitud", "longitud", "x", "y", "localidad_code", "localidad_name"]))
        // Plaza de Bolívar: La Candelaria, UPZ94, cuadrante and nearest infrastructure filled.
        #expect(data[0]["localidad_code"] == "17" && data[0]["localidad_name"] == "La Candelaria")
        #expect(data[0]["upz_code"] == "UPZ94" && data[0]["municipio_code"] == "11001")
        #expect(data[0]["status"] == "ok")
        #expect(!(data[0]["cuadrante_code"] ?? "").isEmpty)
        #expect(Double(data[0]["nearest_colegios_m"] ?? "") != nil)
        // The quoted category survives intact.
        #expect(data[1]["delito"] == "HURTO A COMERCIO, MODALIDAD \"RAPONAZO\"")
        #expect(data[1]["localidad_code"] == "13")
        // Medellín: kept, status outside, no units.
        #expect(data[2]["status"] == "outside" && data[2]["localidad_code"] == "" && data[2]["municipio_code"] == "")
        // Funza (Bogotá-Región; confirmed by an independent ray-casting check in Python):
        // no localidad but a municipio, so status ok.
        #expect(data[3]["localidad_code"] == "" && data[3]["municipio_code"] == "25286" && data[3]["status"] == "ok")
        // x, y agree with the DOMAIN.md check value's projection (EPSG:9377, metres).
        #expect(abs(Double(data[0]["x"]!)! - 4_880_812.0) < 2_000)
        // Counts per reason reach stderr.
        #expect(r.stderr.contains("rechazo swapped_lat_lon: 1"))
        // Provenance sidecar: out.provenance.json (never out.csv.json).
        let prov = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out.provenance.json"))) as! [String: Any]
        #expect(!FileManager.default.fileExists(atPath: out.path + ".json"))
        #expect(prov["crs"] as? String == "EPSG:9377")
        let counts = prov["counts"] as! [String: Any]
        #expect(counts["rows_read"] as? Int == 12 && counts["accepted"] as? Int == 4 && counts["rejected"] as? Int == 8)
    }

    @Test func fixSwappedCorrectsInsteadOfRejecting() throws {
        let dir = try TestFiles.tempDir("swap")
        let input = dir.appendingPathComponent("in.csv")
        try "id,latitud,longitud\n1,-74.0775,4.6460\n2,4.5981,-74.0760\n".write(to: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.csv")
        let r = try CLI.run(["assign", input.path, "-o", out.path, "--fix-swapped"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try CLI.readCSV(out)
        let data = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
        #expect(data.count == 2)
        #expect(data[0]["coord_fix"] == "swapped" && data[0]["localidad_code"] == "13")
        #expect(data[1]["coord_fix"] == "")
    }

    @Test func geojsonOutputIsRFC7946WithProvenance() throws {
        let dir = try TestFiles.tempDir("geojson")
        let input = dir.appendingPathComponent("in.csv")
        try Self.mixedCSV.write(to: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.geojson")
        let r = try CLI.run(["assign", input.path, "-o", out.path, "--rejects", dir.appendingPathComponent("bad.csv").path])
        #expect(r.status == 0, "\(r.stderr)")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any]
        #expect(root["type"] as? String == "FeatureCollection")
        #expect(root["crs"] == nil)
        let features = root["features"] as! [[String: Any]]
        #expect(features.count == 4)
        let g = features[0]["geometry"] as! [String: Any]
        let c = g["coordinates"] as! [Double]
        #expect(abs(c[0] + 74.0760) < 1e-9 && abs(c[1] - 4.5981) < 1e-9)  // lon, lat
        let props = features[0]["properties"] as! [String: Any]
        #expect(props["localidad_code"] as? String == "17")
        #expect(props["delito"] as? String == "HURTO A PERSONAS")
        let meta = root["atalaya"] as! [String: Any]
        #expect(meta["version"] != nil && meta["crs"] as? String == "EPSG:9377")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.csv").path))
    }

    @Test func summaryPerLocalidadAsJSON() throws {
        let dir = try TestFiles.tempDir("summary")
        let input = dir.appendingPathComponent("in.csv")
        try Self.mixedCSV.write(to: input, atomically: true, encoding: .utf8)
        let r = try CLI.run(["assign", input.path, "-o", dir.appendingPathComponent("o.csv").path, "--summary", "localidades", "--json", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(s["total"] as? Int == 4 && s["unassigned"] as? Int == 2)
        let doc = dir.appendingPathComponent("summary.json")
        try r.stdout.write(to: doc, atomically: true, encoding: .utf8)
        #expect(try SchemaCheck.errors(doc, schema: "summary.schema.json") == [])
        let rows = s["rows"] as! [[String: Any]]
        #expect(rows.count == 20)
        #expect(rows.first { $0["code"] as? String == "17" }?["incidents"] as? Int == 1)
        #expect(rows.first { $0["code"] as? String == "13" }?["incidents"] as? Int == 1)
    }

    @Test func noValidRowIsAnErrorNamingTheFile() throws {
        let dir = try TestFiles.tempDir("novalid")
        let input = dir.appendingPathComponent("bad.csv")
        try "latitud,longitud\nabc,def\n,\n".write(to: input, atomically: true, encoding: .utf8)
        let r = try CLI.run(["assign", input.path, "-o", dir.appendingPathComponent("o.csv").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.csv"))
    }

    @Test func unreadableFileAndBadArguments() throws {
        let missing = try CLI.run(["assign", "/nonexistent/x.csv", "-o", "/tmp/o.csv"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/x.csv"))
        let badExt = try CLI.run(["assign", "/tmp/x.csv", "-o", "/tmp/o.shp"])
        #expect(badExt.status != 0 && badExt.stderr.contains("formato de salida no admitido (use .csv, .geojson o .gpkg)"))
        let badLayer = try CLI.run(["assign", "/tmp/x.csv", "-o", "/tmp/o.csv", "--summary", "nope"])
        #expect(badLayer.status != 0)
    }

    @Test func helpExplainsCommandsAndDefaults() throws {
        let root = try CLI.run(["--help"])
        #expect(root.status == 0)
        for sub in ["layers", "assign", "simulate"] { #expect(root.stdout.contains(sub)) }
        let assign = try CLI.run(["assign", "--help"])
        #expect(assign.status == 0)
        #expect(assign.stdout.contains("--fix-swapped") && assign.stdout.contains("EPSG:9377") && assign.stdout.contains("--crs <crs>") && assign.stdout.contains("EPSG:4326"))
        let version = try CLI.run(["--version"])
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    @Test func layersCommandListsTheRealLayers() throws {
        let r = try CLI.run(["layers", "--json", "localidades", "colegios"])
        #expect(r.status == 0, "\(r.stderr)")
        let top = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let rows = top["layers"] as! [[String: Any]]
        #expect(rows.count == 2)
        #expect(rows[1]["area_km2"] is NSNull)   // points have no area: null, not a missing key
        let doc = try TestFiles.tempDir("layers-json").appendingPathComponent("layers.json")
        defer { try? FileManager.default.removeItem(at: doc.deletingLastPathComponent()) }
        try r.stdout.write(to: doc, atomically: true, encoding: .utf8)
        #expect(try SchemaCheck.errors(doc, schema: "layers.schema.json") == [])
        #expect(rows[0]["features"] as? Int == 20 && rows[0]["invalid"] as? Int == 0)
        #expect(rows[1]["features"] as? Int == 2538 && rows[1]["geometry"] as? String == "Point")
        let area = rows[0]["area_km2"] as? Double ?? 0
        #expect(abs(area - 1636) < 16)
    }
}
