import Foundation
import Primitives
import Testing
@testable import Analysis

@Suite struct GridTests {
    @Test func alignedGridAndHalfOpenCells() {
        let g = Grid.aligned(covering: (minX: 4_881_143.149, minY: 2_078_651.312, maxX: 4_882_000, maxY: 2_079_020),
                             cellSize: 50)
        #expect(g.originX == 4_881_100 && g.originY == 2_078_650)
        #expect(g.originX.truncatingRemainder(dividingBy: 50) == 0)
        // maxX = 4_882_000 lies on an edge: it belongs to the cell to its east, which must exist.
        #expect(g.columns == 19)          // 4_881_100 … 4_882_050
        #expect(g.rows == 8)              // 2_078_650 … 2_079_050
        #expect(g.cell(x: 4_882_000, y: 2_079_020)! == (column: 18, row: 7))
        #expect(g.cell(x: 4_881_100, y: 2_078_650)! == (column: 0, row: 0))
        // A point on a shared edge belongs to exactly one cell (the east/north one).
        #expect(g.cell(x: 4_881_150, y: 2_078_700)! == (column: 1, row: 1))
        #expect(g.cell(x: 4_881_149.999, y: 2_078_699.999)! == (column: 0, row: 0))
        #expect(g.cell(x: 4_881_099.99, y: 2_078_700) == nil)
        #expect(g.cell(x: g.maxX, y: 2_078_700) == nil)
        #expect(g.cell(x: .nan, y: 2_078_700) == nil)
        let c = g.centre(column: 2, row: 3)
        #expect(c.x == 4_881_225 && c.y == 2_078_825)
        #expect(g.cellCount == 19 * 8 && g.cellArea == 2500)
        // Row 0 is south: the index grows northwards.
        #expect(g.index(x: 4_881_101, y: 2_078_651) == 0)
        #expect(g.index(x: 4_881_101, y: 2_078_701) == 19)
        // Degenerate box: one cell.
        let one = Grid.aligned(covering: (minX: 10, minY: 10, maxX: 10, maxY: 10), cellSize: 100)
        #expect(one.columns == 1 && one.rows == 1 && one.originX == 0)
        // Negative coordinates align too.
        let neg = Grid.aligned(covering: (minX: -149, minY: -0.5, maxX: -1, maxY: 0), cellSize: 50)
        #expect(neg.originX == -150 && neg.columns == 3 && neg.originY == -50 && neg.rows == 2)
    }

    @Test func countsUseHalfOpenCells() throws {
        let g = Grid(originX: 0, originY: 0, cellSize: 10, columns: 2, rows: 2)
        let n = try g.counts(x: [0, 10, 10, 19.99, 20, -0.01, 5], y: [0, 10, 0, 19.99, 5, 5, 15], weights: nil)
        #expect(n == [1, 1, 1, 2])
        let w = try g.counts(x: [5, 5], y: [5, 5], weights: [2, 0.5])
        #expect(w == [2.5, 0, 0, 0])
    }

    @Test func cellSizeRules() {
        #expect(CellSizeRule.arcgis(width: 30_000, height: 40_000) == 120)
        #expect(CellSizeRule.sfhotspot(width: 40_000, height: 33_000) == 600)    // 660 → 600
        #expect(CellSizeRule.sfhotspot(width: 9_999, height: 12_000) == 100)     // 199.98 → 100
        #expect(CellSizeRule.sfhotspot(width: 4_000, height: 12_000) == 80)      // would round to 0: unrounded
    }
}

@Suite struct KernelTests {
    @Test func constantsText() {
        #expect(Kernel.quartic.normalisingConstantText == "3/(πR²)")
        #expect(Kernel.gaussian.support(bandwidth: 100) == 400)
        #expect(Kernel.triweight.support(bandwidth: 100) == 100)
        #expect(abs(Kernel.gaussianTruncatedMass - 3.3546262790251185e-4) < 1e-15)
        // Values at the centre: C(R).
        #expect(abs(Kernel.quartic.density(distanceSquared: 0, bandwidth: 2) - 3 / (.pi * 4)) < 1e-15)
        #expect(Kernel.epanechnikov.density(distanceSquared: 4.0001, bandwidth: 2) == 0)
        #expect(Kernel.uniform.density(distanceSquared: 4, bandwidth: 2) == 1 / (.pi * 4))  // ρ = 1 is inside
    }

    /// Midpoint-rule integral over a fine grid: Σ K(d) · h² ≈ 1 (Gaussian: 1 − e⁻⁸).
    @Test(arguments: Kernel.allCases)
    func integratesToOne(kernel: Kernel) {
        let R = 1.0
        let h = kernel == .gaussian ? 0.01 : 0.0025
        let L = kernel.support(bandwidth: R)
        let n = Int((L / h).rounded(.up))
        var s = 0.0
        for i in -n..<n {
            let y = (Double(i) + 0.5) * h
            for j in -n..<n {
                let x = (Double(j) + 0.5) * h
                s += kernel.density(distanceSquared: x * x + y * y, bandwidth: R)
            }
        }
        let integral = s * h * h
        let expected = kernel == .gaussian ? 1 - Kernel.gaussianTruncatedMass : 1
        #expect(abs(integral - expected) < 1e-3, "\(kernel): \(integral)")
        // Per-axis SD from the table: Var(x) = ∫ x² K dA.
        var vx = 0.0
        for i in -n..<n {
            let y = (Double(i) + 0.5) * h
            for j in -n..<n {
                let x = (Double(j) + 0.5) * h
                vx += x * x * kernel.density(distanceSquared: x * x + y * y, bandwidth: R)
            }
        }
        let sd = (vx * h * h / integral).squareRoot()
        #expect(abs(sd - kernel.perAxisStandardDeviation(bandwidth: R)) < 5e-3, "\(kernel) sd \(sd)")
    }
}
