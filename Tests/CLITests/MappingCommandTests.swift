import Foundation
import Testing
import TestSupport

/// `atalaya density` and `atalaya hotspots` end to end, through the built binary.
@Suite(.serialized) struct MappingCommandTests {
    /// 2,000 incidents within ~1 km of a point in Kennedy, far (> 4 km) from the study area's edge.
    static func kennedyCSV(_ dir: URL, count: Int = 2000) throws -> URL {
        var rng = TestRandom(seed: 42)
        func next() -> Double { rng.uniform() }
        var text = "id,fecha_hecho,delito,latitud,longitud\n"
        for i in 0..<count {
            let cat = i % 4 == 0 ? "HOMICIDIOS" : "HURTO A PERSONAS"
            text += "\(i + 1),2025-0\(1 + i % 3)-1\(i % 9) 10:00:00,\(cat),\(4.630 + (next() - 0.5) * 0.018),\(-74.150 + (next() - 0.5) * 0.018)\n"
        }
        let url = dir.appendingPathComponent("kennedy.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Parses an ESRI ASCII grid into its header and values (north row first).
    static func readASC(_ url: URL) throws -> (header: [String: Double], values: [Double]) {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        var header: [String: Double] = [:]
        for l in lines.prefix(6) { let p = l.split(separator: " "); header[String(p[0]).lowercased()] = Double(p[1]) }
        let values = lines.dropFirst(6).flatMap { $0.split(separator: " ").map { Double($0)! } }
        return (header, values)
    }

    @Test func densitySurfaceIntegratesToTheIncidentCount() throws {
        let dir = try TestFiles.tempDir("density")
        let csv = try Self.kennedyCSV(dir)
        let out = dir.appendingPathComponent("d.asc")
        let r = try CLI.run(["density", csv.path, "-o", out.path, "--cell", "50", "--bandwidth", "300", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let (h, values) = try Self.readASC(out)
        #expect(h["cellsize"] == 50)
        #expect(h["xllcorner"]!.truncatingRemainder(dividingBy: 50) == 0 && h["yllcorner"]!.truncatingRemainder(dividingBy: 50) == 0)
        #expect(values.count == Int(h["ncols"]! * h["nrows"]!))
        // Σ density (per km²) × cell area (km²) = incidents, since every kernel lies inside the study area.
        let integral = values.filter { $0 != -9999 }.reduce(0, +) * 0.0025
        #expect(abs(integral - 2000) / 2000 < 0.005)
        #expect(values.contains(-9999))  // cells outside the study area are NoData
        let prov = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("d.provenance.json"))) as! [String: Any]
        let a = prov["analysis"] as! [String: Any]
        #expect(a["kernel"] as? String == "quartic" && a["bandwidth_m"] as? Double == 300)
        #expect((prov["grid"] as! [String: Any])["cell_size"] as? Double == 50)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("d.prj").path))
    }

    @Test func outputsAreReproducibleByteForByte() throws {
        let dir = try TestFiles.tempDir("repro")
        let csv = try Self.kennedyCSV(dir, count: 500)
        for name in ["a", "b"] {
            #expect(try CLI.run(["density", csv.path, "-o", dir.appendingPathComponent("\(name).tif").path, "--cell", "100", "-q"]).status == 0)
            #expect(try CLI.run(["hotspots", csv.path, "-o", dir.appendingPathComponent("\(name).geojson").path, "--cell", "100", "-q"]).status == 0)
        }
        for ext in ["tif", "provenance.json", "geojson"] {
            let a = try Data(contentsOf: dir.appendingPathComponent("a.\(ext)")), b = try Data(contentsOf: dir.appendingPathComponent("b.\(ext)"))
            #expect(a == b, "\(ext)")
        }
    }

    /// Even–odd ray casting on lon/lat, independent of GEOS and of Atalaya's locator.
    static func inside(_ lon: Double, _ lat: Double, _ geometry: [String: Any]) -> Bool {
        let polys: [[[[Double]]]] = geometry["type"] as? String == "Polygon"
            ? [geometry["coordinates"] as! [[[Double]]]] : geometry["coordinates"] as! [[[[Double]]]]
        var c = false
        for p in polys { for ring in p { for k in 0..<(ring.count - 1) {
            let (x1, y1, x2, y2) = (ring[k][0], ring[k][1], ring[k + 1][0], ring[k + 1][1])
            if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1) { c.toggle() }
        } } }
        return c
    }

    @Test func kdeHotspotCountsEqualAPointInPolygonRecount() throws {
        let dir = try TestFiles.tempDir("hotspots")
        let csv = try Self.kennedyCSV(dir)
        let out = dir.appendingPathComponent("h.geojson")
        let r = try CLI.run(["hotspots", csv.path, "-o", out.path, "--cell", "50", "--bandwidth", "300", "--top", "0.5", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any]
        let features = root["features"] as! [[String: Any]]
        #expect(!features.isEmpty)
        let rows = try CLI.readCSV(csv).dropFirst().map { (Double($0[4])!, Double($0[3])!) }
        var previous = Int.max
        for (k, f) in features.enumerated() {
            let p = f["properties"] as! [String: Any]
            let n = rows.filter { Self.inside($0.0, $0.1, f["geometry"] as! [String: Any]) }.count
            #expect(p["incidents"] as? Int == n)
            #expect(p["rank"] as? Int == k + 1)
            #expect((p["incidents"] as! Int) <= previous)
            previous = p["incidents"] as! Int
            #expect((p["localidades"] as? [String])?.contains("08") == true)
            let share = p["share"] as! Double, area = p["area_km2"] as! Double, pai = p["pai"] as! Double
            let studyKm2 = ((root["atalaya"] as! [String: Any])["grid"] as! [String: Any])["study_area_km2"] as! Double
            #expect(abs(pai - share / (area / studyKm2)) < 1e-3 * pai)
        }
    }

    @Test func giStarCellsCarryStatistics() throws {
        let dir = try TestFiles.tempDir("gistar")
        let csv = try Self.kennedyCSV(dir)
        let out = dir.appendingPathComponent("g.geojson")
        let r = try CLI.run(["hotspots", csv.path, "-o", out.path, "--method", "gistar", "--cell", "250", "--area", "localidades:08,07", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let features = (try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any])["features"] as! [[String: Any]]
        let cells = features.map { $0["properties"] as! [String: Any] }.filter { $0["kind"] as? String == "cell" }
        #expect(cells.reduce(0) { $0 + ($1["count"] as! Double) } <= 2000)
        #expect(cells.contains { ($0["gi_bin"] as? Int) == 3 })
        // Hot polygons are another layer: their own file beside the cells.
        #expect(cells.count == features.count)
        let hot = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("g.hot.geojson"))) as! [String: Any]
        #expect(!(hot["features"] as! [[String: Any]]).isEmpty)
        #expect((hot["features"] as! [[String: Any]]).allSatisfy { ($0["properties"] as! [String: Any])["kind"] as? String == "hotspot" })
        for c in cells where (c["gi_bin"] as? Int) == 3 { #expect((c["gi_p_fdr"] as! Double) < 0.01 && (c["gi_z"] as! Double) > 0) }
    }

    @Test func badParametersGiveClearErrors() throws {
        let dir = try TestFiles.tempDir("badparams")
        let csv = try Self.kennedyCSV(dir, count: 50)
        let o = dir.appendingPathComponent("x.tif").path
        let negative = try CLI.run(["density", csv.path, "-o", o, "--bandwidth", "-5"])
        #expect(negative.status != 0 && negative.stderr.contains("--bandwidth"))
        let huge = try CLI.run(["density", csv.path, "-o", o, "--cell", "1", "--max-cells", "1000000"])
        #expect(huge.status != 0 && huge.stderr.contains("supera el límite"))
        let empty = try CLI.run(["density", csv.path, "-o", o, "--category", "NO EXISTE"])
        // The error names the filter and lists the categories present with their counts (i % 4 == 0 → homicidio).
        #expect(empty.status != 0 && empty.stderr.contains("--category 'NO EXISTE'"))
        #expect(empty.stderr.contains("HOMICIDIOS (13)") && empty.stderr.contains("HURTO A PERSONAS (37)"), "\(empty.stderr)")
        let area = try CLI.run(["density", csv.path, "-o", o, "--area", "upl:UPL99"])
        #expect(area.status != 0 && area.stderr.contains("UPL99"))
        let ext = try CLI.run(["density", csv.path, "-o", dir.appendingPathComponent("x.png").path])
        #expect(ext.status != 0)
    }

    /// With --area points, one far-away point blows the grid up: the error names its line.
    @Test func strayPointIsNamed() throws {
        let dir = try TestFiles.tempDir("stray")
        let csv = dir.appendingPathComponent("s.csv")
        try "id,latitud,longitud\n1,4.63,-74.15\n2,4.64,-74.14\n3,6.2518,-75.5636\n".write(to: csv, atomically: true, encoding: .utf8)
        let r = try CLI.run(["density", csv.path, "-o", dir.appendingPathComponent("s.tif").path, "--area", "points", "--cell", "10", "--bandwidth", "200", "--max-cells", "5000000"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("línea 4"))
    }
}
