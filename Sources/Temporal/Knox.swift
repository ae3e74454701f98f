import Foundation
import Dispatch
import SeededRandom

/// Space and time bands of a Knox (near-repeat) test.
///
/// Bands are built from consecutive edges: `distances = [0, 100, 200]` gives the distance bands [0, 100) and
/// [100, 200) metres; `days = [0, 7, 14]` gives |tᵢ − tⱼ| ∈ [0, 7) and [7, 14) days. Edges must be strictly
/// increasing. Pairs with distance < first edge or ≥ last edge (likewise in time) are not counted.
///
/// **NRC convention** (`nrcCompatible = true`): Ratcliffe's Near Repeat Calculator labels a band "a to b" but
/// counts [a − 1, b) in its units. To reproduce it, band k ≥ 1 becomes [edge_k − 1, edge_{k+1}) (the lower edge
/// of every band except the first is lowered by one metre / one day; upper edges unchanged; the first band stays
/// [edge_0, edge_1)). Adjacent bands then overlap by one unit, and a pair whose distance (or day difference)
/// lies in [edge_k − 1, edge_k) is counted in **both** band k − 1 and band k, each band being counted and
/// tested independently, as the calculator does. Example: distances [0, 100, 200], days [0, 7, 14] →
/// [0, 100), [99, 200) m and [0, 7), [6, 14) days.
public struct KnoxBands: Sendable, Codable, Equatable {
    /// Distance band edges in metres (≥ 2, strictly increasing).
    public var distances: [Double]
    /// Time band edges in days (≥ 2, strictly increasing).
    public var days: [Double]
    /// Reproduce the Near Repeat Calculator's band boundaries (see the type documentation).
    public var nrcCompatible: Bool

    public init(distances: [Double], days: [Double], nrcCompatible: Bool = false) {
        self.distances = distances; self.days = days; self.nrcCompatible = nrcCompatible
    }

    /// Lower bound of distance/time band k under the chosen convention.
    @inline(__always) static func lower(_ edges: [Double], _ k: Int, _ nrc: Bool) -> Double {
        nrc && k > 0 ? edges[k] - 1 : edges[k]
    }

    /// Range of band indices containing value v (empty when none), bands [lower_k, edges[k+1]).
    @inline(__always) static func bandRange(_ v: Double, _ edges: [Double], _ nrc: Bool) -> ClosedRange<Int>? {
        let B = edges.count - 1
        guard v >= edges[0], v < edges[B] else { return nil }
        var first = 0
        while !(v < edges[first + 1]) { first += 1 }              // first band whose upper edge exceeds v
        var last = first
        while last + 1 < B && v >= lower(edges, last + 1, nrc) { last += 1 }
        return first...last
    }
}

/// Result of a Knox test. Matrices are indexed [spaceBand][timeBand].
public struct KnoxResult: Sendable, Codable, Equatable {
    /// Observed number of event pairs in each space × time band.
    public var observed: [[Int]]
    /// Mean pair count over the permutations.
    public var expected: [[Double]]
    /// observed / expected (the Knox ratio); NaN when expected = 0 (encoded as `null` in JSON).
    public var ratio: [[Double]]
    /// Monte-Carlo p-value (#{permutations with count ≥ observed} + 1) / (iterations + 1), one-sided (excess).
    public var p: [[Double]]
    /// Number of permutations R.
    public var iterations: Int
    /// Generator seed.
    public var seed: UInt64
    /// Number of distinct event pairs whose distance lies in [distances.first, distances.last) (the pairs that
    /// can ever be counted).
    public var pairs: Int
    /// Number of events.
    public var events: Int
    /// The bands used.
    public var bands: KnoxBands

    public init(observed: [[Int]], expected: [[Double]], ratio: [[Double]], p: [[Double]], iterations: Int,
                seed: UInt64, pairs: Int, events: Int, bands: KnoxBands) {
        self.observed = observed; self.expected = expected; self.ratio = ratio; self.p = p
        self.iterations = iterations; self.seed = seed; self.pairs = pairs; self.events = events; self.bands = bands
    }

    enum CodingKeys: String, CodingKey { case observed, expected, ratio, p, iterations, seed, pairs, events, bands }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        observed = try c.decode([[Int]].self, forKey: .observed)
        expected = try c.decode([[Double]].self, forKey: .expected)
        ratio = try c.decode([[Double?]].self, forKey: .ratio).map { $0.map { $0 ?? .nan } }
        p = try c.decode([[Double]].self, forKey: .p)
        iterations = try c.decode(Int.self, forKey: .iterations)
        seed = try c.decode(UInt64.self, forKey: .seed)
        pairs = try c.decode(Int.self, forKey: .pairs)
        events = try c.decode(Int.self, forKey: .events)
        bands = try c.decode(KnoxBands.self, forKey: .bands)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(observed, forKey: .observed)
        try c.encode(expected, forKey: .expected)
        try c.encode(ratio.map { $0.map { $0.isFinite ? $0 : nil } }, forKey: .ratio)
        try c.encode(p, forKey: .p)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(seed, forKey: .seed)
        try c.encode(pairs, forKey: .pairs)
        try c.encode(events, forKey: .events)
        try c.encode(bands, forKey: .bands)
    }

    public static func == (a: KnoxResult, b: KnoxResult) -> Bool {
        func same(_ x: [[Double]], _ y: [[Double]]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { r, s in
                r.count == s.count && zip(r, s).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            }
        }
        return a.observed == b.observed && same(a.expected, b.expected) && same(a.ratio, b.ratio) && same(a.p, b.p)
            && a.iterations == b.iterations && a.seed == b.seed && a.pairs == b.pairs && a.events == b.events
            && a.bands == b.bands
    }

    /// A plain-language Spanish paragraph for reports. Lists every band with ratio ≥ 1.2 and p < 0.05,
    /// e.g. "Tras un incidente, el riesgo de otro a menos de 100 m en los 7 días siguientes es 2,3 veces el
    /// esperado (p = 0,001).", or states that there is no evidence of near repeat. Numbers use a decimal comma.
    /// - Complexity: O(space bands × time bands).
    public func summarySpanish(minRatio: Double = 1.2, alpha: Double = 0.05) -> String {
        let dE = bands.distances, tE = bands.days, nrc = bands.nrcCompatible
        var sentences = [String]()
        for s in observed.indices {
            for t in observed[s].indices {
                let r = ratio[s][t]
                guard r.isFinite, r >= minRatio, p[s][t] < alpha else { continue }
                let dLo = KnoxBands.lower(dE, s, nrc), dHi = dE[s + 1]
                let tLo = KnoxBands.lower(tE, t, nrc), tHi = tE[t + 1]
                let space = dLo <= 0 ? "a menos de \(es(dHi)) m" : "a entre \(es(dLo)) y \(es(dHi)) m"
                let time = tLo <= 0 ? "en los \(es(tHi)) días siguientes"
                                    : "entre \(es(tLo)) y \(es(tHi)) días después"
                let pText = p[s][t] < 0.001 ? "p < 0,001" : "p = \(es(p[s][t], decimals: 3))"
                sentences.append("el riesgo de otro \(space) \(time) es \(es(r, decimals: 1)) veces el esperado "
                                 + "(\(pText); \(observed[s][t]) pares observados frente a \(es(expected[s][t], decimals: 1)) esperados)")
            }
        }
        let method = "Prueba de Knox con \(events) incidentes y \(iterations) permutaciones de las fechas (semilla \(seed))"
            + (nrc ? ", con las bandas de la Near Repeat Calculator" : "")
        guard !sentences.isEmpty else {
            return method + ": no hay evidencia de repetición cercana (near repeat); ninguna combinación de distancia "
                + "y tiempo tiene una razón observada/esperada de al menos \(es(minRatio, decimals: 1)) con "
                + "p < \(es(alpha, decimals: 2))."
        }
        var text = method + ". Tras un incidente, " + sentences[0]
        for s in sentences.dropFirst() { text += "; " + s }
        text += ". Fuera de esas bandas no hay evidencia de repetición cercana."
        return text
    }

    /// Spanish number formatting: decimal comma; integers without decimals unless `decimals` is given.
    private func es(_ v: Double, decimals: Int? = nil) -> String {
        let s: String
        if let decimals { s = String(format: "%.\(decimals)f", v) }
        else if v == v.rounded() && abs(v) < 1e15 { s = String(Int64(v)) }
        else { s = String(format: "%g", v) }
        return s.replacingOccurrences(of: ".", with: ",")
    }
}

/// Knox space-time interaction test with Monte-Carlo permutation of the event times (near-repeat analysis).
public enum Knox {
    /// Runs the Knox test.
    ///
    /// - Observed: for every unordered pair {i, j} (i ≠ j), d = √((xᵢ−xⱼ)² + (yᵢ−yⱼ)²) and Δ = |tᵢ − tⱼ| (days); the
    ///   pair adds 1 to cell [s][t] for every distance band s containing d and time band t containing Δ (see
    ///   `KnoxBands` for the half-open bands and the NRC option).
    /// - Null: the times are randomly permuted among the events (locations fixed) `iterations` times;
    ///   expected = mean count, ratio = observed / expected,
    ///   p = (#{permutations with count ≥ observed} + 1) / (iterations + 1).
    /// - Randomness: permutation r uses its own xoshiro256** stream derived from (seed, r) and a Fisher–Yates
    ///   shuffle of the original times, so results do not depend on the number of threads.
    /// - Algorithm: events are bucketed on a grid of cell = last distance edge; the close pairs (distance in
    ///   [first, last edge)) are found once and stored as (i, j, space band); each permutation only recomputes
    ///   their time bands, 8 permutations per pass over the pair list (their times interleaved per event).
    /// - Complexity: O(n + P) to find the P close pairs (plus the bucket scan), then O(R·(n + P)) for R
    ///   iterations, spread over `temporalWorkerCount` threads; O(n + P) memory.
    public static func test(x: [Double], y: [Double], days: [Double], bands: KnoxBands,
                            iterations: Int, seed: UInt64) -> KnoxResult {
        test(x: x, y: y, days: days, bands: bands, iterations: iterations, seed: seed, workers: temporalWorkerCount)
    }

    /// `test` with an explicit thread count (results are identical for every `workers` ≥ 1).
    static func test(x: [Double], y: [Double], days: [Double], bands: KnoxBands,
                     iterations: Int, seed: UInt64, workers requestedWorkers: Int) -> KnoxResult {
        let n = x.count
        precondition(y.count == n && days.count == n, "x, y and days must have the same length")
        precondition(iterations >= 1, "iterations must be ≥ 1")
        let dE = bands.distances, tE = bands.days, nrc = bands.nrcCompatible
        precondition(dE.count >= 2 && tE.count >= 2, "need at least two edges for distance and time")
        precondition(zip(dE, dE.dropFirst()).allSatisfy { $0 < $1 } && zip(tE, tE.dropFirst()).allSatisfy { $0 < $1 },
                     "band edges must be strictly increasing")
        precondition(x.allSatisfy(\.isFinite) && y.allSatisfy(\.isFinite) && days.allSatisfy(\.isFinite),
                     "coordinates and times must be finite")
        let SB = dE.count - 1, TB = tE.count - 1
        let maxD = dE[SB]

        // 1. Spatial ordering: sort events by grid cell (row-major) so that close events have close indices.
        let cell = maxD > 0 ? maxD : 1
        let minX = x.min() ?? 0, minY = y.min() ?? 0
        var cx = [Int64](repeating: 0, count: n), cy = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            cx[i] = Int64(((x[i] - minX) / cell).rounded(.down))
            cy[i] = Int64(((y[i] - minY) / cell).rounded(.down))
        }
        let order = (0..<n).sorted { (a: Int, b: Int) -> Bool in
            if cy[a] != cy[b] { return cy[a] < cy[b] }
            if cx[a] != cx[b] { return cx[a] < cx[b] }
            return a < b
        }
        let sx = order.map { x[$0] }, sy = order.map { y[$0] }, st = order.map { days[$0] }
        let scx = order.map { cx[$0] }, scy = order.map { cy[$0] }
        var cellRange = [SIMD2<Int64>: Range<Int>]()
        var a = 0
        while a < n {
            var b = a + 1
            while b < n && scx[b] == scx[a] && scy[b] == scy[a] { b += 1 }
            cellRange[SIMD2(scx[a], scy[a])] = a..<b
            a = b
        }

        // 2. Close pairs (i < j in sorted order) with their distance band(s).
        var pi = [Int32](), pj = [Int32](), ps = [UInt16]()
        var distinctPairs = 0
        let minD = dE[0]
        for i in 0..<n {
            let xi = sx[i], yi = sy[i]
            for dy in Int64(0)...1 {
                for dx in Int64(-1)...1 {
                    if dy == 0 && dx == -1 { continue }             // each cell pair visited once
                    guard let r = cellRange[SIMD2(scx[i] + dx, scy[i] + dy)] else { continue }
                    let lo = (dx == 0 && dy == 0) ? i + 1 : r.lowerBound
                    if lo >= r.upperBound { continue }
                    for j in lo..<r.upperBound {
                        let ddx: Double = sx[j] - xi, ddy: Double = sy[j] - yi
                        let d: Double = (ddx * ddx + ddy * ddy).squareRoot()
                        guard d < maxD, d >= minD, let br = KnoxBands.bandRange(d, dE, nrc) else { continue }
                        distinctPairs += 1
                        for s in br { pi.append(Int32(i)); pj.append(Int32(j)); ps.append(UInt16(s)) }
                    }
                }
            }
        }
        // Offsets scanned: (0,0) with j > i, (+1,0), (−1,+1), (0,+1), (+1,+1); the other four neighbours are their
        // mirror images, so every unordered pair of neighbouring cells is scanned exactly once (always with j > i).

        let P = pi.count
        let cellsCount = SB * TB
        let t0 = tE[0], tMax = tE[TB]
        let tEdges = UnsafeMutableBufferPointer<Double>.allocate(capacity: tE.count)
        _ = tEdges.initialize(from: tE)
        defer { tEdges.deallocate() }
        // Equally spaced time edges (the usual case): the band is found arithmetically, then checked exactly.
        let width = (tMax - t0) / Double(TB)
        let uniform = (0...TB).allSatisfy { abs(tE[$0] - (t0 + Double($0) * width)) <= 1e-12 * max(1, abs(tMax)) }
        let invWidth = 1 / width

        /// Adds one pair with time difference dt (already known to be in [t0, tMax)) to the time-band counters of its
        /// space band, which start at `counts`.
        @inline(__always) func add(_ dt: Double, _ counts: UnsafeMutablePointer<Int>) {
            var tb = 0
            while !(dt < tEdges[tb + 1]) { tb += 1 }
            counts[tb] += 1
            if nrc {
                var u = tb + 1
                while u < TB && dt >= tEdges[u] - 1 { counts[u] += 1; u += 1 }
            }
        }

        var observedFlat = [Int](repeating: 0, count: cellsCount)
        var sums = [Int](repeating: 0, count: cellsCount)
        var geq = [Int](repeating: 0, count: cellsCount)
        // Permutations are evaluated `lanes` at a time: the event times of 8 permutations are interleaved
        // (8 consecutive doubles per event) so that the pair list is streamed once per 8 permutations.
        let lanes = 8
        let batches = (iterations + lanes - 1) / lanes
        let workers = max(1, min(requestedWorkers, batches))
        pi.withUnsafeBufferPointer { bi in
            pj.withUnsafeBufferPointer { bj in
                ps.withUnsafeBufferPointer { bs in
                    // Observed counts (scalar).
                    observedFlat.withUnsafeMutableBufferPointer { ob in
                        for k in 0..<P {
                            let dt = abs(st[Int(bi[k])] - st[Int(bj[k])])
                            if dt >= tMax || dt < t0 { continue }
                            add(dt, ob.baseAddress! + Int(bs[k]) * TB)
                        }
                    }
                    let obs = observedFlat
                    // Per-worker integer accumulators: the merge is exact, so the thread count cannot matter.
                    let wSums = UnsafeMutableBufferPointer<Int>.allocate(capacity: workers * cellsCount)
                    let wGeq = UnsafeMutableBufferPointer<Int>.allocate(capacity: workers * cellsCount)
                    wSums.initialize(repeating: 0); wGeq.initialize(repeating: 0)
                    defer { wSums.deallocate(); wGeq.deallocate() }
                    parallelWorkers(workers) { w in
                        let perm = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(n, 1))
                        let tv = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1) * lanes)
                        let cnt = UnsafeMutableBufferPointer<Int>.allocate(capacity: lanes * cellsCount)
                        defer { perm.deallocate(); tv.deallocate(); cnt.deallocate() }
                        var b = w
                        while b < batches {
                            let first = b * lanes
                            let used = min(lanes, iterations - first)
                            for lane in 0..<lanes {
                                // Permutation r = first + lane: its own stream, Fisher–Yates on a fresh copy.
                                for k in 0..<n { perm[k] = st[k] }
                                if lane < used {
                                    var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(first + lane))
                                    var k = n - 1
                                    while k > 0 {
                                        let j = Int(rng.below(UInt64(k + 1)))
                                        perm.swapAt(k, j)
                                        k -= 1
                                    }
                                }
                                for k in 0..<n { tv[k &* lanes &+ lane] = perm[k] }
                            }
                            cnt.update(repeating: 0)
                            let cb = cnt.baseAddress!
                            let pi = bi.baseAddress!, pj = bj.baseAddress!, psb = bs.baseAddress!
                            if nrc {
                                for k in 0..<P {
                                    let a = tv + Int(pi[k]) &* lanes, c = tv + Int(pj[k]) &* lanes
                                    let row = Int(psb[k]) &* TB
                                    for lane in 0..<lanes {
                                        let dt = abs(a[lane] - c[lane])
                                        if dt < tMax && dt >= t0 { add(dt, cb + (lane &* cellsCount &+ row)) }
                                    }
                                }
                            } else {
                                let ep = tEdges.baseAddress!
                                for k in 0..<P {
                                    let a = tv + Int(pi[k]) &* lanes, c = tv + Int(pj[k]) &* lanes
                                    let rowp = cb + Int(psb[k]) &* TB
                                    for lane in 0..<lanes {
                                        let dt = abs(a[lane] - c[lane])
                                        if dt < tMax && dt >= t0 {
                                            var tb: Int
                                            if uniform {
                                                tb = Int((dt - t0) * invWidth)
                                                if tb >= TB { tb = TB - 1 }             // rounding guard
                                                if tb > 0 && dt < ep[tb] { tb -= 1 }
                                                if tb < TB - 1 && dt >= ep[tb + 1] { tb += 1 }
                                            } else {
                                                tb = 0
                                                while !(dt < ep[tb + 1]) { tb += 1 }
                                            }
                                            rowp[lane &* cellsCount &+ tb] &+= 1
                                        }
                                    }
                                }
                            }
                            let base = w * cellsCount
                            for lane in 0..<used {
                                for c in 0..<cellsCount {
                                    let v = cb[lane * cellsCount + c]
                                    wSums[base + c] += v
                                    if v >= obs[c] { wGeq[base + c] += 1 }
                                }
                            }
                            b += workers
                        }
                    }
                    for w in 0..<workers {
                        for c in 0..<cellsCount { sums[c] += wSums[w * cellsCount + c]; geq[c] += wGeq[w * cellsCount + c] }
                    }
                }
            }
        }

        let R = Double(iterations)
        var observed = [[Int]](), expected = [[Double]](), ratio = [[Double]](), p = [[Double]]()
        for s in 0..<SB {
            var o = [Int](), e = [Double](), q = [Double](), pp = [Double]()
            for t in 0..<TB {
                let c = s * TB + t
                let ex = Double(sums[c]) / R
                o.append(observedFlat[c]); e.append(ex)
                q.append(ex > 0 ? Double(observedFlat[c]) / ex : .nan)
                pp.append(Double(geq[c] + 1) / (R + 1))
            }
            observed.append(o); expected.append(e); ratio.append(q); p.append(pp)
        }
        return KnoxResult(observed: observed, expected: expected, ratio: ratio, p: p, iterations: iterations,
                          seed: seed, pairs: distinctPairs, events: n, bands: bands)
    }
}
