import Foundation
import Testing
import TestSupport

/// Defaults a planner can present: a round cell, a city-scale bandwidth with its reason, polygons
/// naming the units they touch, no empty polygons, and errors that say which input or filter is wrong.
@Suite(.serialized) struct PlannerDefaultsTests {
    static func run(_ args: [String]) throws -> (CLI.Run, [String: Any]?) {
        let r = try CLI.run(args)
        guard r.status == 0, let i = args.firstIndex(of: "-o") else { return (r, nil) }
        let out = args[i + 1]
        let json = out.hasSuffix(".geojson") ? out : (out as NSString).deletingPathExtension + ".provenance.json"
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        return (r, out.hasSuffix(".geojson") ? root["atalaya"] as? [String: Any] : root)
    }

    static func cell(_ provenance: [String: Any]) -> Double { (provenance["grid"] as! [String: Any])["cell_size"] as! Double }
    static func bandwidth(_ provenance: [String: Any]) -> Double { (provenance["analysis"] as! [String: Any])["bandwidth_m"] as! Double }

    /// Default cell = the ArcGIS rule's value rounded to the nearest 5 m; default bandwidth = the ArcGIS
    /// rule bounded to [150, 500] m; both explained on stderr. The unrounded/unbounded rules stay by name.
    @Test func defaultCellIsRoundAndBandwidthCityScale() throws {
        let csv = HotspotPolygonTests.simulated
        let dir = try TestFiles.tempDir("defaults")
        let (plain, p0) = try Self.run(["density", csv.path, "-o", dir.appendingPathComponent("d.tif").path])
        let (_, pa) = try Self.run(["density", csv.path, "-o", dir.appendingPathComponent("a.tif").path, "--cell", "arcgis", "--bandwidth", "arcgis", "-q"])
        let (_, pr) = try Self.run(["density", csv.path, "-o", dir.appendingPathComponent("r.tif").path, "--profile", "arcgis", "-q"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let rawCell = Self.cell(pa!), rawBand = Self.bandwidth(pa!)
        #expect(rawCell != rawCell.rounded())                       // the rule itself is not round (105.148… m)
        #expect(Self.cell(p0!) == (rawCell / 5).rounded() * 5)      // 105 m
        #expect(Self.cell(pr!) == rawCell && Self.bandwidth(pr!) == rawBand)   // --profile arcgis unchanged
        #expect(rawBand > 500)                                     // a year of the whole city: ~1 km
        #expect(Self.bandwidth(p0!) == min(max(rawBand, 150), 500))
        #expect(plain.stderr.contains("celda \(Int(Self.cell(p0!))) m"), "\(plain.stderr)")
        #expect(plain.stderr.contains("banda 500 m") && plain.stderr.contains("\(Int(rawBand.rounded())) m") && plain.stderr.contains("acotada a [150, 500] m"),
                "\(plain.stderr)")
        let a = p0!["analysis"] as! [String: Any]
        #expect((a["bandwidth_source"] as! String).contains("[150, 500]") && (a["cell_source"] as! String).contains("rounded"))
    }

    /// Each polygon lists codes sorted and the official names beside them, municipios included.
    @Test func hotspotPolygonsNameTheUnitsTheyTouch() throws {
        let dir = try TestFiles.tempDir("names")
        let csv = try MappingCommandTests.kennedyCSV(dir)
        let out = dir.appendingPathComponent("h.geojson")
        let r = try CLI.run(["hotspots", csv.path, "-o", out.path, "--cell", "50", "--bandwidth", "300", "--top", "0.5", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let features = try HotspotPolygonTests.features(out)
        #expect(!features.isEmpty)
        for f in features {
            let p = f["properties"] as! [String: Any]
            for layer in ["localidades", "upz", "upl", "municipios_region", "policia_cuadrantes"] {
                let codes = p[layer] as! [String], names = p[layer + "_names"] as! [String]
                #expect(!codes.isEmpty && codes.count == names.count, "\(layer)")
                #expect(codes == codes.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "\(layer)")
            }
            let loc = p["localidades"] as! [String]
            #expect((p["localidades_names"] as! [String])[loc.firstIndex(of: "08")!] == "Kennedy")
            #expect(p["municipios_region"] as! [String] == ["11001"])
        }
    }

    /// Default: no polygon without an incident; --min-incidents N keeps exactly those with ≥ N and the
    /// provenance says how many were dropped.
    @Test func minIncidentsDropsPolygonsAndSaysSo() throws {
        let dir = try TestFiles.tempDir("minincidents")
        let csv = HotspotPolygonTests.simulated
        var runs: [Int: ([Int], String)] = [:]
        for n in [0, 1, 40] {
            let out = dir.appendingPathComponent("h\(n).geojson")
            let r = try CLI.run(["hotspots", csv.path, "-o", out.path, "--min-incidents", String(n), "-q"])
            #expect(r.status == 0, "\(r.stderr)")
            let root = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any]
            let counts = (root["features"] as! [[String: Any]]).map { ($0["properties"] as! [String: Any])["incidents"] as! Int }
            runs[n] = (counts, ((root["atalaya"] as! [String: Any])["analysis"] as! [String: Any])["min_incidents"] as! String)
        }
        let all = runs[0]!.0
        for n in [1, 40] {
            let expected = all.filter { $0 >= n }
            #expect(runs[n]!.0 == expected)
            #expect(runs[n]!.1.contains("(\(all.count - expected.count) of \(all.count) dropped)"), "\(runs[n]!.1)")
        }
        #expect(all.count > runs[40]!.0.count)   // the threshold did drop something
        let (_, plain) = try Self.run(["hotspots", csv.path, "-o", dir.appendingPathComponent("d.geojson").path, "-q"])
        #expect(((plain!["analysis"] as! [String: Any])["min_incidents"] as! String).hasPrefix("1:"))
    }

    /// Points of another city on Bogotá's default study area: an error naming the cause and the
    /// points' extent, not a raster of zeros.
    @Test func incidentsOutsideTheStudyAreaAreAnError() throws {
        let dir = try TestFiles.tempDir("medellin")
        let csv = dir.appendingPathComponent("medellin.csv")
        // Medellín: El Poblado, La Candelaria, Robledo.
        try "fecha_hecho,latitud,longitud,delito\n2025-01-02,6.2088,-75.5676,HURTO A PERSONAS\n2025-01-03,6.2476,-75.5658,HURTO A PERSONAS\n2025-01-04,6.2772,-75.5960,HURTO A PERSONAS\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        for command in ["density", "hotspots"] {
            let out = dir.appendingPathComponent(command == "density" ? "m.tif" : "m.geojson")
            let r = try CLI.run([command, csv.path, "-o", out.path])
            #expect(r.status != 0, "\(command)")
            #expect(r.stderr.contains("ninguno de los 3 incidentes cae en el área de estudio"), "\(r.stderr)")
            #expect(r.stderr.contains("lon -75.5960 … -75.5658, lat 6.2088 … 6.2772"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    /// A filter that matches nothing says which: an unknown localidad code (with the zero-padded one
    /// it may mean), an unknown UPZ spelling, a category (with those present and their counts), a window.
    @Test func filtersThatMatchNothingNameTheFilter() throws {
        let dir = try TestFiles.tempDir("filters")
        let csv = try MappingCommandTests.kennedyCSV(dir, count: 200)
        let store = dir.appendingPathComponent("s.sqlite").path
        #expect(try CLI.run(["ingest", csv.path, "--store", store, "-q"]).status == 0)
        let o = dir.appendingPathComponent("x.tif").path
        let loc = try CLI.run(["density", "--store", store, "--localidad", "8", "-o", o])
        #expect(loc.status != 0 && loc.stderr.contains("--localidad 8") && loc.stderr.contains("--localidad 08"), "\(loc.stderr)")
        let upz = try CLI.run(["hotspots", "--store", store, "--upz", "upz80", "-o", dir.appendingPathComponent("x.geojson").path])
        #expect(upz.status != 0 && upz.stderr.contains("--upz UPZ80"), "\(upz.stderr)")
        let ok = try CLI.run(["density", "--store", store, "--localidad", "08", "-o", o, "-q"])
        #expect(ok.status == 0, "\(ok.stderr)")
        // 200 rows, i % 4 == 0 → HOMICIDIOS: 50 and 150.
        for source in [[csv.path], ["--store", store]] {
            let cat = try CLI.run(["density"] + source + ["--category", "Homicidios", "-o", o])
            #expect(cat.status != 0 && cat.stderr.contains("--category 'Homicidios'"), "\(cat.stderr)")
            #expect(cat.stderr.contains("HOMICIDIOS (50)") && cat.stderr.contains("HURTO A PERSONAS (150)") && cat.stderr.contains("'HOMICIDIOS'"), "\(cat.stderr)")
            let window = try CLI.run(["density"] + source + ["--from", "2024-01-01", "--to", "2024-02-01", "-o", o])
            #expect(window.status != 0 && window.stderr.contains("--from/--to") && window.stderr.contains("2025-01-10"), "\(window.stderr)")
        }
    }
}
