import Foundation
import Testing
import TestSupport

/// Gi* and LISA report significance the same way (FDR-adjusted p by default, raw on request),
/// booleans are booleans, sfhotspot's Gi* settings come with its profile, a unit without incidents is
/// never a hot spot, and hot polygons are a layer of their own.
@Suite(.serialized) struct LocalStatisticsCommandTests {
    static func load(_ url: URL) throws -> (features: [[String: Any]], analysis: [String: Any]) {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["features"] as! [[String: Any]], (root["atalaya"] as! [String: Any])["analysis"] as! [String: Any])
    }

    static func props(_ features: [[String: Any]]) -> [[String: Any]] { features.map { $0["properties"] as! [String: Any] } }

    /// ArcGIS's bin for a p-value, signed by z (computed here from the thresholds, not by Atalaya).
    static func bin(p: Double, z: Double) -> Int {
        let level = p < 0.01 ? 3 : p < 0.05 ? 2 : p < 0.10 ? 1 : 0
        return z < 0 ? -level : level
    }

    @Test func lisaSignificantIsABooleanOnTheFDRAdjustedP() throws {
        let dir = try TestFiles.tempDir("lisa")
        let csv = try MappingCommandTests.kennedyCSV(dir)
        var counts: [String: Int] = [:]
        for (flag, key) in [([String](), "lisa_p_fdr"), (["--p-values", "raw"], "lisa_p")] {
            let out = dir.appendingPathComponent("l.geojson")
            let r = try CLI.run(["hotspots", csv.path, "-o", out.path, "--method", "lisa", "--cell", "250", "--area", "localidades:08,07",
                                 "--permutations", "199", "-q"] + flag)
            #expect(r.status == 0, "\(r.stderr)")
            // JSON booleans, not strings or numbers.
            let text = try String(contentsOf: out, encoding: .utf8)
            let features = try Self.load(out).features
            let literal = text.components(separatedBy: "\"significant\":true").count + text.components(separatedBy: "\"significant\":false").count - 2
            #expect(literal == features.count)
            var significant = 0
            for p in Self.props(features) {
                let s = p["significant"]
                guard let pv = p[key] as? Double, abs(pv - 0.05) > 1e-6 else { continue }
                #expect((s as? Bool) == (pv <= 0.05), "\(key) \(pv)")
                if s as? Bool == true { significant += 1 }
            }
            counts[key] = significant
        }
        // Random-ish counts around one cluster: the raw p finds cells, FDR keeps at most as many.
        #expect(counts["lisa_p"]! > 0 && counts["lisa_p_fdr"]! <= counts["lisa_p"]!)
    }

    /// Default bins on the FDR-adjusted p with a 3-cell band; --profile sfhotspot: queen band (cell·√2)
    /// and bins on the raw p.
    @Test func giStarSettingsFollowTheProfile() throws {
        let dir = try TestFiles.tempDir("gisettings")
        let csv = try MappingCommandTests.kennedyCSV(dir)
        for (profile, key, band) in [("atalaya", "gi_p_fdr", 750.0), ("sfhotspot", "gi_p", 250 * 2.0.squareRoot())] {
            let out = dir.appendingPathComponent("\(profile).geojson")
            let r = try CLI.run(["hotspots", csv.path, "-o", out.path, "--method", "gistar", "--cell", "250", "--area", "localidades:08,07",
                                 "--profile", profile, "-q"])
            #expect(r.status == 0, "\(r.stderr)")
            let (features, analysis) = try Self.load(out)
            #expect(abs((analysis["distance_band_m"] as! Double) - band) < 1e-9, "\(profile)")
            var hot = 0
            for p in Self.props(features) {
                guard let pv = p[key] as? Double, let z = p["gi_z"] as? Double else { continue }
                #expect(p["gi_bin"] as? Int == Self.bin(p: pv, z: z), "\(profile) \(key) \(pv)")
                if (p["gi_bin"] as! Int) >= 2 { hot += 1 }
            }
            #expect(hot > 0, "\(profile)")
        }
    }

    /// A municipio with 0 incidents beside Bogotá is not called hot: gi_bin 0 with a note, named on stderr.
    @Test func unitsWithoutIncidentsAreNeverHot() throws {
        let dir = try TestFiles.tempDir("zerohot")
        let out = dir.appendingPathComponent("m.geojson")
        let r = try CLI.run(["hotspots", HotspotPolygonTests.simulated.path, "-o", out.path, "--method", "gistar",
                             "--units", "municipios_region", "--area", "all"])
        #expect(r.status == 0, "\(r.stderr)")
        var noted: [String] = []
        for p in Self.props(try Self.load(out).features) {
            let count = p["count"] as! Double, z = p["gi_z"] as! Double, pf = p["gi_p_fdr"] as! Double
            // Would be hot by its z and FDR p alone, but holds no incident.
            let zeroHot = count == 0 && Self.bin(p: pf, z: z) > 0
            #expect((p["note"] is String) == zeroHot, "\(p["code"]!)")
            if count == 0 { #expect((p["gi_bin"] as! Int) <= 0) } else { #expect(p["gi_bin"] as? Int == Self.bin(p: pf, z: z)) }
            if zeroHot { noted.append("\(p["code"]!) \(p["name"]!)") }
        }
        #expect(!noted.isEmpty)   // Bogotá's neighbours with no synthetic incident (Chipaque, La Calera)
        for n in noted { #expect(r.stderr.contains(n), "\(n)") }
        #expect(r.stderr.contains("km²"))   // units of very different sizes are warned about
    }

    /// GeoPackage: the hot polygons go to OUTPUT.hot.gpkg, the cells stay in OUTPUT.gpkg.
    @Test func hotPolygonsAreTheirOwnGeoPackage() throws {
        let dir = try TestFiles.tempDir("gihotgpkg")
        let csv = try MappingCommandTests.kennedyCSV(dir)
        let out = dir.appendingPathComponent("g.gpkg")
        let r = try CLI.run(["hotspots", csv.path, "-o", out.path, "--method", "gistar", "--cell", "250", "--area", "localidades:08,07", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("g.hot.gpkg").path))
    }
}
