import Foundation
import Testing
import TestSupport

/// Hotspot polygons and isobands through the binary on realistic synthetic incidents: one polygon per
/// connected set of cells whatever the cell size (the ArcGIS rule gives sizes such as 105.148… m, which
/// used to cut every polygon into strips at most five cells tall), counts that are a real recount.
@Suite(.serialized) struct HotspotPolygonTests {
    /// 30,000 synthetic incidents of 2025 on the real layers (simulated once per test process).
    static let simulated: URL = {
        let dir = try! TestFiles.tempDir("polygons")
        let csv = dir.appendingPathComponent("sim.csv")
        let r = try! CLI.run(["simulate", "--count", "30000", "--from", "2025-01-01", "--to", "2026-01-01", "--seed", "77", "-o", csv.path, "-q"])
        precondition(r.status == 0, r.stderr)
        return csv
    }()

    static func features(_ url: URL) throws -> [[String: Any]] {
        (try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any])["features"] as! [[String: Any]]
    }

    /// Rings of a Polygon or MultiPolygon geometry.
    static func rings(_ geometry: [String: Any]) -> [[[Double]]] {
        geometry["type"] as? String == "Polygon"
            ? geometry["coordinates"] as! [[[Double]]] : (geometry["coordinates"] as! [[[[Double]]]]).flatMap { $0 }
    }

    /// Segments of a feature in local metres (equirectangular about Bogotá: enough to compare segments
    /// of one map to a few millimetres).
    static func segments(_ geometry: [String: Any]) -> [(Double, Double, Double, Double)] {
        let kx = 111_320 * cos(4.65 * .pi / 180), ky = 110_574.0
        return rings(geometry).flatMap { ring in
            (0..<(ring.count - 1)).map { k in (ring[k][0] * kx, ring[k][1] * ky, ring[k + 1][0] * kx, ring[k + 1][1] * ky) }
        }
    }

    /// Length of boundary two features share: segments on one line (within 5 cm) overlapping by more
    /// than 0.5 m. Touching at a corner shares nothing.
    static func sharedBoundary(_ a: [(Double, Double, Double, Double)], _ b: [(Double, Double, Double, Double)]) -> Double {
        var shared = 0.0
        for p in a {
            let len = hypot(p.2 - p.0, p.3 - p.1)
            guard len > 0 else { continue }
            let ux = (p.2 - p.0) / len, uy = (p.3 - p.1) / len
            for q in b {
                guard max(q.0, q.2) >= min(p.0, p.2) - 0.05, min(q.0, q.2) <= max(p.0, p.2) + 0.05,
                      max(q.1, q.3) >= min(p.1, p.3) - 0.05, min(q.1, q.3) <= max(p.1, p.3) + 0.05 else { continue }
                let d1 = abs(ux * (q.1 - p.1) - uy * (q.0 - p.0)), d2 = abs(ux * (q.3 - p.1) - uy * (q.2 - p.0))
                guard d1 < 0.05, d2 < 0.05 else { continue }
                let t1 = ux * (q.0 - p.0) + uy * (q.1 - p.1), t2 = ux * (q.2 - p.0) + uy * (q.3 - p.1)
                let overlap = min(max(t1, t2), len) - max(min(t1, t2), 0)
                if overlap > 0.5 { shared += overlap }
            }
        }
        return shared
    }

    /// Every pair of features of one group shares no boundary; returns the offending pairs.
    static func pairsSharingBoundary(_ features: [[String: Any]]) -> [String] {
        let segs = features.map { segments($0["geometry"] as! [String: Any]) }
        var bad: [String] = []
        for i in segs.indices { for j in segs.indices where j > i {
            let s = sharedBoundary(segs[i], segs[j])
            if s > 0 { bad.append("\(i)–\(j): \(Int(s)) m") }
        } }
        return bad
    }

    /// Distance (m) from a lon/lat point to the nearest of `segments` (local metres as `segments`).
    static func distance(_ q: (Double, Double), _ segments: [(Double, Double, Double, Double)]) -> Double {
        let kx = 111_320 * cos(4.65 * .pi / 180), ky = 110_574.0
        let px = q.0 * kx, py = q.1 * ky
        var best = Double.infinity
        for s in segments {
            let dx = s.2 - s.0, dy = s.3 - s.1
            let t = max(0, min(1, ((px - s.0) * dx + (py - s.1) * dy) / (dx * dx + dy * dy)))
            best = min(best, hypot(px - s.0 - t * dx, py - s.1 - t * dy))
        }
        return best
    }

    /// Even–odd ray casting (independent of GEOS and of Atalaya's locator).
    static func inside(_ lon: Double, _ lat: Double, _ rings: [[[Double]]]) -> Bool {
        var c = false
        for ring in rings { for k in 0..<(ring.count - 1) {
            let (x1, y1, x2, y2) = (ring[k][0], ring[k][1], ring[k + 1][0], ring[k + 1][1])
            if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1) { c.toggle() }
        } }
        return c
    }

    static func points() throws -> [(Double, Double)] {
        let rows = try CLI.readCSV(simulated)
        let lat = rows[0].firstIndex(of: "latitud")!, lon = rows[0].firstIndex(of: "longitud")!
        return rows.dropFirst().map { (Double($0[lon])!, Double($0[lat])!) }
    }

    /// Ranked hotspot features: no two share boundary, each `incidents` is a ray-casting recount,
    /// ranks follow incidents.
    static func checkRanked(_ hot: [[String: Any]], points: [(Double, Double)], label: String) {
        #expect(!hot.isEmpty, "\(label)")
        #expect(pairsSharingBoundary(hot) == [], "\(label): polygons cut apart")
        var previous = Int.max
        for (k, f) in hot.enumerated() {
            let p = f["properties"] as! [String: Any]
            let rings = rings(f["geometry"] as! [String: Any])
            let lons = rings.flatMap { $0.map { $0[0] } }, lats = rings.flatMap { $0.map { $0[1] } }
            let (x0, x1, y0, y1) = (lons.min()!, lons.max()!, lats.min()!, lats.max()!)
            // Points within 5 cm of the boundary are on it at the output's precision (7 decimals ≈ 1 cm):
            // either count is right for them.
            let segs = segments(f["geometry"] as! [String: Any])
            var sure = 0, onEdge = 0
            for q in points where q.0 >= x0 - 1e-6 && q.0 <= x1 + 1e-6 && q.1 >= y0 - 1e-6 && q.1 <= y1 + 1e-6 {
                if distance(q, segs) < 0.05 { onEdge += 1 } else if inside(q.0, q.1, rings) { sure += 1 }
            }
            let n = p["incidents"] as! Int
            #expect(n >= sure && n <= sure + onEdge, "\(label): rank \(k + 1): \(n) vs \(sure) inside + \(onEdge) on the boundary")
            #expect(p["rank"] as? Int == k + 1, "\(label)")
            #expect((p["incidents"] as! Int) <= previous, "\(label): ranks sorted by incidents")
            previous = p["incidents"] as! Int
        }
    }

    /// Default options, and the ArcGIS cell rule (105.148… m on the default area) spelled out.
    @Test(arguments: [[], ["--cell", "arcgis"], ["--cell", "84.95"]])
    func kdeHotspotsAreWholeAndRecounted(_ extra: [String]) throws {
        let dir = try TestFiles.tempDir("kdehot")
        let out = dir.appendingPathComponent("h.geojson")
        let r = try CLI.run(["hotspots", Self.simulated.path, "-o", out.path, "-q"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        Self.checkRanked(try Self.features(out), points: try Self.points(), label: "kde \(extra)")
    }

    @Test func giStarHotPolygonsAreWhole() throws {
        let dir = try TestFiles.tempDir("gihot")
        let out = dir.appendingPathComponent("g.geojson")
        let r = try CLI.run(["hotspots", Self.simulated.path, "-o", out.path, "--method", "gistar", "--cell", "arcgis", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let hot = try Self.features(dir.appendingPathComponent("g.hot.geojson"))   // hot polygons: their own file
        Self.checkRanked(hot, points: try Self.points(), label: "gistar")
    }

    @Test func isobandsOfOneClassShareNoBoundary() throws {
        let dir = try TestFiles.tempDir("isobands")
        let out = dir.appendingPathComponent("d.geojson")
        let r = try CLI.run(["density", Self.simulated.path, "-o", out.path, "--cell", "arcgis", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let features = try Self.features(out)
        let classes = Dictionary(grouping: features) { ($0["properties"] as! [String: Any])["class"] as! Int }
        #expect(classes.count == 5)
        for c in 1...5 { #expect(Self.pairsSharingBoundary(classes[c]!) == [], "class \(c)") }
    }
}
