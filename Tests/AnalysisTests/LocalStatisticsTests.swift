import Foundation
import Primitives
import Testing
import TestSupport
@testable import Analysis

@Suite struct GetisOrdTests {
    /// esda's documented example (golden/getis-ord-esda.json).
    struct EsdaExample: Decodable { let x, y: [Double]; let distance: Double; let values, z: [Double] }

    @Test func esdaGoldenExample() throws {
        let g = try Golden.load("getis-ord-esda", as: EsdaExample.self)
        let nb = SpatialNeighbours.distanceBand(x: g.x, y: g.y, distance: g.distance)
        #expect(nb[3] == [0, 1, 4])        // (15,20)–(30,20) is exactly 15: included
        let r = GetisOrd.giStar(values: g.values, neighbours: nb, fdr: false)
        #expect(r.z.count == g.z.count)
        for i in g.z.indices { #expect(isClose(r.z[i], g.z[i], absolute: 1e-6), "z[\(i)] = \(r.z[i])") }
        // p = erfc(|z|/√2): 2.02424331 → 0.042945; raw-p bins.
        #expect(abs(r.p[5] - 0.04294) < 1e-4)
        #expect(r.bin == [0, 0, 0, 0, 0, 2])
        let f = GetisOrd.giStar(values: g.values, neighbours: nb, fdr: true)
        #expect(f.bin == [0, 0, 0, 0, 0, 0])   // 6 tests: the FDR-adjusted p of location 5 is 0.2577
    }

    @Test func gridFastPathEqualsExplicitNeighbours() {
        var rng = TestRandom(11)
        let cols = 37, rows = 29
        var counts = [Double](), mask = [Bool]()
        for r in 0..<rows {
            for c in 0..<cols {
                let hot = (c - 10) * (c - 10) + (r - 8) * (r - 8) < 20
                counts.append(Double(rng.int(hot ? 12 : 4)))
                mask.append(!(c > 28 && r > 20) && rng.uniform() > 0.1)
            }
        }
        counts[5] = .nan                       // a NaN count is excluded like a masked cell
        for band in [1.0, 2.5, 3.0] {
            let fast = GetisOrd.giStarGrid(counts: counts, columns: cols, rows: rows, mask: mask, bandCells: band)
            // Explicit lists: in-mask cells whose centres are within `band` cells, from distanceBand on centres.
            let xs = (0..<(cols * rows)).map { Double($0 % cols) * 50 + 25 }
            let ys = (0..<(cols * rows)).map { Double($0 / cols) * 50 + 25 }
            var nb = SpatialNeighbours.distanceBand(x: xs, y: ys, distance: band * 50)
            var vals = counts
            for i in 0..<vals.count where !mask[i] { vals[i] = .nan; nb[i] = [] }
            let slow = GetisOrd.giStar(values: vals, neighbours: nb)
            for i in 0..<counts.count {
                if slow.z[i].isNaN { #expect(fast.z[i].isNaN); continue }
                #expect(abs(fast.z[i] - slow.z[i]) < 1e-9, "band \(band) cell \(i)")
            }
            #expect(fast.bin == slow.bin)
            #expect(fast.bin.contains(3))          // the planted hot spot
        }
    }
}

@Suite struct MultipleTestingTests {
    /// statsmodels `multipletests(p, method="fdr_bh")` by hand: sorted p 0.005, 0.01, 0.03, 0.04, 0.5 →
    /// m·p/k = 0.025, 0.025, 0.05, 0.05, 0.5 → running minimum from the top gives the same.
    @Test func benjaminiHochbergWorkedExample() {
        let adj = MultipleTesting.benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5])
        let expected = [0.025, 0.05, 0.05, 0.025, 0.5]
        for i in 0..<5 { #expect(abs(adj[i] - expected[i]) < 1e-15) }
    }

    @Test func nanSafeMonotoneCapped() {
        let adj = MultipleTesting.benjaminiHochberg([0.01, .nan, 0.04, 0.03, 0.005, 0.5, .nan, 0.9])
        // m = 6: 0.005→0.03, 0.01→0.03, 0.03→0.06, 0.04→0.06, 0.5→0.75 (0.6 → min with 0.9·6/6=0.9 → 0.6), 0.9→0.9
        let expected = [0.03, .nan, 0.06, 0.06, 0.03, 0.6, .nan, 0.9]
        for i in 0..<expected.count {
            if expected[i].isNaN { #expect(adj[i].isNaN) } else { #expect(abs(adj[i] - expected[i]) < 1e-15) }
        }
        #expect(MultipleTesting.benjaminiHochberg([0.9, 0.95]).allSatisfy { $0 <= 1 })
        #expect(MultipleTesting.benjaminiHochberg([]).isEmpty)
    }
}

@Suite struct LocalMoranTests {
    /// Expected I from numpy with esda's formula (golden/local-moran-numpy.json, with the script).
    struct NumpyExample: Decodable { let columns, rows: Int; let values, I: [Double] }

    @Test func valuesAgainstNumpy() throws {
        let g = try Golden.load("local-moran-numpy", as: NumpyExample.self)
        let nb = SpatialNeighbours.gridQueen(columns: g.columns, rows: g.rows, mask: nil)
        let r = LocalMoran.compute(values: g.values, neighbours: nb, permutations: 99, seed: 1)
        #expect(r.I.count == g.I.count)
        for i in g.I.indices { #expect(isClose(r.I[i], g.I[i], absolute: 1e-12), "I[\(i)] = \(r.I[i])") }
        let q: [Quadrant] = [.lh, .hl, .lh, .ll, .hh, .hh, .ll, .ll, .hh, .hh, .lh, .ll]
        #expect(r.quadrant == q)
        #expect(r.pseudoP[7] == 1)             // y = ȳ: every permuted I equals 0
    }

    @Test func deterministicAndBounded() {
        var rng = TestRandom(3)
        let cols = 40, rows = 30
        let y = (0..<(cols * rows)).map { _ in Double(rng.int(6)) }
        let nb = SpatialNeighbours.gridQueen(columns: cols, rows: rows, mask: nil)
        let a = LocalMoran.compute(values: y, neighbours: nb, permutations: 199, seed: 2024)
        let b = LocalMoran.compute(values: y, neighbours: nb, permutations: 199, seed: 2024)
        let c = LocalMoran.compute(values: y, neighbours: nb, permutations: 199, seed: 2025)
        #expect(a.pseudoP == b.pseudoP)
        #expect(a.pseudoP != c.pseudoP)
        #expect(a.pseudoP.allSatisfy { $0 >= 1.0 / 200 && $0 <= 1 })
        // Random data: about 10 % of folded pseudo-p ≤ 0.05 (5 % per tail).
        let frac = Double(a.pseudoP.filter { $0 <= 0.05 }.count) / Double(y.count)
        #expect(frac > 0.05 && frac < 0.15, "fraction significant \(frac)")
        // Non-integer values (not exactly Float: the Double draw path).
        let yr = y.map { $0 + 0.1 * rng.uniform() }
        let d1 = LocalMoran.compute(values: yr, neighbours: nb, permutations: 199, seed: 7)
        let d2 = LocalMoran.compute(values: yr, neighbours: nb, permutations: 199, seed: 7)
        #expect(d1.pseudoP == d2.pseudoP)
        #expect(d1.pseudoP.allSatisfy { $0 >= 1.0 / 200 && $0 <= 1 })
        let fracR = Double(d1.pseudoP.filter { $0 <= 0.05 }.count) / Double(y.count)
        #expect(fracR > 0.05 && fracR < 0.15, "fraction significant \(fracR)")
    }

    /// `significant` uses the FDR-adjusted p by default (as Gi*'s bins), the raw pseudo-p on request.
    @Test func significanceUsesFDRByDefault() {
        var rng = TestRandom(11)
        let cols = 30, rows = 30
        let y = (0..<(cols * rows)).map { _ in Double(rng.int(5)) }
        let nb = SpatialNeighbours.gridQueen(columns: cols, rows: rows, mask: nil)
        let fdr = LocalMoran.compute(values: y, neighbours: nb, permutations: 199, seed: 3)
        let raw = LocalMoran.compute(values: y, neighbours: nb, permutations: 199, seed: 3, fdr: false)
        // Benjamini–Hochberg by hand: p(k) ≤ 0.05·k/m for the largest such rank k.
        let sorted = fdr.pseudoP.sorted(), m = Double(sorted.count)
        let k = (sorted.indices.last { sorted[$0] <= 0.05 * Double($0 + 1) / m }).map { $0 + 1 } ?? 0
        let cut = k > 0 ? sorted[k - 1] : -1
        #expect(fdr.significant == fdr.pseudoP.map { $0 <= cut })
        #expect(raw.significant == raw.pseudoP.map { $0 <= 0.05 })
        #expect(raw.significant.filter { $0 }.count > fdr.significant.filter { $0 }.count)   // random data: raw p finds "spots"
    }

    @Test func checkerboardIsNegative() {
        let cols = 12, rows = 10
        let y = (0..<(cols * rows)).map { Double(($0 % cols + $0 / cols) % 2) }
        let nb = SpatialNeighbours.gridRook(columns: cols, rows: rows, mask: nil)
        let r = LocalMoran.compute(values: y, neighbours: nb, permutations: 99, seed: 9)
        #expect(r.I.allSatisfy { $0 < 0 })
        #expect(r.quadrant.allSatisfy { $0 == .hl || $0 == .lh })
    }

    @Test func highBlockIsHH() {
        var rng = TestRandom(4)
        let cols = 30, rows = 30
        var y = (0..<(cols * rows)).map { _ in Double(rng.int(3)) }
        var mask = [Bool](repeating: true, count: y.count)
        for r in 12..<18 { for c in 12..<18 { y[r * cols + c] = 20 } }
        for c in 0..<cols { mask[c] = false; y[c] = .nan }    // south row outside the study area
        let nb = SpatialNeighbours.gridQueen(columns: cols, rows: rows, mask: mask)
        let r = LocalMoran.compute(values: y, neighbours: nb, permutations: 999, seed: 5)
        for rr in 13..<17 {
            for c in 13..<17 {
                let i = rr * cols + c
                #expect(r.quadrant[i] == .hh && r.significant[i] && r.pseudoP[i] == 0.001)
            }
        }
        #expect(r.I[3].isNaN && r.quadrant[3] == .none && r.pseudoP[3].isNaN)
        // Large neighbourhoods (> 16) use the partial Fisher–Yates path: same conclusion, deterministic.
        let xs = (0..<y.count).map { Double($0 % cols) }, ys = (0..<y.count).map { Double($0 / cols) }
        var band = SpatialNeighbours.distanceBand(x: xs, y: ys, distance: 3)
        for i in 0..<cols { band[i] = [] }
        #expect(band[15 * cols + 15].count == 28)
        let big = LocalMoran.compute(values: y, neighbours: band, permutations: 499, seed: 5)
        let big2 = LocalMoran.compute(values: y, neighbours: band, permutations: 499, seed: 5)
        #expect(big.pseudoP.elementsEqual(big2.pseudoP) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(big.quadrant[15 * cols + 15] == .hh && big.pseudoP[15 * cols + 15] == 1.0 / 500)
        let valid = big.pseudoP.filter { !$0.isNaN }
        #expect(valid.allSatisfy { $0 >= 1.0 / 500 && $0 <= 1 })
        let frac = Double(big.pseudoP[(20 * cols)...].filter { $0 <= 0.05 }.count) / Double(10 * cols)
        #expect(frac < 0.3)
    }
}

@Suite(.serialized) struct DeterminismTests {
    /// The work split depends on the core count; the numbers must not (fixed summation order, per-location seeds).
    @Test func resultsDoNotDependOnWorkerCount() throws {
        defer { analysisWorkerOverride.withLock { $0 = nil } }
        let (x, y) = clusteredPoints(60_000, x0: 0, y0: 0, side: 20_000, seed: 3)
        let g = Grid.aligned(covering: (minX: 0, minY: 0, maxX: 19_999, maxY: 19_999), cellSize: 100)
        var rng = TestRandom(1)
        let w = x.map { _ in rng.uniform(0.5, 2) }
        let counts = try g.counts(x: x, y: y)
        let nb = SpatialNeighbours.gridQueen(columns: g.columns, rows: g.rows, mask: nil)
        var surfaces: [[Double]] = [], pseudo: [[Double]] = [], gi: [[Double]] = []
        for workers in [1, 2, 3, 8] {
            analysisWorkerOverride.withLock { $0 = workers }
            let s = try KernelDensity.exact(x: x, y: y, request: DensityRequest(grid: g, bandwidth: 450, weights: w))
            surfaces.append(s.values)
            pseudo.append(LocalMoran.compute(values: counts, neighbours: nb, permutations: 99, seed: 11).pseudoP)
            gi.append(GetisOrd.giStarGrid(counts: counts, columns: g.columns, rows: g.rows, mask: nil, bandCells: 2).z)
        }
        for k in 1..<surfaces.count {
            #expect(surfaces[k] == surfaces[0])     // bit-identical
            #expect(pseudo[k] == pseudo[0])
            #expect(gi[k] == gi[0])
        }
    }
}
