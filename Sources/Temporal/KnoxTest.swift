import Foundation
import Primitives
import SeededRandom

/// Knox space-time interaction test with Monte-Carlo permutation of the event times (near-repeat analysis).
///
/// Design note. Only pairs closer than the last distance edge can land in a bounded row, and their distances do not
/// change under the null, so they are found once (grid of cell = last edge) and stored as (i, j) grouped by row.
/// Each permutation then needs, per row, the number of pairs with |Δt| below each time edge: a band count is the
/// difference of two such cumulative counts. Counting "below edge k" is a compare and an add per pair, with no
/// branch and no scattered increment, so 8 permutations run side by side in SIMD lanes (their times interleaved per
/// event) and each row's counters stay in registers. The NRC's open "More than …" row and column are never
/// enumerated (that would be all n(n−1)/2 pairs): permuting times among events keeps the multiset of all pairwise
/// Δt, so the pairs per time band over all distances are a constant (counted once from the sorted times), as are the
/// pairs per distance band over all Δt and the n(n−1)/2 total; the open cells of each permutation follow by
/// subtraction, exactly.
public enum Knox {
    /// Runs the Knox test.
    ///
    /// - Observed: for every unordered pair {i, j} (i ≠ j), d = distance under `bands.metric` and Δ = |tᵢ − tⱼ| (days);
    ///   the pair adds 1 to the cell whose row interval holds d and whose column interval holds Δ (see `KnoxBands`:
    ///   half-open bands, or the NRC convention with its same-location row and open row and column).
    /// - Null: the times are randomly permuted among the events (locations fixed) `iterations` times;
    ///   expected = mean count, ratio = observed / expected,
    ///   p = (#{permutations with count ≥ observed} + 1) / (iterations + 1), per cell, open cells included.
    /// - Randomness: permutation r (0-based) draws from `Xoshiro256StarStar(seed: seed, permutation: r)` (seeded with
    ///   seed ⊕ a SplitMix64 hash of r, see SeededRandom) and is a Fisher–Yates shuffle of `days`
    ///   in the caller's order: for k = n−1 down to 1, swap positions k and `below(k + 1)`. Event i then gets the
    ///   shuffled day at position i. Results therefore do not depend on the number of threads.
    /// - Time arithmetic: when every day value is the double nearest to a whole number of seconds (as
    ///   `Double(seconds) / 86_400` gives) and so is every day edge, differences are taken exactly in whole seconds,
    ///   so two incidents exactly 7 days apart are always in [7, 14); otherwise |tᵢ − tⱼ| is computed in Double.
    /// - Complexity: O(n log n + P) to find the P pairs closer than the last distance edge (plus the bucket scan),
    ///   then O(R·(n + P·⌈E/4⌉/8)) SIMD steps for R iterations and E positive time edges, spread over
    ///   `temporalWorkerCount` threads; O(n + P) memory.
    public static func test(x: [Double], y: [Double], days: [Double], bands: KnoxBands,
                            iterations: Int, seed: UInt64) -> KnoxResult {
        test(x: x, y: y, days: days, bands: bands, iterations: iterations, seed: seed, workers: temporalWorkerCount)
    }

    /// `test` with an explicit thread count (results are identical for every `workers` ≥ 1).
    static func test(x: [Double], y: [Double], days: [Double], bands: KnoxBands,
                     iterations: Int, seed: UInt64, workers: Int) -> KnoxResult {
        precondition(y.count == x.count && days.count == x.count, "x, y and days must have the same length")
        precondition(iterations >= 1, "iterations must be ≥ 1")
        if let problem = bands.problem { preconditionFailure(problem) }
        precondition(x.allSatisfy(\.isFinite) && y.allSatisfy(\.isFinite) && days.allSatisfy(\.isFinite),
                     "coordinates and times must be finite")
        let pairs = KnoxPairs(x: x, y: y, edges: bands.countedDistances, metric: bands.metric)
        let run = KnoxRun(pairs: pairs, bands: bands, iterations: iterations, seed: seed, workers: workers)
        if let s = wholeSeconds(days, edges: bands.days) { return run.result(times: s.times, edges: s.edges) }
        return run.result(times: days, edges: bands.days)
    }

    /// Incidents that repeat another's exact place and calendar day: copies of one event (a record per victim, an
    /// export joined twice) that all fall in the nearest band at Δt < 1 day and inflate it.
    public struct Duplicates: Sendable, Equatable {
        /// Groups of two or more incidents with equal x, equal y and the same day ⌊t⌋.
        public var groups: Int
        /// Incidents beyond the first of each group (what counting each group once removes).
        public var extra: Int
        /// Pairs inside the groups, Σ k(k − 1)/2: pairs at distance 0 within the same day.
        public var pairs: Int
        /// Indices (ascending) of the incidents kept when each group is counted once: the first of each group
        /// and every incident in no group.
        public var firstOfEach: [Int]
    }

    /// Finds the same-place same-day groups: equal coordinates (exact equality of the projected x and y) and the
    /// same civil day ⌊days⌋ (days since 1970-01-01).
    /// - Complexity: O(n) expected (hashing).
    public static func samePlaceSameDay(x: [Double], y: [Double], days: [Double]) -> Duplicates {
        precondition(y.count == x.count && days.count == x.count, "x, y and days must have the same length")
        struct Key: Hashable { let x: UInt64, y: UInt64, day: Int64 }
        var size = [Key: Int](minimumCapacity: x.count)
        var keep = [Int]()
        keep.reserveCapacity(x.count)
        for k in x.indices {
            // +0.0 turns −0.0 into 0.0, so equal coordinates have equal bits.
            let key = Key(x: (x[k] + 0.0).bitPattern, y: (y[k] + 0.0).bitPattern, day: Int64(days[k].rounded(.down)))
            let seen = size[key, default: 0]
            if seen == 0 { keep.append(k) }
            size[key] = seen + 1
        }
        var groups = 0, pairs = 0
        for k in size.values where k > 1 { groups += 1; pairs += k * (k - 1) / 2 }
        return Duplicates(groups: groups, extra: x.count - keep.count, pairs: pairs, firstOfEach: keep)
    }

    /// Times as whole seconds after the earliest event, with the edges in seconds, when that is exact: every time,
    /// and every positive edge shorter than Int32.max seconds (68 years), is the double nearest to a whole number
    /// of seconds, and the span of the times fits in Int32. Edges ≤ 0 become 0 and longer edges become Int32.max;
    /// neither changes a comparison, as 0 ≤ Δ ≤ span < Int32.max.
    static func wholeSeconds(_ days: [Double], edges: [Double]) -> (times: [Int32], edges: [Int32])? {
        var s = [Int64]()
        s.reserveCapacity(days.count)
        for t in days {
            let v = (t * 86_400).rounded()
            guard abs(v) < 0x1p53, v / 86_400 == t else { return nil }
            s.append(Int64(v))
        }
        let first = s.min() ?? 0
        guard (s.max() ?? 0) - first < Int64(Int32.max) else { return nil }
        var e = [Int32]()
        for d in edges {
            let v = (d * 86_400).rounded()
            if d <= 0 { e.append(0) }
            else if v >= Double(Int32.max) { e.append(.max) }
            else if v / 86_400 == d { e.append(Int32(v)) }
            else { return nil }
        }
        return (s.map { Int32($0 - first) }, e)
    }
}

/// The pairs of events closer than the last distance edge, events renumbered in grid order (close events get close
/// numbers, so the time lookups of a row's pairs stay in cache), pairs grouped by distance row.
struct KnoxPairs {
    /// Grid position → caller's index.
    var order: [Int32]
    /// Pairs (i[k], j[k]) in grid numbering, rows contiguous: row s is rowStart[s]..<rowStart[s + 1].
    var i: [Int32], j: [Int32]
    var rowStart: [Int]

    /// - Complexity: O(n log n) for the sort, then the 3 × 3 bucket scan; O(n + P) memory.
    init(x: [Double], y: [Double], edges: [Double], metric: KnoxMetric) {
        let n = x.count, rows = edges.count - 1
        let maxD = edges[rows], minD = edges[0]
        // Events bucketed on a grid of cell = last edge: any pair closer than that is in the same or a neighbouring
        // cell (Manhattan distance ≥ Euclidean distance, so this holds for both metrics).
        let cell = maxD > 0 ? maxD : 1
        let minX = x.min() ?? 0, minY = y.min() ?? 0
        var cx = [Int64](repeating: 0, count: n), cy = [Int64](repeating: 0, count: n)
        for k in 0..<n {
            cx[k] = Int64(((x[k] - minX) / cell).rounded(.down))
            cy[k] = Int64(((y[k] - minY) / cell).rounded(.down))
        }
        let sorted = (0..<n).sorted { (a: Int, b: Int) -> Bool in
            if cy[a] != cy[b] { return cy[a] < cy[b] }
            if cx[a] != cx[b] { return cx[a] < cx[b] }
            return a < b
        }
        order = sorted.map { Int32($0) }
        let sx = sorted.map { x[$0] }, sy = sorted.map { y[$0] }
        let scx = sorted.map { cx[$0] }, scy = sorted.map { cy[$0] }
        var cellRange = [SIMD2<Int64>: Range<Int>]()
        var a = 0
        while a < n {
            var b = a + 1
            while b < n && scx[b] == scx[a] && scy[b] == scy[a] { b += 1 }
            cellRange[SIMD2(scx[a], scy[a])] = a..<b
            a = b
        }
        // Offsets scanned: (0,0) with j > i, (+1,0), (−1,+1), (0,+1), (+1,+1); the other four neighbours are their
        // mirror images, so every unordered pair of neighbouring cells is scanned exactly once (always with j > i).
        var pi = [Int32](), pj = [Int32](), row = [UInt16]()
        let euclidean = metric == .euclidean, maxD2 = (maxD * maxD).nextUp
        for i in 0..<n {
            let xi = sx[i], yi = sy[i]
            for oy in Int64(0)...1 {
                for ox in Int64(-1)...1 {
                    if oy == 0 && ox == -1 { continue }
                    guard let r = cellRange[SIMD2(scx[i] + ox, scy[i] + oy)] else { continue }
                    let lo = (ox == 0 && oy == 0) ? i + 1 : r.lowerBound
                    if lo >= r.upperBound { continue }
                    for j in lo..<r.upperBound {
                        let dx = sx[j] - xi, dy = sy[j] - yi
                        // Most candidates are too far: reject them before the square root. fl(√q) < maxD implies
                        // q < maxD² ≤ fl(maxD²).nextUp, so no pair the exact test keeps is lost.
                        if euclidean && dx * dx + dy * dy > maxD2 { continue }
                        let d = metric.distance(dx, dy)
                        guard d < maxD, d >= minD else { continue }
                        var s = 0
                        while !(d < edges[s + 1]) { s += 1 }
                        pi.append(Int32(i)); pj.append(Int32(j)); row.append(UInt16(s))
                    }
                }
            }
        }
        // Stable counting sort by row: within a row the pairs keep their grid order.
        var start = [Int](repeating: 0, count: rows + 1)
        for s in row { start[Int(s) + 1] += 1 }
        for s in 0..<rows { start[s + 1] += start[s] }
        var next = start
        i = [Int32](repeating: 0, count: pi.count); j = i
        for k in pi.indices {
            let s = Int(row[k])
            i[next[s]] = pi[k]; j[next[s]] = pj[k]; next[s] += 1
        }
        rowStart = start
    }

    var count: Int { i.count }
    var rows: Int { rowStart.count - 1 }
}

/// Event times the counting kernel works on: whole seconds (`Int32`, 8 lanes in 32 bytes) when the data allow,
/// days (`Double`) otherwise.
protocol KnoxTime: SIMDScalar, Comparable, AdditiveArithmetic, Hashable, Codable, Sendable where SIMD4Storage: Sendable {
    /// |a − b| < e, decided exactly as `countBelow` decides it.
    static func isBelow(_ a: Self, _ b: Self, _ e: Self) -> Bool
    /// Adds to `acc[q]` (q = 0..<4), per lane, the number of pairs k in `range` with |t[i[k]] − t[j[k]]| < edges[q].
    static func countBelow(i: UnsafePointer<Int32>, j: UnsafePointer<Int32>, range: Range<Int>,
                           times: UnsafePointer<SIMD8<Self>>, edges: SIMD4<Self>, into acc: UnsafeMutablePointer<SIMD8<Int32>>)
}

extension Int32: KnoxTime {
    @inline(__always) static func isBelow(_ a: Int32, _ b: Int32, _ e: Int32) -> Bool { abs(Int64(a) - Int64(b)) < Int64(e) }

    /// Times are in [0, Int32.max), so a − b cannot overflow and |a − b| = (d ⊕ m) − m with m = d >> 31.
    /// A true lane of a comparison mask is −1: the counters count down.
    @inline(__always)
    static func countBelow(i: UnsafePointer<Int32>, j: UnsafePointer<Int32>, range: Range<Int>,
                           times: UnsafePointer<SIMD8<Int32>>, edges: SIMD4<Int32>, into acc: UnsafeMutablePointer<SIMD8<Int32>>) {
        let e0 = SIMD8(repeating: edges[0]), e1 = SIMD8(repeating: edges[1])
        let e2 = SIMD8(repeating: edges[2]), e3 = SIMD8(repeating: edges[3])
        var c0 = SIMD8<Int32>(), c1 = SIMD8<Int32>(), c2 = SIMD8<Int32>(), c3 = SIMD8<Int32>()
        for k in range {
            let d = times[Int(i[k])] &- times[Int(j[k])]
            let m = d &>> 31
            let a = (d ^ m) &- m
            c0 &+= unsafeBitCast(a .< e0, to: SIMD8<Int32>.self)
            c1 &+= unsafeBitCast(a .< e1, to: SIMD8<Int32>.self)
            c2 &+= unsafeBitCast(a .< e2, to: SIMD8<Int32>.self)
            c3 &+= unsafeBitCast(a .< e3, to: SIMD8<Int32>.self)
        }
        acc[0] &-= c0; acc[1] &-= c1; acc[2] &-= c2; acc[3] &-= c3
    }
}

extension Double: KnoxTime {
    @inline(__always) static func isBelow(_ a: Double, _ b: Double, _ e: Double) -> Bool { abs(a - b) < e }

    /// |a − b| by clearing the sign bit, as `abs` does.
    @inline(__always)
    static func countBelow(i: UnsafePointer<Int32>, j: UnsafePointer<Int32>, range: Range<Int>,
                           times: UnsafePointer<SIMD8<Double>>, edges: SIMD4<Double>, into acc: UnsafeMutablePointer<SIMD8<Int32>>) {
        let e0 = SIMD8(repeating: edges[0]), e1 = SIMD8(repeating: edges[1])
        let e2 = SIMD8(repeating: edges[2]), e3 = SIMD8(repeating: edges[3])
        let magnitude = SIMD8<UInt64>(repeating: ~(1 << 63))
        var c0 = SIMD8<Int64>(), c1 = SIMD8<Int64>(), c2 = SIMD8<Int64>(), c3 = SIMD8<Int64>()
        for k in range {
            let d = times[Int(i[k])] - times[Int(j[k])]
            let a = unsafeBitCast(unsafeBitCast(d, to: SIMD8<UInt64>.self) & magnitude, to: SIMD8<Double>.self)
            c0 &+= unsafeBitCast(a .< e0, to: SIMD8<Int64>.self)
            c1 &+= unsafeBitCast(a .< e1, to: SIMD8<Int64>.self)
            c2 &+= unsafeBitCast(a .< e2, to: SIMD8<Int64>.self)
            c3 &+= unsafeBitCast(a .< e3, to: SIMD8<Int64>.self)
        }
        acc[0] &-= SIMD8(truncatingIfNeeded: c0); acc[1] &-= SIMD8(truncatingIfNeeded: c1)
        acc[2] &-= SIMD8(truncatingIfNeeded: c2); acc[3] &-= SIMD8(truncatingIfNeeded: c3)
    }
}

/// One Knox test once the close pairs are known: observed counts, the permutations, the result.
struct KnoxRun {
    let pairs: KnoxPairs
    let bands: KnoxBands
    let iterations: Int
    let seed: UInt64
    let workers: Int

    /// Permutations per pass over the pair list: the lanes of `SIMD8`. Its four Int32 counters take 8 of the 16 SSE
    /// registers of baseline x86-64, leaving room for the working values; SIMD16 counters alone would take all 16.
    static let lanes = 8

    func result<T: KnoxTime>(times: [T], edges: [T]) -> KnoxResult {
        let n = times.count, SB = pairs.rows, TB = edges.count - 1
        let open = bands.nrcCompatible
        let rows = SB + (open ? 1 : 0), cols = TB + (open ? 1 : 0), cellCount = rows * cols
        // Only positive edges are counted (Δ ≥ 0 is never below an edge ≤ 0), 4 per kernel call, the last group padded
        // with 0. slot[k] is edge k's position among the counted ones, or nil.
        let counted = (0...TB).filter { edges[$0] > .zero }
        var slotOf = [Int?](repeating: nil, count: TB + 1)
        for (c, k) in counted.enumerated() { slotOf[k] = c }
        let slot = slotOf
        let groups = (counted.count + 3) / 4
        let groupEdges: [SIMD4<T>] = (0..<groups).map { g in
            var v = SIMD4<T>(repeating: .zero)
            for q in 0..<4 where g * 4 + q < counted.count { v[q] = edges[counted[g * 4 + q]] }
            return v
        }
        let table = KnoxTable(SB: SB, TB: TB, open: open, rowPairs: (0..<SB).map { pairs.rowStart[$0 + 1] - pairs.rowStart[$0] },
                              columnPairs: open ? Self.pairsPerBand(times, edges) : [], allPairs: n * (n - 1) / 2)
        let order = pairs.order

        // Observed, with the scalar test that matches the kernel.
        var observed = [Int](repeating: 0, count: cellCount)
        do {
            var below = [Int](repeating: 0, count: SB * (TB + 1))
            for s in 0..<SB {
                for k in pairs.rowStart[s]..<pairs.rowStart[s + 1] {
                    let a = times[Int(order[Int(pairs.i[k])])], b = times[Int(order[Int(pairs.j[k])])]
                    for e in counted where T.isBelow(a, b, edges[e]) { below[s * (TB + 1) + e] += 1 }
                }
            }
            observed.withUnsafeMutableBufferPointer { table.cells(below: { below[$0 * (TB + 1) + $1] }, into: $0.baseAddress!) }
        }

        let lanes = Self.lanes
        let batches = (iterations + lanes - 1) / lanes
        let workers = max(1, min(self.workers, batches))
        // Per-worker integer accumulators: the merge is exact, so the thread count cannot matter.
        var wSums = [Int](repeating: 0, count: workers * cellCount), wGeq = wSums
        let iterations = self.iterations, seed = self.seed, obs = observed
        wSums.withUnsafeMutableBufferPointer { sumsAll in
            wGeq.withUnsafeMutableBufferPointer { geqAll in
                pairs.i.withUnsafeBufferPointer { bi in
                    pairs.j.withUnsafeBufferPointer { bj in
                        // Worker w writes only its own slices of the accumulators; the pair lists are read-only.
                        let sumsAll = DisjointWrites(sumsAll), geqAll = DisjointWrites(geqAll)
                        let bi = SharedReads(bi), bj = SharedReads(bj)
                        ParallelWork.forEach(workers) { w in
                            let perm = UnsafeMutableBufferPointer<T>.allocate(capacity: max(n, 1))
                            let tv = UnsafeMutablePointer<SIMD8<T>>.allocate(capacity: max(n, 1))
                            let acc = UnsafeMutablePointer<SIMD8<Int32>>.allocate(capacity: max(1, SB * groups * 4))
                            let cells = UnsafeMutablePointer<Int>.allocate(capacity: max(1, cellCount))
                            defer { perm.deallocate(); tv.deallocate(); acc.deallocate(); cells.deallocate() }
                            let lanesOfTV = UnsafeMutableRawPointer(tv).assumingMemoryBound(to: T.self)
                            let sums = sumsAll.base + w * cellCount, geq = geqAll.base + w * cellCount
                            var b = w
                            while b < batches {
                                let first = b * lanes, used = min(lanes, iterations - first)
                                for lane in 0..<lanes {
                                    // Permutation first + lane: its own stream, Fisher–Yates on a fresh copy of the
                                    // caller's times; spare lanes of the last batch keep the identity (ignored).
                                    _ = perm.initialize(from: times)
                                    if lane < used {
                                        var rng = Xoshiro256StarStar(seed: seed, permutation: UInt64(first + lane))
                                        var k = n - 1
                                        while k > 0 {
                                            perm.swapAt(k, Int(rng.below(UInt64(k + 1))))
                                            k -= 1
                                        }
                                    }
                                    for k in 0..<n { lanesOfTV[k &* lanes &+ lane] = perm[Int(order[k])] }
                                }
                                acc.initialize(repeating: .zero, count: SB * groups * 4)
                                for s in 0..<SB {
                                    let range = pairs.rowStart[s]..<pairs.rowStart[s + 1]
                                    for g in 0..<groups {
                                        T.countBelow(i: bi.base, j: bj.base, range: range, times: tv,
                                                     edges: groupEdges[g], into: acc + (s * groups + g) * 4)
                                    }
                                }
                                for lane in 0..<used {
                                    table.cells(below: { s, k in
                                        guard let c = slot[k] else { return 0 }
                                        return Int(acc[(s * groups + c / 4) * 4 + c % 4][lane])
                                    }, into: cells)
                                    for c in 0..<cellCount {
                                        sums[c] += cells[c]
                                        if cells[c] >= obs[c] { geq[c] += 1 }
                                    }
                                }
                                b += workers
                            }
                        }
                    }
                }
            }
        }

        let R = Double(iterations)
        var o = [[Int]](), e = [[Double]](), q = [[Double]](), p = [[Double]]()
        for s in 0..<rows {
            var orow = [Int](), erow = [Double](), qrow = [Double](), prow = [Double]()
            for t in 0..<cols {
                let c = s * cols + t
                let sum = (0..<workers).reduce(0) { $0 + wSums[$1 * cellCount + c] }
                let ge = (0..<workers).reduce(0) { $0 + wGeq[$1 * cellCount + c] }
                let ex = Double(sum) / R
                orow.append(observed[c]); erow.append(ex)
                qrow.append(ex > 0 ? Double(observed[c]) / ex : .nan)
                prow.append(Double(ge + 1) / (R + 1))
            }
            o.append(orow); e.append(erow); q.append(qrow); p.append(prow)
        }
        return KnoxResult(observed: o, expected: e, ratio: q, p: p, iterations: iterations, seed: seed,
                          pairs: pairs.count, events: n, bands: bands)
    }

    /// Pairs of events (all distances) per time band [edges[t], edges[t + 1]): the same for every permutation.
    /// Two pointers over the sorted times count the pairs below each edge.
    /// - Complexity: O(n log n + n·edges).
    static func pairsPerBand<T: KnoxTime>(_ times: [T], _ edges: [T]) -> [Int] {
        let u = times.sorted(), n = u.count
        let below: [Int] = edges.map { e in
            guard e > .zero else { return 0 }
            var hi = 0, count = 0
            for i in 0..<n {
                hi = max(hi, i + 1)
                while hi < n && T.isBelow(u[hi], u[i], e) { hi += 1 }
                count += hi - i - 1
            }
            return count
        }
        return (0..<(edges.count - 1)).map { below[$0 + 1] - below[$0] }
    }
}

/// The cells of one table (observed or one permutation) from the bounded rows' cumulative counts; under the NRC
/// convention the open row, column and corner follow from the permutation-invariant totals.
struct KnoxTable {
    let SB: Int, TB: Int
    let open: Bool
    /// Pairs in each bounded row, whatever their Δt.
    let rowPairs: [Int]
    /// Pairs in each bounded time band, whatever their distance (open convention only).
    let columnPairs: [Int]
    /// n(n − 1)/2.
    let allPairs: Int

    /// Writes the rows × columns cells; `below(s, k)` = pairs of row s with Δt below edge k.
    @inline(__always) func cells(below: (Int, Int) -> Int, into out: UnsafeMutablePointer<Int>) {
        let cols = TB + (open ? 1 : 0)
        for s in 0..<SB {
            for t in 0..<TB { out[s * cols + t] = below(s, t + 1) - below(s, t) }
        }
        guard open else { return }
        var placed = 0
        for s in 0..<SB {
            let bounded = below(s, TB) - below(s, 0)
            out[s * cols + TB] = rowPairs[s] - bounded
            placed += rowPairs[s]
        }
        for t in 0..<TB {
            var inRows = 0
            for s in 0..<SB { inRows += out[s * cols + t] }
            out[SB * cols + t] = columnPairs[t] - inRows
            placed += columnPairs[t] - inRows
        }
        out[SB * cols + TB] = allPairs - placed
    }
}
