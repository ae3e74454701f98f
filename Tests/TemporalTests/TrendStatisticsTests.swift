import Foundation
import Testing
@testable import Temporal
import SeededRandom
import TestSupport

/// Expected values from pymannkendall 1.4.3: golden/mann-kendall-pymannkendall.json (values, script and a
/// hand check of the first series).
@Suite struct MannKendallTests {
    struct Case: Decodable {
        let x: [Double]; let s, v, z, p, tau: Double
        enum CodingKeys: String, CodingKey { case x, s, z, p, tau, v = "var_s" }
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(b)) }

    @Test func matchesPymannkendall() throws {
        let cases = try Golden.load("mann-kendall-pymannkendall", as: [Case].self)
        #expect(cases.count == 6)
        for c in cases {
            let r = MannKendall.test(c.x)
            #expect(r.S == c.s, "S \(c.x)")
            #expect(close(r.varS, c.v), "var \(c.x)")
            #expect(close(r.z, c.z), "z \(c.x)")
            #expect(abs(r.p - c.p) <= 1e-13, "p \(c.x)")
            #expect(close(r.tau, c.tau), "tau \(c.x)")
        }
    }

    @Test func degenerateAndNaN() {
        #expect(MannKendall.test([]).p == 1 && MannKendall.test([3]).z == 0)
        let withNaN = MannKendall.test([1, .nan, 2, 3, 4, 5])
        #expect(withNaN.S == 10 && close(withNaN.z, 2.2045407685048604))
    }
}

/// Gi* golden values from esda's documentation (DOMAIN.md §5; golden/getis-ord-esda.json): distance band
/// 15, binary, self included.
@Suite struct SpaceTimeGiStarTests {
    struct EsdaExample: Decodable { let x, y: [Double]; let distance: Double; let values, z: [Double] }

    @Test func singleStepMatchesEsdaGolden() throws {
        let g = try Golden.load("getis-ord-esda", as: EsdaExample.self)
        let y = g.values, n = y.count
        var nb = [[Int32]](repeating: [], count: n)
        for i in 0..<n { for j in 0..<n where i != j {
            if hypot(g.x[i] - g.x[j], g.y[i] - g.y[j]) <= g.distance { nb[i].append(Int32(j)) }
        } }
        let r = EmergingHotSpots.spaceTimeGiStar(counts: [y], neighbours: nb, timeWindow: 0)
        let golden = g.z
        #expect(r.z[0].count == golden.count)
        for i in golden.indices { #expect(abs(r.z[0][i] - golden[i]) < 1e-7) }
        #expect(abs(r.p[0][5] - erfc(2.02424331 / 2.0.squareRoot())) < 1e-8)
        // timeWindow = 1 on a single step is the same (the window is truncated).
        #expect(EmergingHotSpots.spaceTimeGiStar(counts: [y], neighbours: nb, timeWindow: 1).z == r.z)
    }

    /// Brute force: explicit weight vector over the whole cube for every cell.
    @Test func matchesBruteForceCube() {
        let T = 5, L = 7
        var rng = Xoshiro256StarStar(seed: 42)
        let counts = (0..<T).map { _ in (0..<L).map { _ in Double(rng.below(6)) } }
        let nb: [[Int32]] = (0..<L).map { i in [Int32((i + 1) % L), Int32((i + L - 1) % L)] + (i == 3 ? [5] : []) }
        for window in [0, 1, 2] {
            let r = EmergingHotSpots.spaceTimeGiStar(counts: counts, neighbours: nb, timeWindow: window)
            let xs = counts.flatMap { $0 }
            let n = Double(xs.count)
            let mean = xs.reduce(0, +) / n
            let S = (xs.map { $0 * $0 }.reduce(0, +) / n - mean * mean).squareRoot()
            for t in 0..<T { for i in 0..<L {
                var w = [Double](repeating: 0, count: xs.count)
                for tt in max(0, t - window)...t { for j in [i] + nb[i].map(Int.init) { w[tt * L + j] = 1 } }
                let sw = w.reduce(0, +), sw2 = w.map { $0 * $0 }.reduce(0, +)
                let num = zip(w, xs).map { $0 * $1 }.reduce(0, +) - mean * sw
                let z = num / (S * ((n * sw2 - sw * sw) / (n - 1)).squareRoot())
                #expect(abs(r.z[t][i] - z) < 1e-10, "t \(t) i \(i) window \(window)")
                #expect(abs(r.p[t][i] - erfc(abs(z) / 2.0.squareRoot())) < 1e-12)
            } }
        }
    }

    @Test func constantCubeHasNoSignal() {
        let r = EmergingHotSpots.spaceTimeGiStar(counts: [[1, 1, 1], [1, 1, 1]], neighbours: [[1], [0, 2], [1]])
        #expect(r.z.allSatisfy { $0.allSatisfy { $0 == 0 } } && r.p.allSatisfy { $0.allSatisfy { $0 == 1 } })
    }
}

@Suite struct EmergingCategoryTests {
    /// Classifies a z series with p = erfc(|z|/√2) (significant at 0.05 ⇔ |z| > 1.96).
    func classify(_ z: [Double]) -> EmergingCategory {
        EmergingHotSpots.classify(z: z, p: z.map { erfc(abs($0) / 2.0.squareRoot()) }).category
    }

    /// Builds a series from a pattern: H = hot (z 3.0), C = cold (−3.0), '.' = not significant (small values
    /// alternating in sign so that they carry no trend).
    func series(_ pattern: String) -> [Double] {
        pattern.enumerated().map { k, ch in
            switch ch {
            case "H": return 3.0 + (k % 2 == 0 ? 0.2 : -0.2)
            case "C": return -3.0 + (k % 2 == 0 ? 0.2 : -0.2)
            default: return k % 2 == 0 ? 0.3 : -0.4
            }
        }
    }

    var hotCases: [(String, [Double], EmergingCategory)] {
        [
            ("new", series("...................H"), .newHot),
            ("new after a long quiet history", series(String(repeating: ".", count: 103) + "H"), .newHot),
            ("consecutive", series("................HHHH"), .consecutiveHot),
            ("consecutive, run of two", series("..................HH"), .consecutiveHot),
            ("intensifying", (0..<20).map { 2.0 + 0.1 * Double($0) }, .intensifyingHot),
            ("persistent", series("HHHHHHHHHHHHHHHHHHHH"), .persistentHot),
            ("persistent at exactly 90 %", series("HHHHH.HHHHHHH.HHHHHH"), .persistentHot),
            ("diminishing", (0..<20).map { 5.0 - 0.1 * Double($0) }, .diminishingHot),
            ("sporadic", series(".H..H...HH..H......H"), .sporadicHot),
            ("sporadic at 85 % (below the 90 % rule)", series("HHH.HHHHH.HHH.HHHHHH"), .sporadicHot),
            ("oscillating", series("..CC....H.H...C....H"), .oscillatingHot),
            ("oscillating: earlier cold then a first hot step", series("CC.................H"), .oscillatingHot),
            ("historical", series("HHHHHHHHHHHHHHHHHHH."), .historicalHot),
            ("historical at 90 %", series("HHHHHHHH.HHHHHHHHHH."), .historicalHot),
        ]
    }

    @Test func hotCategoriesAndColdMirrors() {
        let mirror: [EmergingCategory: EmergingCategory] = [
            .newHot: .newCold, .consecutiveHot: .consecutiveCold, .intensifyingHot: .intensifyingCold,
            .persistentHot: .persistentCold, .diminishingHot: .diminishingCold, .sporadicHot: .sporadicCold,
            .oscillatingHot: .oscillatingCold, .historicalHot: .historicalCold,
        ]
        var seen = Set<EmergingCategory>()
        for (name, z, expected) in hotCases {
            #expect(classify(z) == expected, "\(name)")
            // Negating z turns every hot pattern into its cold mirror (intensifying cold = decreasing z).
            #expect(classify(z.map { -$0 }) == mirror[expected]!, "mirror of \(name)")
            seen.insert(expected); seen.insert(mirror[expected]!)
        }
        seen.insert(.noPattern)
        #expect(seen.count == EmergingCategory.allCases.count)
    }

    @Test func trendsAreThoseOfTheZSeries() {
        let up = EmergingHotSpots.classify(z: (0..<20).map { 2.0 + 0.1 * Double($0) }, p: Array(repeating: 0.01, count: 20))
        #expect(up.category == .intensifyingHot && up.trend.S == 190 && up.trend.p < 1e-6)
        let flat = EmergingHotSpots.classify(z: series("HHHHHHHHHHHHHHHHHHHH"), p: Array(repeating: 0.001, count: 20))
        #expect(flat.category == .persistentHot && flat.trend.p >= 0.05)
    }

    @Test func noPattern() {
        #expect(classify(series("....................")) == .noPattern)
        #expect(classify(series("HHHH..HHHH..HHHH....")) == .noPattern)              // final not significant, < 90 %
        #expect(classify(series("CCCCCC.....HHH......")) == .noPattern)
        #expect(classify([]) == .noPattern)
        // NaN z or p is never significant.
        #expect(EmergingHotSpots.classify(z: [.nan, 0.1, .nan], p: [0.001, .nan, 0.01]).category == .noPattern)
    }

    @Test func finalStateDecidesTheFamily() {
        // ≥ 90 % hot but the final step is significantly cold → cold rules: oscillating cold.
        #expect(classify(series("HHHHHHHHHHHHHHHHHHHC")) == .oscillatingCold)
        // p-values decide significance, independently of |z|.
        let z = [Double](repeating: 0.5, count: 10)
        var p = [Double](repeating: 0.5, count: 10); p[9] = 0.01
        #expect(EmergingHotSpots.classify(z: z, p: p).category == .newHot)
        #expect(EmergingHotSpots.classify(z: z, p: p, alpha: 0.005).category == .noPattern)
    }

    @Test func cubeClassificationMatchesPerLocation() {
        let patterns = hotCases.map(\.1).filter { $0.count == 20 }
        let T = 20, L = patterns.count * 2
        var z = [[Double]](repeating: [Double](repeating: 0, count: L), count: T)
        var p = z
        for (k, s) in patterns.enumerated() {
            for t in 0..<T {
                z[t][2 * k] = s[t]; z[t][2 * k + 1] = -s[t]
                p[t][2 * k] = erfc(abs(s[t]) / 2.0.squareRoot()); p[t][2 * k + 1] = p[t][2 * k]
            }
        }
        let cube = EmergingHotSpots.classifyCube(z: z, p: p)
        for i in 0..<L {
            let one = EmergingHotSpots.classify(z: z.map { $0[i] }, p: p.map { $0[i] })
            #expect(cube[i].category == one.category && cube[i].trend == one.trend)
        }
    }
}
