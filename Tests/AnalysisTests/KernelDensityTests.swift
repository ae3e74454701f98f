import Foundation
import Primitives
import Testing
@testable import Analysis
import TestSupport

@Suite struct KernelDensityTests {
    /// A few thousand weighted points, some outside the grid (their kernels still reach it).
    static func data(_ n: Int, seed: UInt64) -> ([Double], [Double], [Double]) {
        var rng = TestRandom(seed)
        var x = [Double](), y = [Double](), w = [Double]()
        for i in 0..<n {
            if i % 3 == 0 {
                x.append(1_000 + 150 * rng.normal() + 300); y.append(2_000 + 120 * rng.normal() + 400)
            } else {
                x.append(rng.uniform(900, 2_600)); y.append(rng.uniform(1_900, 3_300))
            }
            w.append(rng.uniform(0.5, 3))
        }
        x.append(.nan); y.append(2_000); w.append(1)        // dropped
        return (x, y, w)
    }

    static let grid = Grid(originX: 1_000, originY: 2_000, cellSize: 25, columns: 60, rows: 50)

    func assertClose(_ a: DensitySurface, _ b: DensitySurface, _ label: String) {
        #expect(a.values.count == b.values.count)
        let maxV = b.values.filter { !$0.isNaN }.map(abs).max() ?? 0
        var worst = 0.0
        for i in 0..<a.values.count {
            let u = a.values[i], v = b.values[i]
            if u.isNaN || v.isNaN { #expect(u.isNaN && v.isNaN, "\(label) NaN mismatch at \(i)"); continue }
            let err = abs(u - v) / max(abs(v), 1e-300)
            if abs(u - v) > 1e-9 * abs(v) + 1e-14 * maxV { worst = max(worst, err) }
        }
        #expect(worst == 0, "\(label): worst relative error \(worst)")
    }

    @Test(arguments: Kernel.allCases)
    func exactEqualsBruteForce(kernel: Kernel) throws {
        let (x, y, w) = Self.data(3_000, seed: 42)
        let R = kernel == .gaussian ? 60.0 : 137.5
        let req = DensityRequest(grid: Self.grid, kernel: kernel, bandwidth: R, weights: w)
        let fast = try KernelDensity.exact(x: x, y: y, request: req)
        let slow = KernelDensity.bruteForce(x: x, y: y, request: req)
        assertClose(fast, slow, "\(kernel)")
        #expect(fast.pointsUsed == 3_000 && slow.pointsUsed == 3_000)
        #expect(abs(fast.weightSum - w.prefix(3_000).reduce(0, +)) < 1e-9)
        #expect(fast.values.contains { $0 > 0 })
    }

    @Test(arguments: [Kernel.quartic, .uniform, .gaussian])
    func maskedUnitsAndEdgeCorrectionMatchBruteForce(kernel: Kernel) throws {
        let (x, y, w) = Self.data(1_500, seed: 7)
        let g = Self.grid
        // An irregular study area: a disc plus a strip.
        var mask = [Bool](repeating: false, count: g.cellCount)
        for r in 0..<g.rows {
            for c in 0..<g.columns {
                let dx = Double(c - 25), dy = Double(r - 22)
                mask[r * g.columns + c] = dx * dx + dy * dy < 400 || (r >= 40 && c >= 10)
            }
        }
        for units in [DensityUnits.density, .expected] {
            for edge in [EdgeCorrection.none, .uniform] {
                let req = DensityRequest(grid: g, mask: mask, kernel: kernel, bandwidth: kernel == .gaussian ? 40 : 110,
                                         weights: w, units: units, edge: edge)
                let fast = try KernelDensity.exact(x: x, y: y, request: req)
                let slow = KernelDensity.bruteForce(x: x, y: y, request: req)
                assertClose(fast, slow, "\(kernel) \(units) \(edge)")
                for i in 0..<mask.count { #expect(mask[i] != fast.values[i].isNaN) }
            }
        }
        // Units: expected per cell = per-km² density × cell area / 10⁶.
        let base = DensityRequest(grid: g, mask: mask, kernel: kernel, bandwidth: 110, weights: w)
        var exp = base; exp.units = .expected
        let a = try KernelDensity.exact(x: x, y: y, request: base)
        let b = try KernelDensity.exact(x: x, y: y, request: exp)
        for i in 0..<mask.count where mask[i] {
            #expect(abs(a.values[i] * g.cellArea / 1e6 - b.values[i]) <= 1e-12 * abs(b.values[i]) + 1e-300)
        }
    }

    @Test func edgeCorrectionLeavesInteriorAndRestoresMass() throws {
        // Points uniform over the whole grid: without correction the border cells lose mass; the uniform correction
        // leaves interior cells unchanged and the corrected surface's integral is close to the weight sum.
        var rng = TestRandom(99)
        let g = Grid(originX: 0, originY: 0, cellSize: 20, columns: 50, rows: 50)
        var x = [Double](), y = [Double]()
        for _ in 0..<20_000 { x.append(rng.uniform(0, 1_000)); y.append(rng.uniform(0, 1_000)) }
        let plain = try KernelDensity.exact(x: x, y: y, request: DensityRequest(grid: g, bandwidth: 100, units: .expected))
        let corr = try KernelDensity.exact(x: x, y: y, request: DensityRequest(grid: g, bandwidth: 100, units: .expected,
                                                                               edge: .uniform))
        let centre = plain.value(column: 25, row: 25)
        #expect(abs(corr.value(column: 25, row: 25) - centre) < 1e-12 * centre)
        // Corner cell centred 10 m from both edges, R = 100 m: only ~36 % of its kernel is inside.
        #expect(corr.value(column: 0, row: 0) > 2.5 * plain.value(column: 0, row: 0))
        #expect(plain.integral < 0.95 * 20_000)
        #expect(abs(corr.integral - 20_000) < 0.02 * 20_000)
    }

    @Test(arguments: Kernel.allCases)
    func surfaceIntegratesToWeightSum(kernel: Kernel) throws {
        var rng = TestRandom(5)
        let g = Grid(originX: 0, originY: 0, cellSize: 10, columns: 300, rows: 250)
        var x = [Double](), y = [Double](), w = [Double]()
        for _ in 0..<2_000 {
            x.append(rng.uniform(900, 2_100)); y.append(rng.uniform(800, 1_700)); w.append(rng.uniform(0, 2))
        }
        let R = kernel == .gaussian ? 50.0 : 180
        let s = try KernelDensity.exact(x: x, y: y, request: DensityRequest(grid: g, kernel: kernel, bandwidth: R,
                                                                            weights: w))
        let expected = s.weightSum * (kernel == .gaussian ? 1 - Kernel.gaussianTruncatedMass : 1)
        #expect(abs(s.integral - expected) < 0.01 * expected, "\(kernel): \(s.integral) vs \(expected)")
    }

    @Test func validation() {
        let g = Grid(originX: 0, originY: 0, cellSize: 10, columns: 3, rows: 3)
        #expect(throws: AnalysisError.invalidBandwidth(0)) {
            try KernelDensity.exact(x: [1], y: [1], request: DensityRequest(grid: g, bandwidth: 0))
        }
        #expect(throws: AnalysisError.lengthMismatch(what: "mask", expected: 9, actual: 2)) {
            try KernelDensity.exact(x: [1], y: [1], request: DensityRequest(grid: g, mask: [true, false], bandwidth: 5))
        }
        #expect(throws: AnalysisError.lengthMismatch(what: "y", expected: 1, actual: 2)) {
            try KernelDensity.exact(x: [1], y: [1, 2], request: DensityRequest(grid: g, bandwidth: 5))
        }
    }

    @Test func singlePointValue() throws {
        // One point at a cell centre: that cell gets C(R) = 3/(πR²) per m² → ×10⁶ per km².
        let g = Grid(originX: 0, originY: 0, cellSize: 10, columns: 11, rows: 11)
        let s = try KernelDensity.exact(x: [55], y: [55], request: DensityRequest(grid: g, bandwidth: 30))
        #expect(abs(s.value(column: 5, row: 5) - 3 / (.pi * 900) * 1e6) < 1e-9)
        // Two cells east: ρ = 2/3 → (1 − 4/9)² = 25/81.
        #expect(abs(s.value(column: 7, row: 5) - 3 / (.pi * 900) * 1e6 * 25 / 81) < 1e-9)
        #expect(s.value(column: 5, row: 8) == 0)   // ρ = 1: (1 − 1)² = 0
        #expect(s.value(column: 9, row: 5) == 0)
    }
}
