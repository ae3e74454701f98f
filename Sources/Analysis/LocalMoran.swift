import Foundation
import Primitives
import SeededRandom

/// Moran scatterplot quadrant of a location: its own deviation (High/Low) then its neighbours' mean deviation.
public enum Quadrant: String, Sendable, Codable, CaseIterable {
    /// High value, high neighbours (zᵢ > 0, lagᵢ > 0): esda q = 1.
    case hh = "HH"
    /// Low value, high neighbours (zᵢ ≤ 0, lagᵢ > 0): esda q = 2.
    case lh = "LH"
    /// Low value, low neighbours (zᵢ ≤ 0, lagᵢ ≤ 0): esda q = 3.
    case ll = "LL"
    /// High value, low neighbours (zᵢ > 0, lagᵢ ≤ 0): esda q = 4.
    case hl = "HL"
    /// No quadrant: the location was excluded (non-finite value) or has no neighbours.
    case none = "none"
}

/// Result of a Local Moran's I analysis, aligned with the input locations.
public struct LocalMoranResult: Sendable {
    /// Local Moran's Iᵢ (0 for islands, NaN for excluded locations).
    public let I: [Double]
    /// Mean of the neighbours' values (spatial lag with row-standardised weights), in value units; NaN for islands.
    public let lag: [Double]
    /// Conditional-permutation pseudo p-value, (extreme + 1)/(R + 1) ∈ [1/(R+1), 1]; NaN for islands/excluded.
    public let pseudoP: [Double]
    /// Benjamini–Hochberg adjusted `pseudoP`.
    public let pFDR: [Double]
    /// Quadrant of every location (regardless of significance).
    public let quadrant: [Quadrant]
    /// `pFDR ≤ alpha` when computed with `fdr: true` (the default, as Gi*'s bins), else `pseudoP ≤ alpha`
    /// (raw pseudo p, as esda's usual `p_sim <= 0.05` filter).
    public let significant: [Bool]
    /// Number of permutations R used.
    public let permutations: Int
}

/// Local Moran's I (Anselin 1995) with conditional permutation inference, matching esda's `Moran_Local` defaults
/// (row-standardised weights).
///
///     Iᵢ = (n − 1) · zᵢ · Σⱼ wᵢⱼ zⱼ / Σₖ zₖ²,   zᵢ = yᵢ − ȳ,  wᵢⱼ = 1/|Nᵢ| for j ∈ Nᵢ
///
/// (esda standardises z by the standard deviation first; the ratio is scale-free, so Iᵢ is identical.)
///
/// Inference: for each location, R times, draw |Nᵢ| values **without replacement** from all other locations
/// (i excluded), and compute the permuted Iᵢ. With `larger` = #(I_sim ≥ I_obs), esda folds the count:
/// extreme = min(larger, R − larger), pseudo-p = (extreme + 1)/(R + 1). Because Iᵢ is monotone in the neighbour
/// sum (increasing if zᵢ > 0, decreasing if zᵢ < 0), the comparison is done on raw neighbour sums Σyⱼ, which is
/// exact for count data (no rounding ties). Deviations from esda, on purpose: when zᵢ = 0 every permuted I equals
/// the observed 0 and the pseudo-p is 1 (esda's fold gives 1/(R+1)); when |Nᵢ| ≥ n − 1 the draw is always the same
/// set and the pseudo-p is 1; islands (no neighbours) get I = 0, pseudo-p NaN, quadrant `.none`.
///
/// Random numbers: xoshiro256** seeded per location from (seed, i) through SplitMix64, so the result depends only
/// on `seed`, not on the thread count or scheduling. Locations with a non-finite value are excluded from n, ȳ,
/// the permutation pool and every neighbourhood (use NaN for cells outside a study-area mask).
public enum LocalMoran {
    /// - Parameters:
    ///   - values: one value per location (e.g. counts per grid cell).
    ///   - neighbours: binary neighbour lists without self (e.g. `SpatialNeighbours.gridQueen`).
    ///   - permutations: R (999 is customary); 0 skips inference (pseudo-p NaN).
    ///   - seed: RNG seed.
    ///   - alpha: threshold for `significant`.
    ///   - fdr: `significant` on the Benjamini–Hochberg adjusted p (default) or on the raw pseudo-p.
    /// - Complexity: O(Σ|Nᵢ| · R) time (parallel over locations), O(n) memory. Neighbourhoods of ≤ 16 draw by
    ///   rejection of repeated indices; larger ones by a partial Fisher–Yates shuffle that is undone after each
    ///   permutation. The draws are bound by random-access latency, so values that are all exactly representable
    ///   as `Float` (counts) are drawn from a `Float` copy (sums still in `Double`; the result is identical).
    public static func compute(values: [Double], neighbours: [[Int32]], permutations: Int, seed: UInt64,
                               alpha: Double = 0.05, fdr: Bool = true) -> LocalMoranResult {
        precondition(values.count == neighbours.count, "values and neighbours must have the same count")
        precondition(permutations >= 0, "permutations must be >= 0")
        let count = values.count
        // Compact pool of valid values.
        var posOf = [Int32](repeating: -1, count: count)
        var pool = [Double]()
        pool.reserveCapacity(count)
        for i in 0..<count where values[i].isFinite { posOf[i] = Int32(pool.count); pool.append(values[i]) }
        let n = pool.count
        // Permutation draws are bound by random-access latency: when every value is exactly a Float (e.g. counts
        // below 2²⁴) draw from a Float copy (half the cache footprint); sums are still accumulated in Double.
        let poolF: [Float]? = pool.allSatisfy { Double(Float($0)) == $0 } ? pool.map { Float($0) } : nil
        var I = [Double](repeating: .nan, count: count)
        var lag = [Double](repeating: .nan, count: count)
        var pseudo = [Double](repeating: .nan, count: count)
        var quad = [Quadrant](repeating: .none, count: count)
        guard n >= 2 else {
            return LocalMoranResult(I: I, lag: lag, pseudoP: pseudo, pFDR: pseudo, quadrant: quad,
                                    significant: [Bool](repeating: false, count: count), permutations: permutations)
        }
        var mean = 0.0
        for v in pool { mean += v }
        mean /= Double(n)
        var m2 = 0.0
        for v in pool { m2 += (v - mean) * (v - mean) }
        let scale = Double(n - 1) / m2
        let R = permutations
        let chunks = min(count, 32 * analysisWorkerCount)
        I.withUnsafeMutableBufferPointer { Ib in lag.withUnsafeMutableBufferPointer { Lb in
        pseudo.withUnsafeMutableBufferPointer { Pb in quad.withUnsafeMutableBufferPointer { Qb in
        (poolF ?? []).withUnsafeBufferPointer { poolFB in
        pool.withUnsafeBufferPointer { poolB in posOf.withUnsafeBufferPointer { posB in
            // Chunk ch writes the outputs of its own locations only; the pools are read-only.
            let outI = DisjointWrites(Ib), outL = DisjointWrites(Lb), outP = DisjointWrites(Pb), outQ = DisjointWrites(Qb)
            let poolS = SharedReads(poolB), posS = SharedReads(posB)
            let poolFS = poolF == nil ? nil : SharedReads(poolFB)   // an empty array may still have a base address
            ParallelWork.forEach(chunks) { [mean] ch in
                let poolP = poolS.base, posP = posS.base, poolFP = poolFS?.base
                let start = count * ch / chunks, end = count * (ch + 1) / chunks
                let drawn = UnsafeMutablePointer<Int>.allocate(capacity: 16)
                defer { drawn.deallocate() }
                var perm: [Int32] = []          // identity permutation for large neighbourhoods, made lazily
                var swaps: [Int] = []
                for i in start..<end {
                    let pos = Int(posP[i])
                    guard pos >= 0 else { continue }
                    let di = poolP[pos] - mean
                    var k = 0
                    var sumY = 0.0, sumD = 0.0
                    for j32 in neighbours[i] {
                        let pj = Int(posP[Int(j32)])
                        guard Int(j32) != i, pj >= 0 else { continue }
                        k += 1; sumY += poolP[pj]; sumD += poolP[pj] - mean
                    }
                    guard k > 0 else {
                        outI[i] = 0
                        continue
                    }
                    let lagD = sumD / Double(k)
                    outI[i] = scale * di * lagD
                    outL[i] = sumY / Double(k)
                    outQ[i] = di > 0 ? (lagD > 0 ? .hh : .hl) : (lagD > 0 ? .lh : .ll)
                    guard R > 0 else { continue }
                    if di == 0 || k >= n - 1 { outP[i] = 1; continue }
                    var rng = Xoshiro256StarStar(seed: seed, location: i)
                    let bound = UInt64(n - 1)
                    let threshold = UInt32(truncatingIfNeeded: ((UInt64(1) << 32) - bound) % bound)
                    var larger = 0
                    let high = di > 0
                    if k <= 16 {
                        var spare: UInt32 = 0
                        var haveSpare = false
                        for _ in 0..<R {
                            var s = 0.0
                            var got = 0
                            while got < k {
                                let r32: UInt32
                                if haveSpare { r32 = spare; haveSpare = false } else {
                                    let r = rng.next()
                                    r32 = UInt32(truncatingIfNeeded: r >> 32)
                                    spare = UInt32(truncatingIfNeeded: r); haveSpare = true
                                }
                                let (v, ok) = Xoshiro256StarStar.bounded(r32, bound, threshold)
                                guard ok else { continue }
                                let j = v >= pos ? v + 1 : v
                                var dup = false
                                for t in 0..<got where drawn[t] == j { dup = true; break }
                                if dup { continue }
                                drawn[got] = j; got += 1
                                s += poolFP.map { Double($0[j]) } ?? poolP[j]
                            }
                            if high ? (s >= sumY) : (s <= sumY) { larger += 1 }
                        }
                    } else {
                        if perm.isEmpty { perm = (0..<Int32(n)).map { $0 }; swaps = [Int](repeating: 0, count: n) }
                        perm.withUnsafeMutableBufferPointer { pm in
                            pm.swapAt(pos, n - 1)          // exclude i: draw from pm[0 ..< n−1]
                            for _ in 0..<R {
                                var s = 0.0
                                for t in 0..<k {
                                    let span = UInt64(n - 1 - t)
                                    let thr = UInt32(truncatingIfNeeded: ((UInt64(1) << 32) - span) % span)
                                    var v = 0
                                    while true {
                                        let (vv, ok) = Xoshiro256StarStar.bounded(UInt32(truncatingIfNeeded: rng.next() >> 32), span, thr)
                                        if ok { v = vv; break }
                                    }
                                    let j = t + v
                                    pm.swapAt(t, j); swaps[t] = j
                                    s += poolP[Int(pm[t])]
                                }
                                for t in stride(from: k - 1, through: 0, by: -1) { pm.swapAt(t, swaps[t]) }
                                if high ? (s >= sumY) : (s <= sumY) { larger += 1 }
                            }
                            pm.swapAt(pos, n - 1)
                        }
                    }
                    let extreme = min(larger, R - larger)
                    outP[i] = Double(extreme + 1) / Double(R + 1)
                }
            }
        } } } } } } }
        let adj = MultipleTesting.benjaminiHochberg(pseudo)
        let sig = (fdr ? adj : pseudo).map { $0 <= alpha }
        return LocalMoranResult(I: I, lag: lag, pseudoP: pseudo, pFDR: adj, quadrant: quad, significant: sig,
                                permutations: R)
    }
}
