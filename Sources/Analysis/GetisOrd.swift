import Foundation
import Primitives

/// Result of a Getis-Ord Gi* analysis. Arrays are aligned with the input locations.
public struct GiStarResult: Sendable {
    /// Gi* z-scores (NaN for excluded locations or when undefined, e.g. no variance).
    public let z: [Double]
    /// Two-sided normal p-values, p = erfc(|z|/√2).
    public let p: [Double]
    /// Benjamini–Hochberg adjusted p-values over the finite `p` (always computed).
    public let pFDR: [Double]
    /// ArcGIS confidence bins: ±3 for p < 0.01, ±2 for p < 0.05, ±1 for p < 0.10, 0 otherwise, signed like z
    /// (+ hot, − cold), using `pFDR` when the analysis ran with `fdr: true`, else `p`.
    public let bin: [Int8]
}

/// Getis-Ord Gi* local statistic (hot/cold spots).
///
/// With binary weights including self (ArcGIS; esda `G_Local(star=True, transform="B")`), for location i with
/// neighbourhood Nᵢ ∪ {i} of size Wᵢ = |Nᵢ| + 1 (so Σⱼwᵢⱼ = Σⱼwᵢⱼ² = Wᵢ):
///
///     zᵢ = (Σⱼ wᵢⱼ xⱼ − X̄·Wᵢ) / (S · √((n·Wᵢ − Wᵢ²)/(n − 1))),   X̄ = Σxⱼ/n,  S = √(Σxⱼ²/n − X̄²)
///
/// (S computed as √(Σ(xⱼ − X̄)²/n) for accuracy). Locations with a non-finite value are excluded: not counted in
/// n, X̄, S, dropped from every neighbourhood, and given z = p = NaN, bin 0. z is NaN when S = 0 or Wᵢ = n.
public enum GetisOrd {
    /// Gi* from explicit neighbour lists. Pass lists **without** self: the function adds i with weight 1
    /// (an `i` found in its own list is ignored; duplicates are not removed).
    /// - Complexity: O(n + Σ|Nᵢ|) plus O(n log n) for the FDR adjustment.
    public static func giStar(values: [Double], neighbours: [[Int32]], fdr: Bool = true) -> GiStarResult {
        precondition(values.count == neighbours.count, "values and neighbours must have the same count")
        let n = values.count
        let (count, mean, sd) = moments(values, mask: nil)
        var z = [Double](repeating: .nan, count: n)
        for i in 0..<n where values[i].isFinite {
            var w = 1.0
            var sx = values[i]
            for j32 in neighbours[i] {
                let j = Int(j32)
                guard j != i, values[j].isFinite else { continue }
                w += 1; sx += values[j]
            }
            z[i] = Statistics.giStarZ(sum: sx, weight: w, n: Double(count), mean: mean, sd: sd) ?? .nan
        }
        return finish(z, fdr: fdr)
    }

    /// Gi* on a full regular grid (index = row · columns + column) with a distance band: cells whose centres are
    /// within `bandCells` cell sides of each other (d ≤ bandCells, inclusive) are neighbours, self included.
    /// Masked cells (`mask[i] == false`) and non-finite counts are excluded from n and from every neighbourhood.
    /// Neighbourhood sums use a circular stencil (per stencil row, a column half-width) over row prefix sums of the
    /// values and of the in-mask indicator, so Wᵢ shrinks correctly at edges and next to masked cells.
    /// Identical to `giStar` with the corresponding explicit neighbour lists.
    /// - Complexity: O(cells · (2·⌊bandCells⌋ + 1)).
    public static func giStarGrid(counts: [Double], columns: Int, rows: Int, mask: [Bool]?,
                                  bandCells: Double, fdr: Bool = true) -> GiStarResult {
        precondition(counts.count == columns * rows, "counts must have columns × rows entries")
        precondition(mask == nil || mask!.count == counts.count, "mask must have columns × rows entries")
        precondition(bandCells >= 0 && bandCells.isFinite, "bandCells must be finite and >= 0")
        let cells = counts.count
        let (count, mean, sd) = moments(counts, mask: mask)
        let B = Int(bandCells.rounded(.down))
        let b2 = bandCells * bandCells
        // Half-width of the stencil on row offset di: the largest dj with di² + dj² ≤ band².
        var hw = [Int](repeating: 0, count: 2 * B + 1)
        for di in -B...B {
            var dj = 0
            while Double(di * di + (dj + 1) * (dj + 1)) <= b2 { dj += 1 }
            hw[di + B] = dj
        }
        // Row prefix sums: P[r·(cols+1) + c] = Σ_{c' < c} x, Q likewise for the in-study-area indicator.
        let stride = columns + 1
        var P = [Double](repeating: 0, count: rows * stride)
        var Q = [Double](repeating: 0, count: rows * stride)
        for r in 0..<rows {
            var sp = 0.0, sq = 0.0
            for c in 0..<columns {
                let i = r * columns + c
                if (mask?[i] ?? true) && counts[i].isFinite { sp += counts[i]; sq += 1 }
                P[r * stride + c + 1] = sp
                Q[r * stride + c + 1] = sq
            }
        }
        var z = [Double](repeating: .nan, count: cells)
        let nD = Double(count)
        z.withUnsafeMutableBufferPointer { zb in
            P.withUnsafeBufferPointer { Pb in Q.withUnsafeBufferPointer { Qb in
                let chunks = min(rows, 4 * analysisWorkerCount)
                // Chunk ch writes z of its own rows only; the prefix sums are read-only.
                let zp = DisjointWrites(zb), Pr = SharedReads(Pb), Qr = SharedReads(Qb)
                ParallelWork.forEach(chunks) { [hw] ch in
                    let Pb = Pr.buffer, Qb = Qr.buffer
                    let rStart = rows * ch / chunks, rEnd = rows * (ch + 1) / chunks
                    for r in rStart..<rEnd {
                        for c in 0..<columns {
                            let i = r * columns + c
                            guard (mask?[i] ?? true) && counts[i].isFinite else { continue }
                            var sx = 0.0, w = 0.0
                            for di in max(-B, -r)...min(B, rows - 1 - r) {
                                let h = hw[di + B]
                                let c0 = max(0, c - h), c1 = min(columns - 1, c + h)
                                let base = (r + di) * stride
                                sx += Pb[base + c1 + 1] - Pb[base + c0]
                                w += Qb[base + c1 + 1] - Qb[base + c0]
                            }
                            zp[i] = Statistics.giStarZ(sum: sx, weight: w, n: nD, mean: mean, sd: sd) ?? .nan
                        }
                    }
                }
            } }
        }
        return finish(z, fdr: fdr)
    }

    // MARK: - Internals

    /// (n, X̄, S) over the finite, unmasked values; S with the 1/n denominator.
    static func moments(_ v: [Double], mask: [Bool]?) -> (Int, Double, Double) {
        var n = 0
        var s = 0.0
        for i in 0..<v.count where v[i].isFinite && (mask?[i] ?? true) { n += 1; s += v[i] }
        guard n > 0 else { return (0, .nan, .nan) }
        let mean = s / Double(n)
        var ss = 0.0
        for i in 0..<v.count where v[i].isFinite && (mask?[i] ?? true) { let d = v[i] - mean; ss += d * d }
        return (n, mean, (ss / Double(n)).squareRoot())
    }

    static func finish(_ z: [Double], fdr: Bool) -> GiStarResult {
        let p = z.map(Statistics.normalTwoSidedP)
        let adj = MultipleTesting.benjaminiHochberg(p)
        let use = fdr ? adj : p
        var bin = [Int8](repeating: 0, count: z.count)
        for i in 0..<z.count where use[i].isFinite {
            let level: Int8 = use[i] < 0.01 ? 3 : use[i] < 0.05 ? 2 : use[i] < 0.10 ? 1 : 0
            bin[i] = z[i] < 0 ? -level : level
        }
        return GiStarResult(z: z, p: p, pFDR: adj, bin: bin)
    }
}

