import Testing
import SpatialCore
import TestSupport

@Suite struct NearestTests {
    /// The index agrees with a brute-force scan (index and distance), for queries near and far.
    @Test func matchesBruteForceOnSchools() throws {
        let catalog = TestLayers.catalog
        let schools = try PointLayer.load(catalog.spec(named: "colegios"), catalog: catalog)
        #expect(schools.count == 2538)
        let index = NearestPointIndex(x: schools.x, y: schools.y)
        var rng = TestRandom(seed: 7)
        var qx: [Double] = [], qy: [Double] = []
        for _ in 0..<4000 {
            qx.append(Double.random(in: 4_850_000...4_920_000, using: &rng))
            qy.append(Double.random(in: 1_980_000...2_120_000, using: &rng))
        }
        // Exactly on school points too (distance 0) and halfway between two schools (ties).
        for k in stride(from: 0, to: 2500, by: 97) {
            qx.append(schools.x[k]); qy.append(schools.y[k])
            qx.append((schools.x[k] + schools.x[k + 1]) / 2); qy.append((schools.y[k] + schools.y[k + 1]) / 2)
        }
        let (idx, dist) = index.nearest(x: qx, y: qy)
        for q in 0..<qx.count {
            var best = -1, bestD2 = Double.infinity
            for j in 0..<schools.count {
                let dx = schools.x[j] - qx[q], dy = schools.y[j] - qy[q]
                let d2 = dx * dx + dy * dy
                if d2 < bestD2 { bestD2 = d2; best = j }
            }
            #expect(Int(idx[q]) == best)
            #expect(abs(dist[q] - bestD2.squareRoot()) < 1e-6)
        }
    }

    @Test func smallAndDegenerateSets() {
        let one = NearestPointIndex(x: [10], y: [20])
        let r = one.nearest(x: 13, y: 24)
        #expect(r.index == 0 && r.distance == 5)
        let empty = NearestPointIndex(x: [], y: [])
        #expect(empty.nearest(x: 0, y: 0).index == -1)
        // Duplicate points: the lower index wins.
        let dup = NearestPointIndex(x: [5, 0, 0], y: [5, 0, 0])
        #expect(dup.nearest(x: 0.1, y: 0).index == 1)
        // A query 1000 km away still finds the right point.
        let far = NearestPointIndex(x: [0, 100, 200], y: [0, 0, 0])
        #expect(far.nearest(x: 1_000_000, y: 5).index == 2)
    }
}
