import Foundation
import Testing
@testable import Temporal
import SeededRandom

let temporalBenchEnabled = ProcessInfo.processInfo.environment["ATALAYA_BENCH"] == "1"

func wallSeconds(_ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

/// Opt-in timings (ATALAYA_BENCH=1). Run in release; they print, and only fail on gross regressions (3× target; the build machine is shared).
@Suite(.enabled(if: temporalBenchEnabled), .serialized) struct TemporalPerformanceTests {
    /// 50,000 events over a 20 km × 30 km city and two years, half of them clustered near repeats;
    /// bands 0–500 m by 100 m × 0–28 days by 7; 999 permutations.
    @Test func knox50k999() {
        var g = Xoshiro256StarStar(seed: 2025)
        func u() -> Double { Double(g.next() >> 11) * 0x1p-53 }
        var x = [Double](), y = [Double](), t = [Double]()
        // Denser centre (a few hot districts) plus uniform background.
        let centres = (0..<40).map { _ in (u() * 20_000, u() * 30_000) }
        while x.count < 50_000 {
            if u() < 0.5 {
                let c = centres[Int(g.below(40))]
                let px = c.0 + (u() - 0.5) * 3000, py = c.1 + (u() - 0.5) * 3000, pt = (u() * 730).rounded(.down)
                x.append(px); y.append(py); t.append(pt)
                if u() < 0.5 { x.append(px + (u() - 0.5) * 150); y.append(py + (u() - 0.5) * 150); t.append(pt + (u() * 10).rounded(.down)) }
            } else {
                x.append(u() * 20_000); y.append(u() * 30_000); t.append((u() * 730).rounded(.down))
            }
        }
        x = Array(x.prefix(50_000)); y = Array(y.prefix(50_000)); t = Array(t.prefix(50_000))
        let bands = KnoxBands(distances: [0, 100, 200, 300, 400, 500], days: [0, 7, 14, 21, 28])
        var r: KnoxResult?
        let s = wallSeconds { r = Knox.test(x: x, y: y, days: t, bands: bands, iterations: 999, seed: 1) }
        print("BENCH knox: \(x.count) events, \(r!.pairs) close pairs, 999 permutations, \(temporalWorkerCount) workers: "
              + String(format: "%.3f s", s))
        print("BENCH knox ratio[0][0] \(r!.ratio[0][0]) p \(r!.p[0][0])")
        print("BENCH knox observed \(r!.observed)")
        print(r!.summarySpanish())
        #expect(s < 30)
    }

    /// 104 weekly steps × 14,000 cells (a 125 × 112 grid of 250 m cells, queen neighbours), time window 1,
    /// then the 17-way classification of every cell.
    @Test func spaceTimeGiStar104x14000() {
        let cols = 125, rows = 112, L = cols * rows, T = 104
        var nb = [[Int32]](repeating: [], count: L)
        for r in 0..<rows { for c in 0..<cols {
            for dr in -1...1 { for dc in -1...1 where !(dr == 0 && dc == 0) {
                let rr = r + dr, cc = c + dc
                if rr >= 0 && rr < rows && cc >= 0 && cc < cols { nb[r * cols + c].append(Int32(rr * cols + cc)) }
            } }
        } }
        var g = Xoshiro256StarStar(seed: 3)
        let counts: [[Double]] = (0..<T).map { t in
            (0..<L).map { i in
                let hot = (i % cols) < 20 && (i / cols) < 20
                let growing = (i % cols) > 100 && (i / cols) > 90 && t > 60
                let lambda = hot ? 4.0 : (growing ? 3.0 : 0.4)
                return Double(g.below(UInt64(2 * lambda + 1)))
            }
        }
        var res: (z: [[Double]], p: [[Double]])?
        let s = wallSeconds { res = EmergingHotSpots.spaceTimeGiStar(counts: counts, neighbours: nb, timeWindow: 1) }
        var cats: [(category: EmergingCategory, trend: MannKendallResult)] = []
        let c = wallSeconds { cats = EmergingHotSpots.classifyCube(z: res!.z, p: res!.p) }
        var hist = [EmergingCategory: Int]()
        for k in cats { hist[k.category, default: 0] += 1 }
        print("BENCH space-time Gi*: \(T) steps × \(L) cells, window 1, \(temporalWorkerCount) workers: "
              + String(format: "%.3f s; classification (Mann–Kendall per cell) %.3f s", s, c))
        print("BENCH categories: " + hist.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        #expect(s + c < 10)
    }
}
