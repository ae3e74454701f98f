import Foundation
import Testing
@testable import Temporal
import SeededRandom

@Suite struct KnoxTests {
    /// Six events; bands distances [0, 100, 200] m, days [0, 7, 14].
    ///
    /// | pair | distance m | Δ days | half-open (s, t) | NRC (s, t)             |
    /// |------|-----------:|-------:|------------------|------------------------|
    /// | 0-1  |  50.00     |  3     | (0, 0)           | (0, 0)                 |
    /// | 0-2  | 100.00     | 10     | (1, 1)           | (1, 1)                 |
    /// | 0-3  | 150.00     |  7     | (1, 1)           | (1, 1)                 |
    /// | 0-4  | 249.50     |  1     | beyond 200 m     | —                      |
    /// | 0-5  |  50.00     | 17     | beyond 14 d      | —                      |
    /// | 1-2  |  50.00     |  7     | (0, 1)           | (0, 1)                 |
    /// | 1-3  | 100.00     |  4     | (1, 0)           | (1, 0)                 |
    /// | 1-4  | 199.50     |  2     | (1, 0)           | (1, 0)                 |
    /// | 1-5  |  70.71     | 14     | Δ = 14: excluded | —                      |
    /// | 2-3  |  50.00     |  3     | (0, 0)           | (0, 0)                 |
    /// | 2-4  | 149.50     |  9     | (1, 1)           | (1, 1)                 |
    /// | 2-5  | 111.80     |  7     | (1, 1)           | (1, 1)                 |
    /// | 3-4  |  99.50     |  6     | (0, 0)           | s ∈ {0, 1} [99, 200), t ∈ {0, 1} [6, 14) → 4 cells |
    /// | 3-5  | 158.11     | 10     | (1, 1)           | (1, 1)                 |
    /// | 4-5  | 254.46     | 16     | —                | —                      |
    ///
    /// Half-open: [[3, 1], [2, 5]]; NRC: [[3, 2], [3, 6]]. 13 pairs lie within [0, 200) m.
    /// (Also tabulated with a brute-force Python loop over `itertools.combinations`, same result.)
    let x: [Double] = [0, 50, 100, 150, 249.5, 0]
    let y: [Double] = [0, 0, 0, 0, 0, 50]
    let d: [Double] = [0, 3, 10, 7, 1, 17]

    @Test func handCountedObserved() {
        let r = Knox.test(x: x, y: y, days: d, bands: KnoxBands(distances: [0, 100, 200], days: [0, 7, 14]),
                          iterations: 99, seed: 1)
        #expect(r.observed == [[3, 1], [2, 5]])
        #expect(r.pairs == 13 && r.events == 6 && r.iterations == 99)
        let nrc = Knox.test(x: x, y: y, days: d,
                            bands: KnoxBands(distances: [0, 100, 200], days: [0, 7, 14], nrcCompatible: true),
                            iterations: 99, seed: 1)
        #expect(nrc.observed == [[3, 2], [3, 6]])
        #expect(nrc.pairs == 13)
        // A first edge above zero excludes closer pairs.
        let far = Knox.test(x: x, y: y, days: d, bands: KnoxBands(distances: [60, 200], days: [0, 14]),
                            iterations: 9, seed: 1)
        #expect(far.observed == [[8]] && far.pairs == 9)
    }

    @Test func expectedSumsToPermutationInvariantTotal() {
        // Total pairs in [0, 200) m × [0, ∞) days does not depend on the permutation.
        let r = Knox.test(x: x, y: y, days: d, bands: KnoxBands(distances: [0, 200], days: [0, 1000]),
                          iterations: 50, seed: 3)
        #expect(r.observed == [[13]] && r.expected == [[13]] && r.ratio == [[1]] && r.p == [[1]])
    }

    func randomEvents(_ n: Int, seed: UInt64, side: Double = 5000, span: Double = 365) -> ([Double], [Double], [Double]) {
        var g = Xoshiro256StarStar(seed: seed)
        func u() -> Double { Double(g.next() >> 11) * 0x1p-53 }
        var x = [Double](), y = [Double](), t = [Double]()
        for _ in 0..<n { x.append(u() * side); y.append(u() * side); t.append((u() * span).rounded(.down)) }
        return (x, y, t)
    }

    func clusteredEvents(seed: UInt64) -> ([Double], [Double], [Double]) {
        var g = Xoshiro256StarStar(seed: seed)
        func u() -> Double { Double(g.next() >> 11) * 0x1p-53 }
        var x = [Double](), y = [Double](), t = [Double]()
        for _ in 0..<300 {
            let px = u() * 5000, py = u() * 5000, pt = (u() * 365).rounded(.down)
            x.append(px); y.append(py); t.append(pt)
            for _ in 0..<4 {     // near repeats: within ~50 m and 5 days
                x.append(px + (u() - 0.5) * 70); y.append(py + (u() - 0.5) * 70); t.append(pt + (u() * 5).rounded(.down))
            }
        }
        return (x, y, t)
    }

    let bands = KnoxBands(distances: [0, 100, 200, 300, 400, 500], days: [0, 7, 14, 21, 28])

    @Test func seededDeterminismAndThreadIndependence() {
        let (x, y, t) = randomEvents(800, seed: 11)
        let a = Knox.test(x: x, y: y, days: t, bands: bands, iterations: 199, seed: 7)
        let b = Knox.test(x: x, y: y, days: t, bands: bands, iterations: 199, seed: 7)
        #expect(a == b)
        for w in [1, 3, 8] {
            #expect(Knox.test(x: x, y: y, days: t, bands: bands, iterations: 199, seed: 7, workers: w) == a)
        }
        let c = Knox.test(x: x, y: y, days: t, bands: bands, iterations: 199, seed: 8)
        #expect(c.observed == a.observed && c.expected != a.expected)
        // Event order does not matter for the observed counts.
        let rev = Knox.test(x: x.reversed(), y: y.reversed(), days: t.reversed(), bands: bands, iterations: 9, seed: 7)
        #expect(rev.observed == a.observed && rev.pairs == a.pairs)
    }

    @Test func pValuesInRange() {
        let (x, y, t) = clusteredEvents(seed: 5)
        let R = 99
        let r = Knox.test(x: x, y: y, days: t, bands: bands, iterations: R, seed: 1)
        for row in r.p { for p in row { #expect(p >= 1.0 / Double(R + 1) && p <= 1) } }
        #expect(r.p[0][0] == 1.0 / Double(R + 1))
    }

    @Test func clusteredVersusRandom() {
        let (cx, cy, ct) = clusteredEvents(seed: 5)
        let c = Knox.test(x: cx, y: cy, days: ct, bands: bands, iterations: 199, seed: 2)
        #expect(c.ratio[0][0] > 3 && c.p[0][0] <= 0.01)
        #expect(c.ratio[4][3] < 1.5)
        let (rx, ry, rt) = randomEvents(2000, seed: 9)
        let r = Knox.test(x: rx, y: ry, days: rt, bands: bands, iterations: 199, seed: 2)
        let flat = r.ratio.flatMap { $0 }
        #expect(flat.allSatisfy { $0 > 0.6 && $0 < 1.5 }, "\(r.ratio)")
        let mean = flat.reduce(0, +) / Double(flat.count)
        #expect(abs(mean - 1) < 0.06, "mean ratio \(mean)")
        #expect(abs(r.ratio[0][0] - 1) < 0.35)
        // Expected totals equal observed totals (the permutation only moves pairs between time bands / outside).
        #expect(r.expected.allSatisfy { $0.allSatisfy { $0 > 0 } })
    }

    @Test func spanishSummary() {
        let b = KnoxBands(distances: [0, 100, 200], days: [0, 7, 14])
        let hit = KnoxResult(observed: [[30, 12], [10, 9]], expected: [[13, 11.5], [10.2, 8.8]],
                             ratio: [[30.0 / 13, 12 / 11.5], [10 / 10.2, 9 / 8.8]], p: [[0.001, 0.3], [0.6, 0.02]],
                             iterations: 999, seed: 42, pairs: 500, events: 200, bands: b)
        let s = hit.summarySpanish()
        #expect(s.contains("Tras un incidente, el riesgo de otro a menos de 100 m en los 7 días siguientes es 2,3 veces el esperado (p = 0,001"))
        #expect(!s.contains("entre 7 y 14"))           // ratio 1.04 and 1.02: not listed
        #expect(s.contains("999 permutaciones"))
        let none = KnoxResult(observed: [[1, 1], [1, 1]], expected: [[1, 1], [1, 1]], ratio: [[1, 1], [1, 1]],
                              p: [[0.5, 0.5], [0.5, 0.5]], iterations: 99, seed: 1, pairs: 4, events: 10, bands: b)
        #expect(none.summarySpanish().contains("no hay evidencia de repetición cercana"))
        let second = KnoxResult(observed: [[0, 0], [0, 40]], expected: [[0, 0], [0, 10]], ratio: [[.nan, .nan], [.nan, 4]],
                                p: [[1, 1], [1, 0.0001]], iterations: 9999, seed: 1, pairs: 4, events: 10, bands: b)
        #expect(second.summarySpanish().contains("a entre 100 y 200 m entre 7 y 14 días después es 4,0 veces el esperado (p < 0,001"))
    }

    @Test func codableWithNaNRatio() throws {
        let r = Knox.test(x: x, y: y, days: d, bands: KnoxBands(distances: [0, 1, 200], days: [0, 7, 14]),
                          iterations: 19, seed: 4)
        #expect(r.ratio[0][0].isNaN)                                 // no pairs closer than 1 m
        let data = try JSONEncoder().encode(r)
        #expect(String(decoding: data, as: UTF8.self).contains("null"))
        #expect(try JSONDecoder().decode(KnoxResult.self, from: data) == r)
    }

    @Test func generatorIsReproducible() {
        var a = Xoshiro256StarStar(seed: 0), b = Xoshiro256StarStar(seed: 0)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        var s = SplitMix64(seed: 0)
        #expect(s.next() == 0xE220_A839_7B1D_CDAF)                   // SplitMix64 reference first output for seed 0
        var c = Xoshiro256StarStar(seed: 1)
        var hist = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { hist[Int(c.below(7))] += 1 }
        #expect(hist.allSatisfy { abs($0 - 10_000) < 500 })
    }
}
