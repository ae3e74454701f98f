import Formats
import Foundation
import Testing
@testable import Temporal
import SeededRandom

@Suite struct KnoxTests {
    /// Six events; bands distances [0, 100, 200] m, days [0, 7, 14] (half-open).
    ///
    /// | pair | distance m | Δ days | (s, t)           |
    /// |------|-----------:|-------:|------------------|
    /// | 0-1  |  50.00     |  3     | (0, 0)           |
    /// | 0-2  | 100.00     | 10     | (1, 1)           |
    /// | 0-3  | 150.00     |  7     | (1, 1)           |
    /// | 0-4  | 249.50     |  1     | beyond 200 m     |
    /// | 0-5  |  50.00     | 17     | beyond 14 d      |
    /// | 1-2  |  50.00     |  7     | (0, 1)           |
    /// | 1-3  | 100.00     |  4     | (1, 0)           |
    /// | 1-4  | 199.50     |  2     | (1, 0)           |
    /// | 1-5  |  70.71     | 14     | Δ = 14: excluded |
    /// | 2-3  |  50.00     |  3     | (0, 0)           |
    /// | 2-4  | 149.50     |  9     | (1, 1)           |
    /// | 2-5  | 111.80     |  7     | (1, 1)           |
    /// | 3-4  |  99.50     |  6     | (0, 0)           |
    /// | 3-5  | 158.11     | 10     | (1, 1)           |
    /// | 4-5  | 254.46     | 16     | —                |
    ///
    /// Half-open: [[3, 1], [2, 5]]. 13 pairs lie within [0, 200) m.
    /// (Also tabulated with a brute-force Python loop over `itertools.combinations`, same result.)
    let x: [Double] = [0, 50, 100, 150, 249.5, 0]
    let y: [Double] = [0, 0, 0, 0, 0, 50]
    let d: [Double] = [0, 3, 10, 7, 1, 17]

    @Test func handCountedObserved() {
        let r = Knox.test(x: x, y: y, days: d, bands: KnoxBands(distances: [0, 100, 200], days: [0, 7, 14]),
                          iterations: 99, seed: 1)
        #expect(r.observed == [[3, 1], [2, 5]])
        #expect(r.pairs == 13 && r.events == 6 && r.iterations == 99)
        #expect(r.distanceIntervals == [KnoxInterval(lower: 0, upper: 100), KnoxInterval(lower: 100, upper: 200)])
        // A first edge above zero excludes closer pairs.
        let far = Knox.test(x: x, y: y, days: d, bands: KnoxBands(distances: [60, 200], days: [0, 14]),
                            iterations: 9, seed: 1)
        #expect(far.observed == [[8]] && far.pairs == 9)
    }

    /// The six events plus event 6 at (100, 0.6), day 12, so that one pair is 0.6 m apart. NRC convention,
    /// distances [0, 100, 200], days [0, 7, 14]: rows [0, 0] "Same location", (0, 100) "1 to 100", [100, 200)
    /// "101 to 200", [200, ∞) "More than 200"; columns [0, 7) "0 to 7", [7, 14) "8 to 14", [14, ∞) "More than 14".
    /// The 0.6 m pair is not at the same location: the calculator counts it under "1 to 100".
    ///
    /// | pair | distance m | Δ days | (row, column) |     | pair | distance m | Δ days | (row, column) |
    /// |------|-----------:|-------:|---------------|-----|------|-----------:|-------:|---------------|
    /// | 0-1  |  50.000    |  3     | (1, 0)        |     | 2-3  |  50.000    |  3     | (1, 0)        |
    /// | 0-2  | 100.000    | 10     | (2, 1)        |     | 2-4  | 149.500    |  9     | (2, 1)        |
    /// | 0-3  | 150.000    |  7     | (2, 1)        |     | 2-5  | 111.803    |  7     | (2, 1)        |
    /// | 0-4  | 249.500    |  1     | (3, 0)        |     | 2-6  |   0.600    |  2     | (1, 0)        |
    /// | 0-5  |  50.000    | 17     | (1, 2)        |     | 3-4  |  99.500    |  6     | (1, 0)        |
    /// | 0-6  | 100.002    | 12     | (2, 1)        |     | 3-5  | 158.114    | 10     | (2, 1)        |
    /// | 1-2  |  50.000    |  7     | (1, 1)        |     | 3-6  |  50.004    |  5     | (1, 0)        |
    /// | 1-3  | 100.000    |  4     | (2, 0)        |     | 4-5  | 254.461    | 16     | (3, 2)        |
    /// | 1-4  | 199.500    |  2     | (2, 0)        |     | 4-6  | 149.501    | 11     | (2, 1)        |
    /// | 1-5  |  70.711    | 14     | (1, 2)        |     | 5-6  | 111.536    |  5     | (2, 0)        |
    /// | 1-6  |  50.004    |  9     | (1, 1)        |     |      |            |        |               |
    ///
    /// Observed [[0, 0, 0], [5, 2, 2], [3, 7, 0], [1, 0, 1]], all 21 pairs placed; 19 closer than 200 m.
    /// (Tabulated by hand and with a brute-force Python loop over `itertools.combinations` with `cut`-like
    /// half-open bands, same result.)
    @Test func handCountedNRC() {
        let bands = KnoxBands(distances: [0, 100, 200], days: [0, 7, 14], nrcCompatible: true)
        let r = Knox.test(x: x + [100], y: y + [0.6], days: d + [12], bands: bands, iterations: 99, seed: 1)
        #expect(r.observed == [[0, 0, 0], [5, 2, 2], [3, 7, 0], [1, 0, 1]])
        #expect(r.pairs == 19 && r.events == 7)
        #expect(r.distanceIntervals.map(\.nrcLabel) == ["Same location", "1 to 100", "101 to 200", "More than 200"])
        #expect(r.distanceIntervals.map(\.intervalText) == ["[0, 0]", "(0, 100)", "[100, 200)", "[200, ∞)"])
        #expect(r.dayIntervals.map(\.nrcLabel) == ["0 to 7", "8 to 14", "More than 14"])
        #expect(r.dayIntervals.map(\.intervalText) == ["[0, 7)", "[7, 14)", "[14, ∞)"])
        // Every permutation also places all 21 pairs, so the expected counts add up to 21.
        #expect(abs(r.expected.joined().reduce(0, +) - 21) < 1e-9)
    }

    /// Steenbeek's NRC vignette: two events at (0, 0) and (0, 100), three days apart, distances 0, 200, 400 and days
    /// 0, 3, 6. The pair is in (0, 200) m × [3, 6) days, which the calculator prints as "1 to 200" × "4 to 6".
    @Test func nrcTwoEventExample() {
        let bands = KnoxBands(distances: [0, 200, 400], days: [0, 3, 6], nrcCompatible: true)
        let r = Knox.test(x: [0, 0], y: [0, 100], days: [10, 13], bands: bands, iterations: 9, seed: 1)
        #expect(r.observed == [[0, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]])
        #expect(r.distanceIntervals[1] == KnoxInterval(lower: 0, upper: 200, nrcLabel: "1 to 200", lowerInclusive: false))
        #expect(r.dayIntervals[1] == KnoxInterval(lower: 3, upper: 6, nrcLabel: "4 to 6"))
        #expect(r.distanceIntervals.map(\.nrcLabel) == ["Same location", "1 to 200", "201 to 400", "More than 400"])
        #expect(r.dayIntervals.map(\.nrcLabel) == ["0 to 3", "4 to 6", "More than 6"])
        // Two events have one permutation-invariant Δt: the pair stays in its cell, ratio 1, p = 1.
        #expect(r.expected[1][1] == 1 && r.p[1][1] == 1)
    }

    /// The calculator's "Same location" is distance exactly 0: two records at one point are there, a pair 0.56 m
    /// apart on the same day is under "1 to 200" (hand count: pairs 0-1 at 0 m, 0-2 and 1-2 at 0.56 m, all Δt = 0).
    /// A 399.961 m pair stays in "201 to 400": distances are not rounded to single precision.
    @Test func nrcSameLocationIsDistanceZero() {
        let bands = KnoxBands(distances: [0, 200, 400], days: [0, 7], nrcCompatible: true)
        let r = Knox.test(x: [0, 0, 0.56, 1000], y: [0, 0, 0, 0], days: [5, 5, 5, 40], bands: bands, iterations: 9, seed: 1)
        #expect(r.distanceIntervals.map(\.nrcLabel) == ["Same location", "1 to 200", "201 to 400", "More than 400"])
        #expect(r.observed[0] == [1, 0] && r.observed[1] == [2, 0])
        #expect(r.observed.joined().reduce(0, +) == 6)
        let edge = Knox.test(x: [0, 399.961], y: [0, 0], days: [0, 1], bands: bands, iterations: 9, seed: 1)
        #expect(edge.observed == [[0, 0], [0, 0], [1, 0], [0, 0]])
    }

    /// Any first NRC distance band is split into the same-location row and the rest of it.
    @Test func nrcFirstBand() {
        let b = KnoxBands(distances: [0, 1, 50], days: [0, 7], nrcCompatible: true)
        #expect(b.distanceIntervals.map(\.intervalText) == ["[0, 0]", "(0, 1)", "[1, 50)", "[50, ∞)"])
        #expect(b.distanceIntervals.map(\.nrcLabel) == ["Same location", "1 to 1", "2 to 50", "More than 50"])
        #expect(KnoxBands(distances: [0, 0.5], days: [0, 7], nrcCompatible: true).problem == nil)
        #expect(KnoxBands(distances: [0, 100], days: [1, 7], nrcCompatible: true).problem != nil)
        #expect(KnoxBands(distances: [10, 100], days: [1, 7]).problem == nil)
    }

    /// Same place and same day: three copies at (0, 0) on day 3 (one at 23:00), two at (5, 5) on day 4, and
    /// records at (0, 0) on day 4 and at (5, 5.001) on day 4 that repeat neither. Groups 2; extra (3 − 1) + (2 − 1)
    /// = 3 records beyond the first of a group; pairs C(3, 2) + C(2, 2) = 4; kept: records 0, 2, 5 and 6.
    @Test func samePlaceSameDayDuplicates() {
        let x: [Double] = [0, 0, 5, 0, 5, 0, 5]
        let y: [Double] = [0, 0, 5, 0, 5, 0, 5.001]
        let t: [Double] = [3.25, 3.5, 4.1, 3 + 23.0 / 24, 4.9, 4.0, 4.2]
        let d = Knox.samePlaceSameDay(x: x, y: y, days: t)
        #expect(d.groups == 2 && d.extra == 3 && d.pairs == 4)
        #expect(d.firstOfEach == [0, 2, 5, 6])
        let none = Knox.samePlaceSameDay(x: [0, 0], y: [0, 0], days: [1.9, 2.1])
        #expect(none.groups == 0 && none.extra == 0 && none.pairs == 0 && none.firstOfEach == [0, 1])
    }

    /// Times given as seconds / 86 400 are compared in whole seconds: these two incidents are exactly 7 days apart,
    /// although 691205/86400 − 86405/86400 evaluates to 6.999999999999999 in Double (checked in Python).
    @Test func wholeSecondsAreComparedExactly() {
        let t = [86_405.0 / 86_400, 691_205.0 / 86_400]
        #expect(t[1] - t[0] < 7)
        let r = Knox.test(x: [0, 10], y: [0, 0], days: t, bands: KnoxBands(distances: [0, 100], days: [0, 7, 14]),
                          iterations: 9, seed: 1)
        #expect(r.observed == [[0, 1]])
        #expect(Knox.wholeSeconds(t, edges: [0, 7, 14])?.times == [0, 604_800])
        #expect(Knox.wholeSeconds([0, 0.1234567], edges: [0, 7]) == nil)     // not whole seconds: Double path
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

    /// Slow reference: every pair of events for every permutation, each pair's cell found by scanning the result's
    /// intervals; permutation r is the documented Fisher–Yates shuffle of `days` with stream r.
    func bruteForce(x: [Double], y: [Double], days: [Double], bands: KnoxBands, iterations: Int,
                    seed: UInt64) -> (observed: [[Int]], expected: [[Double]], p: [[Double]]) {
        let rows = bands.distanceIntervals, cols = bands.dayIntervals
        func index(_ v: Double, _ bands: [KnoxInterval]) -> Int? {
            bands.firstIndex { b in
                (b.lowerInclusive ? v >= b.lower : v > b.lower)
                    && (b.upper.map { b.upperInclusive ? v <= $0 : v < $0 } ?? true)
            }
        }
        let n = x.count
        func table(_ t: [Double]) -> [[Int]] {
            var c = [[Int]](repeating: [Int](repeating: 0, count: cols.count), count: rows.count)
            for i in 0..<n {
                for j in (i + 1)..<n {
                    let dx = x[i] - x[j], dy = y[i] - y[j]
                    let d = bands.metric == .manhattan ? abs(dx) + abs(dy) : (dx * dx + dy * dy).squareRoot()
                    if let s = index(d, rows), let u = index(abs(t[i] - t[j]), cols) { c[s][u] += 1 }
                }
            }
            return c
        }
        let observed = table(days)
        var sums = observed.map { $0.map { _ in 0 } }, geq = sums
        for r in 0..<iterations {
            var g = Xoshiro256StarStar(seed: seed, permutation: UInt64(r))
            var t = days
            var k = n - 1
            while k > 0 { t.swapAt(k, Int(g.below(UInt64(k + 1)))); k -= 1 }
            let c = table(t)
            for s in c.indices { for u in c[s].indices { sums[s][u] += c[s][u]; if c[s][u] >= observed[s][u] { geq[s][u] += 1 } } }
        }
        let R = Double(iterations)
        return (observed, sums.map { $0.map { Double($0) / R } }, geq.map { $0.map { Double($0 + 1) / (R + 1) } })
    }

    /// 300 clustered events (some at exactly the same place, so the same-location row is not empty): the NRC
    /// table, whose open row, column and corner come from permutation invariants, equals the brute-force count of
    /// all 44,850 pairs, observed, expected and p, for both metrics, for whole-day times (seconds path) and
    /// fractional times (Double path), and for the default convention with a first edge above 0.
    @Test func matchesBruteForceReference() {
        var (x, y, t) = clusteredEvents(seed: 21)
        x = Array(x.prefix(300)); y = Array(y.prefix(300)); t = Array(t.prefix(300))
        for k in stride(from: 0, to: 300, by: 10) { x[k + 1] = x[k]; y[k + 1] = y[k] }
        let fractional = t.enumerated().map { $0.element + Double($0.offset % 7) * 0.123456789 }
        #expect(Knox.wholeSeconds(fractional, edges: [0, 7]) == nil)
        let cases: [(KnoxBands, [Double])] = [
            (KnoxBands(distances: [0, 100, 200, 300], days: [0, 7, 14, 21, 28], nrcCompatible: true), t),
            (KnoxBands(distances: [0, 100, 200, 300], days: [0, 7, 14, 21, 28], nrcCompatible: true, metric: .manhattan), t),
            (KnoxBands(distances: [0, 50, 250], days: [0, 3, 10], nrcCompatible: true), fractional),
            (KnoxBands(distances: [0, 50, 250], days: [0, 3, 10], nrcCompatible: true, metric: .manhattan), fractional),
            (KnoxBands(distances: [20, 100, 300], days: [1, 7, 14, 21, 28, 35]), t),
            (KnoxBands(distances: [0, 60, 200], days: [2, 9.5, 30], metric: .manhattan), fractional),
        ]
        for (bands, times) in cases {
            let r = Knox.test(x: x, y: y, days: times, bands: bands, iterations: 19, seed: 5)
            let ref = bruteForce(x: x, y: y, days: times, bands: bands, iterations: 19, seed: 5)
            #expect(r.observed == ref.observed, "\(bands)")
            #expect(r.expected == ref.expected, "\(bands)")
            #expect(r.p == ref.p, "\(bands)")
            if bands.nrcCompatible {
                #expect(r.observed.joined().reduce(0, +) == 300 * 299 / 2)
                #expect(r.observed[0].reduce(0, +) > 0 && r.observed.last!.reduce(0, +) > 0)
            }
        }
    }

    @Test func nrcManhattanThreadIndependence() {
        let (x, y, t) = randomEvents(600, seed: 12)
        let b = KnoxBands(distances: [0, 100, 200, 300], days: [0, 7, 14, 21], nrcCompatible: true, metric: .manhattan)
        let a = Knox.test(x: x, y: y, days: t, bands: b, iterations: 41, seed: 3, workers: 1)
        for w in [2, 5] { #expect(Knox.test(x: x, y: y, days: t, bands: b, iterations: 41, seed: 3, workers: w) == a) }
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
        // 30/13 = 2.3077: 131 % more, strong.
        #expect(s.contains("Tras un incidente, el riesgo de otro a menos de 100 m en los 7 días siguientes es 2,31 veces el esperado (131 % más, exceso fuerte; p = 0,001"))
        // 9/8.8 = 1.0227 with p = 0.02 is significant, and said to be slight.
        #expect(s.contains("a entre 100 y 200 m entre 7 y 14 días después es 1,02 veces el esperado (2,3 % más, exceso muy leve; p = 0,020"))
        #expect(!s.contains("entre 0 y 100") && !s.contains("12 pares"))   // p = 0.3: not listed
        #expect(s.contains("999 permutaciones"))
        let none = KnoxResult(observed: [[1, 1], [1, 1]], expected: [[1, 1], [1, 1]], ratio: [[1, 1], [1, 1]],
                              p: [[0.5, 0.5], [0.5, 0.5]], iterations: 99, seed: 1, pairs: 4, events: 10, bands: b)
        #expect(none.summarySpanish().contains("no hay evidencia de repetición cercana"))
        let second = KnoxResult(observed: [[0, 0], [0, 40]], expected: [[0, 0], [0, 10]], ratio: [[.nan, .nan], [.nan, 4]],
                                p: [[1, 1], [1, 0.0001]], iterations: 9999, seed: 1, pairs: 4, events: 10, bands: b)
        #expect(second.summarySpanish().contains("a entre 100 y 200 m entre 7 y 14 días después es 4,00 veces el esperado (300 % más, exceso fuerte; p < 0,001"))
    }

    /// The issue's case: ratio 1.14 with p = 0.001 is significant (a slight excess), not "no evidence"; a minimum
    /// ratio of 1.2 leaves it out of the sentences but still counts it.
    @Test func slightButSignificantExcessIsReported() {
        let b = KnoxBands(distances: [0, 100, 200], days: [0, 7, 14])
        let r = KnoxResult(observed: [[1140, 100], [100, 100]], expected: [[1000, 100], [100, 100]],
                           ratio: [[1.14, 1], [1, 1]], p: [[0.001, 0.5], [0.5, 0.5]],
                           iterations: 999, seed: 1, pairs: 1440, events: 300, bands: b)
        let s = r.summarySpanish()
        #expect(!s.contains("no hay evidencia de repetición cercana (near repeat)"))
        #expect(s.contains("a menos de 100 m en los 7 días siguientes es 1,14 veces el esperado (14 % más, exceso leve; p = 0,001; 1140 pares observados frente a 1000,0 esperados)"))
        let strict = r.summarySpanish(minRatio: 1.2)
        #expect(!strict.contains("no hay evidencia de repetición cercana (near repeat)") && !strict.contains("1,14 veces"))
        #expect(strict.contains("1 combinación significativa tiene una razón menor que el mínimo pedido de 1,20"))
        #expect(KnoxResult.strengthSpanish(1.05) == "muy leve" && KnoxResult.strengthSpanish(1.14) == "leve"
                && KnoxResult.strengthSpanish(1.5) == "moderado" && KnoxResult.strengthSpanish(2) == "fuerte")
    }

    /// The JSON of a result: a band with no expected pair has ratio null (JSONEncoder would throw on NaN), every
    /// key present, in snake_case under the CLI's key strategy.
    @Test func encodesNaNRatioAsNull() throws {
        let r = Knox.test(x: x, y: y, days: d, bands: KnoxBands(distances: [0, 1, 200], days: [0, 7, 14]),
                          iterations: 19, seed: 4)
        #expect(r.ratio[0][0].isNaN)                                 // no pairs closer than 1 m
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        let doc = try JSONSerialization.jsonObject(with: try e.encode(r)) as! [String: Any]
        #expect((doc["ratio"] as! [[Any]])[0][0] is NSNull)
        #expect(Set(doc.keys) == ["observed", "expected", "ratio", "p", "iterations", "seed", "pairs", "events", "bands",
                                  "distance_intervals", "day_intervals"])
    }

    @Test func encodesNRCIntervals() throws {
        let b = KnoxBands(distances: [0, 100, 200], days: [0, 7, 14], nrcCompatible: true, metric: .manhattan)
        let r = Knox.test(x: x, y: y, days: d, bands: b, iterations: 19, seed: 4)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        let text = String(decoding: try e.encode(r), as: UTF8.self)
        #expect(text.contains(#"{"lower":200,"lower_inclusive":true,"nrc_label":"More than 200","upper":null,"upper_inclusive":false}"#),
                "\(text)")
        #expect(text.contains(#""bands":{"days":[0,7,14],"distances":[0,100,200],"metric":"manhattan","nrc_compatible":true}"#))
        #expect(text.contains(#"{"lower":0,"lower_inclusive":true,"nrc_label":"Same location","upper":0,"upper_inclusive":true}"#))
    }

    @Test func spanishSummaryNamesNRCBands() {
        let b = KnoxBands(distances: [0, 100, 200], days: [0, 7, 14], nrcCompatible: true)
        var cells = [[Int]](repeating: [1, 1, 1], count: 4)
        cells[0][0] = 20; cells[2][1] = 30
        var ratio = cells.map { $0.map(Double.init) }, p = cells.map { $0.map { _ in 0.5 } }
        ratio[0][0] = 4; p[0][0] = 0.001; ratio[2][1] = 1.5; p[2][1] = 0.01; ratio[3][2] = 1.01; p[3][2] = 0.01
        let r = KnoxResult(observed: cells, expected: cells.map { $0.map { _ in 5 } }, ratio: ratio, p: p,
                           iterations: 999, seed: 1, pairs: 100, events: 50, bands: b)
        let s = r.summarySpanish()
        #expect(s.contains("con las bandas de la Near Repeat Calculator"))
        #expect(s.contains("en el mismo lugar (a 0 m) en los 7 días siguientes (NRC «Same location» × «0 to 7» = [0, 0] m × [0, 7) días) es 4,00 veces"))
        #expect(s.contains("a entre 100 y 200 m entre 7 y 14 días después (NRC «101 to 200» × «8 to 14» = [100, 200) m × [7, 14) días) es 1,50 veces"))
        // The open corner ("More than 200" × "More than 14") is not a near repeat: counted, not described.
        #expect(s.contains("1 combinación abierta («More than …») tiene más pares de los esperados con p < 0,05; no se describe"))
        #expect(!s.contains("200 m o más"))
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
