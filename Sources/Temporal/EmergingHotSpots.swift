import Foundation
import Primitives

/// Emerging hot-spot pattern of one location (ArcGIS Space Time Pattern Mining categories).
public enum EmergingCategory: String, CaseIterable, Codable, Sendable {
    case noPattern = "no pattern"
    case newHot = "new hot spot"
    case consecutiveHot = "consecutive hot spot"
    case intensifyingHot = "intensifying hot spot"
    case persistentHot = "persistent hot spot"
    case diminishingHot = "diminishing hot spot"
    case sporadicHot = "sporadic hot spot"
    case oscillatingHot = "oscillating hot spot"
    case historicalHot = "historical hot spot"
    case newCold = "new cold spot"
    case consecutiveCold = "consecutive cold spot"
    case intensifyingCold = "intensifying cold spot"
    case persistentCold = "persistent cold spot"
    case diminishingCold = "diminishing cold spot"
    case sporadicCold = "sporadic cold spot"
    case oscillatingCold = "oscillating cold spot"
    case historicalCold = "historical cold spot"

    /// The Spanish name used in outputs (ArcGIS's Spanish terms: "nuevo punto caliente", "punto frío persistente",
    /// "sin patrón detectado"); `rawValue` is the English name.
    public var spanishName: String {
        switch self {
        case .noPattern: return "sin patrón detectado"
        case .newHot: return "nuevo punto caliente"
        case .consecutiveHot: return "punto caliente consecutivo"
        case .intensifyingHot: return "punto caliente en intensificación"
        case .persistentHot: return "punto caliente persistente"
        case .diminishingHot: return "punto caliente en disminución"
        case .sporadicHot: return "punto caliente esporádico"
        case .oscillatingHot: return "punto caliente oscilante"
        case .historicalHot: return "punto caliente histórico"
        case .newCold: return "nuevo punto frío"
        case .consecutiveCold: return "punto frío consecutivo"
        case .intensifyingCold: return "punto frío en intensificación"
        case .persistentCold: return "punto frío persistente"
        case .diminishingCold: return "punto frío en disminución"
        case .sporadicCold: return "punto frío esporádico"
        case .oscillatingCold: return "punto frío oscilante"
        case .historicalCold: return "punto frío histórico"
        }
    }

    /// True for the eight hot-spot categories.
    public var isHot: Bool { rawValue.hasSuffix("hot spot") }
    /// True for the eight cold-spot categories.
    public var isCold: Bool { rawValue.hasSuffix("cold spot") }
}

/// Emerging hot-spot analysis: space-time Gi* and the 17-way pattern classification.
///
/// ## Classification rules (as implemented)
/// Inputs per location: Gi* z-scores zₜ and p-values pₜ for steps t = 0…n−1 (oldest first) and the
/// Mann–Kendall test of the z series (`MannKendall.test(z)`, NaNs dropped).
///
/// - Step t is a **significant hot** bin when pₜ < α and zₜ > 0; **significant cold** when pₜ < α and zₜ < 0
///   (NaN z or p is never significant). α is `alpha` (default 0.05).
/// - h = number of hot bins, c = number of cold bins. The **90 % rule**: "hot for at least 90 % of the
///   time-step intervals" means 10·h ≥ 9·n (integer arithmetic, so 9 of 10 steps qualifies), likewise for cold.
/// - The trend is **significantly increasing** when MK p < α and S > 0, **decreasing** when MK p < α and S < 0.
///
/// The final step's state decides which family is tried (so the result is unambiguous):
///
/// 1. Final step significant hot:
///    1. 10h ≥ 9n: **intensifying hot** if the trend is significantly increasing; **diminishing hot** if
///       significantly decreasing; otherwise **persistent hot**.
///    2. else (h < 90 %), if any earlier step is significant cold: **oscillating hot**.
///    3. else (never cold), let r = length of the uninterrupted run of hot bins ending at the final step. If the
///       location was never hot before that run (h = r): **new hot** when r = 1, **consecutive hot** when r ≥ 2.
///    4. otherwise (earlier, separate hot bins, never cold): **sporadic hot**.
/// 2. Final step significant cold: the mirror image with hot ↔ cold, where **intensifying cold** requires a
///    significantly *decreasing* z trend (clustering of low values getting stronger) and **diminishing cold** a
///    significantly *increasing* one.
/// 3. Final step not significant: **historical hot** when 10h ≥ 9n, **historical cold** when 10c ≥ 9n,
///    otherwise **no pattern**.
///
/// Differences from the prose of the ArcGIS documentation, where its definitions overlap:
/// - "Persistent" in ArcGIS does not mention the final step; here a location hot ≥ 90 % of the time whose final
///   step is not hot is **historical** (its definition explicitly covers "most recent period not hot").
/// - "New" and "consecutive" say "never hot before", which literally also admits earlier *cold* bins; such a
///   location also satisfies "oscillating". Here any earlier opposite-sign bin makes it **oscillating**
///   (as in R's sfdep, where new requires exactly one significant bin).
/// - A location ≥ 90 % hot whose final step is significantly *cold* is classified by the cold rules (normally
///   **oscillating cold**), since its current state is cold.
/// - ArcGIS applies an FDR correction to the bin p-values before classifying; pass corrected p-values if wanted.
/// - With n = 0 the result is **no pattern**.
///
/// ## Comparable steps
/// In `spaceTimeGiStar` a step t < timeWindow has no earlier steps to fill its neighbourhood, so W is smaller;
/// a location with a constant excess λ per cell has E[z] ∝ λ·√W, i.e. its first z is √(1/2) ≈ 0.71 of the later
/// ones for timeWindow = 1, and Mann–Kendall reads a rise where there is none. Only the steps of
/// `comparableSteps` (t ≥ timeWindow, whose neighbourhoods are full) are classified; the earlier ones only
/// enter their successors' neighbourhoods.
public enum EmergingHotSpots {

    /// The steps of a cube of `count` steps whose space-time neighbourhood is full (t ≥ timeWindow): the only
    /// ones whose Gi* z-scores are comparable, and so the only ones given to `classify` (see *Comparable steps*).
    /// - Complexity: O(1).
    public static func comparableSteps(count: Int, timeWindow: Int) -> Range<Int> {
        min(max(0, timeWindow), count)..<count
    }

    /// Classifies one location from its Gi* z-scores and p-values per time step (oldest first).
    /// See the type documentation for the exact rules.
    /// - Returns: the category and the Mann–Kendall test of `z`.
    /// - Complexity: O(n²) for n time steps (the Mann–Kendall statistic).
    public static func classify(z: [Double], p: [Double], alpha: Double = 0.05)
        -> (category: EmergingCategory, trend: MannKendallResult) {
        precondition(z.count == p.count, "z and p must have the same length")
        let trend = MannKendall.test(z)
        return (category(z: z, p: p, trend: trend, alpha: alpha), trend)
    }

    /// The category for a location whose Mann–Kendall trend has already been computed.
    /// - Complexity: O(n).
    public static func category(z: [Double], p: [Double], trend: MannKendallResult, alpha: Double = 0.05)
        -> EmergingCategory {
        let n = z.count
        guard n > 0 else { return .noPattern }
        // state: +1 significant hot, −1 significant cold, 0 otherwise
        var state = [Int8](repeating: 0, count: n)
        var h = 0, c = 0
        for t in 0..<n where p[t] < alpha && !z[t].isNaN {
            if z[t] > 0 { state[t] = 1; h += 1 } else if z[t] < 0 { state[t] = -1; c += 1 }
        }
        let last = state[n - 1]
        let increasing = trend.p < alpha && trend.S > 0
        let decreasing = trend.p < alpha && trend.S < 0
        if last == 0 {
            if 10 * h >= 9 * n { return .historicalHot }
            if 10 * c >= 9 * n { return .historicalCold }
            return .noPattern
        }
        let hot = last == 1
        let same = hot ? h : c
        let opposite = hot ? c : h
        if 10 * same >= 9 * n {
            let strengthening = hot ? increasing : decreasing
            let weakening = hot ? decreasing : increasing
            if strengthening { return hot ? .intensifyingHot : .intensifyingCold }
            if weakening { return hot ? .diminishingHot : .diminishingCold }
            return hot ? .persistentHot : .persistentCold
        }
        if opposite > 0 { return hot ? .oscillatingHot : .oscillatingCold }
        var run = 0
        var t = n - 1
        while t >= 0 && state[t] == last { run += 1; t -= 1 }
        if run == same {
            if run == 1 { return hot ? .newHot : .newCold }
            return hot ? .consecutiveHot : .consecutiveCold
        }
        return hot ? .sporadicHot : .sporadicCold
    }

    /// Classifies every location of a cube laid out as `z[step][location]`, `p[step][location]`.
    /// - Returns: per location, the category and the Mann–Kendall trend of its z series.
    /// - Complexity: O(L·T²) for L locations and T steps, spread over `temporalWorkerCount` threads.
    public static func classifyCube(z: [[Double]], p: [[Double]], alpha: Double = 0.05)
        -> [(category: EmergingCategory, trend: MannKendallResult)] {
        precondition(z.count == p.count, "z and p must have the same number of steps")
        let T = z.count
        guard T > 0 else { return [] }
        let L = z[0].count
        precondition(z.allSatisfy { $0.count == L } && p.allSatisfy { $0.count == L }, "ragged cube")
        let empty = (category: EmergingCategory.noPattern, trend: MannKendallResult(S: 0, varS: 0, z: 0, p: 1, tau: 0))
        var out = [(category: EmergingCategory, trend: MannKendallResult)](repeating: empty, count: L)
        let workers = min(temporalWorkerCount, max(1, L))
        out.withUnsafeMutableBufferPointer { ob in
            let obp = DisjointWrites(ob)        // worker w writes locations w, w + workers, …
            ParallelWork.forEach(workers) { w in
                var zs = [Double](repeating: 0, count: T), ps = [Double](repeating: 0, count: T)
                var i = w
                while i < L {
                    for t in 0..<T { zs[t] = z[t][i]; ps[t] = p[t][i] }
                    let r = classify(z: zs, p: ps, alpha: alpha)
                    obp[i] = r
                    i += workers
                }
            }
        }
        return out
    }

    /// Getis–Ord Gi* over a space-time cube (binary weights, self included), as ArcGIS's emerging hot-spot step.
    ///
    /// The cube has n = T·L cells x_{t,i} (`counts[t][i]`). The neighbourhood of (t, i) is
    /// {(t′, j) : max(0, t − timeWindow) ≤ t′ ≤ t, j ∈ N(i) ∪ {i}} with N(i) = `neighbours[i]` (spatial, without
    /// self; any entry equal to i is ignored). With W = |neighbourhood| (binary weights, so Σw = Σw² = W):
    ///
    ///   z_{t,i} = (Σ_{nbhd} x − X̄·W) / (S · √((n·W − W²)/(n − 1))),
    ///   X̄ = Σ x / n, S = √(Σ x²/n − X̄²) over **all** cube cells; p = erfc(|z|/√2) (two-sided normal).
    ///
    /// Early steps (t < timeWindow) have truncated neighbourhoods (fewer steps, smaller W), so their z-scores are
    /// not comparable with the later ones: classify only `comparableSteps(count:timeWindow:)`. When S = 0 or the
    /// denominator vanishes (W = n), z = 0 and p = 1.
    /// - Returns: `z[step][location]`, `p[step][location]`.
    /// - Complexity: O(T·(E + L·timeWindow)) for E = Σ|N(i)|, spread over `temporalWorkerCount` threads;
    ///   O(T·L) extra memory.
    public static func spaceTimeGiStar(counts: [[Double]], neighbours: [[Int32]], timeWindow: Int = 1)
        -> (z: [[Double]], p: [[Double]]) {
        let T = counts.count
        guard T > 0 else { return ([], []) }
        let L = counts[0].count
        precondition(counts.allSatisfy { $0.count == L }, "every step must have the same number of locations")
        precondition(neighbours.count == L, "one neighbour list per location")
        precondition(timeWindow >= 0, "timeWindow must be ≥ 0")
        guard L > 0 else { return (Array(repeating: [], count: T), Array(repeating: [], count: T)) }

        // Global moments (per-step partial sums in a fixed order, so the result is thread-count independent).
        let nCells = Double(T * L)
        var sum = 0.0
        for row in counts { for v in row { sum += v } }
        let mean = sum / nCells
        var ss = 0.0
        for row in counts { for v in row { let d = v - mean; ss += d * d } }
        let S = (ss / nCells).squareRoot()                          // = √(Σx²/n − X̄²)

        // CSR neighbour lists (self removed) and spatial weights sizes.
        var offsets = [Int](repeating: 0, count: L + 1)
        var flat = [Int32]()
        flat.reserveCapacity(neighbours.reduce(0) { $0 + $1.count })
        for i in 0..<L {
            for j in neighbours[i] where Int(j) != i {
                precondition(j >= 0 && Int(j) < L, "neighbour index out of range")
                flat.append(j)
            }
            offsets[i + 1] = flat.count
        }

        let cells = T * L
        let lag = UnsafeMutableBufferPointer<Double>.allocate(capacity: cells)
        let zb = UnsafeMutableBufferPointer<Double>.allocate(capacity: cells)
        let pb = UnsafeMutableBufferPointer<Double>.allocate(capacity: cells)
        defer { lag.deallocate(); zb.deallocate(); pb.deallocate() }
        let workers = min(temporalWorkerCount, T)

        // Spatial lag including self: lag[t][i] = x[t][i] + Σ_{j∈N(i)} x[t][j].
        // Worker w writes the steps w, w + workers, … of `lag` (then of `zb`, `pb`); the CSR lists are read-only.
        let lagW = DisjointWrites(lag), zW = DisjointWrites(zb), pW = DisjointWrites(pb)
        flat.withUnsafeBufferPointer { fb in
            offsets.withUnsafeBufferPointer { ob in
                let fb = SharedReads(fb), ob = SharedReads(ob)
                ParallelWork.forEach(workers) { w in
                    var t = w
                    while t < T {
                        counts[t].withUnsafeBufferPointer { x in
                            let base = t * L
                            for i in 0..<L {
                                var s = x[i]
                                for k in ob[i]..<ob[i + 1] { s += x[Int(fb[k])] }
                                lagW[base + i] = s
                            }
                        }
                        t += workers
                    }
                }
            }
        }
        // Window sums over steps and z / p.
        offsets.withUnsafeBufferPointer { ob in
            let ob = SharedReads(ob), lag = SharedReads(lag)
            ParallelWork.forEach(workers) { w in
                var t = w
                while t < T {
                    let t0 = max(0, t - timeWindow)
                    let steps = Double(t - t0 + 1)
                    for i in 0..<L {
                        var s = 0.0
                        for tt in t0...t { s += lag[tt * L + i] }
                        let W = steps * Double(ob[i + 1] - ob[i] + 1)
                        let idx = t * L + i
                        if let z = Statistics.giStarZ(sum: s, weight: W, n: nCells, mean: mean, sd: S) {
                            zW[idx] = z; pW[idx] = Statistics.normalTwoSidedP(z)
                        } else {
                            zW[idx] = 0; pW[idx] = 1
                        }
                    }
                    t += workers
                }
            }
        }
        var zOut = [[Double]](), pOut = [[Double]]()
        zOut.reserveCapacity(T); pOut.reserveCapacity(T)
        for t in 0..<T {
            zOut.append(Array(zb[(t * L)..<((t + 1) * L)]))
            pOut.append(Array(pb[(t * L)..<((t + 1) * L)]))
        }
        return (zOut, pOut)
    }
}
