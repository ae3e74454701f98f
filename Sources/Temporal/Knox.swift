import Foundation

/// Distance between two events in a Knox test.
public enum KnoxMetric: String, Sendable, Codable, CaseIterable {
    /// √(dx² + dy²).
    case euclidean
    /// |dx| + |dy| (street-grid distance; the Near Repeat Calculator offers both).
    case manhattan

    @inline(__always) func distance(_ dx: Double, _ dy: Double) -> Double {
        switch self {
        case .euclidean: (dx * dx + dy * dy).squareRoot()
        case .manhattan: abs(dx) + abs(dy)
        }
    }
}

/// One row (distance) or column (time) of a Knox table: the interval from `lower` to `upper` (`upper == nil` meaning
/// no upper bound), half-open [lower, upper) unless `lowerInclusive` / `upperInclusive` say otherwise, and under the
/// NRC convention the label the Near Repeat Calculator prints for it. Only the NRC convention uses other intervals:
/// its "Same location" row is [0, 0] (distance exactly 0) and the next one (0, first edge).
public struct KnoxInterval: Sendable, Encodable, Equatable {
    public var lower: Double
    /// Upper bound (exclusive unless `upperInclusive`); nil for the open "More than …" band.
    public var upper: Double?
    /// The Near Repeat Calculator's label ("Same location", "1 to 100", "101 to 200", "More than 300"; "0 to 7",
    /// "8 to 14", "More than 28"); nil outside the NRC convention.
    public var nrcLabel: String?
    /// True (the usual case) when `lower` itself is in the interval.
    public var lowerInclusive: Bool
    /// True when `upper` itself is in the interval (only the NRC same-location row [0, 0]).
    public var upperInclusive: Bool

    public init(lower: Double, upper: Double?, nrcLabel: String? = nil, lowerInclusive: Bool = true,
                upperInclusive: Bool = false) {
        self.lower = lower; self.upper = upper; self.nrcLabel = nrcLabel
        self.lowerInclusive = lowerInclusive; self.upperInclusive = upperInclusive
    }

    enum CodingKeys: String, CodingKey { case lower, upper, nrcLabel, lowerInclusive, upperInclusive }

    /// `upper` and `nrcLabel` are written as `null` rather than left out, so the JSON says "unbounded" explicitly.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lower, forKey: .lower)
        try c.encode(upper, forKey: .upper)
        try c.encode(nrcLabel, forKey: .nrcLabel)
        try c.encode(lowerInclusive, forKey: .lowerInclusive)
        try c.encode(upperInclusive, forKey: .upperInclusive)
    }

    /// Text of the interval, e.g. "[100, 200)", "[300, ∞)", and under the NRC convention "[0, 0]", "(0, 100)".
    public var intervalText: String {
        (lowerInclusive ? "[" : "(") + "\(Self.number(lower)), \(upper.map(Self.number) ?? "∞")" + (upperInclusive ? "]" : ")")
    }

    /// Edges print without ".0" when whole.
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}

/// Space and time bands of a Knox (near-repeat) test.
///
/// **Default convention**: bands are built from consecutive edges, as half-open intervals: `distances = [0, 100,
/// 200]` gives [0, 100) and [100, 200) metres; `days = [0, 7, 14]` gives |tᵢ − tⱼ| ∈ [0, 7) and [7, 14) days. Edges
/// must be strictly increasing. Pairs with distance < first edge or ≥ last edge (likewise in time) are not counted.
///
/// **NRC convention** (`nrcCompatible = true`), to compare with Ratcliffe's Near Repeat Calculator line by line.
/// The calculator takes a bandwidth w and a number of bands k and labels its rows "Same location", "1 to w",
/// "w+1 to 2w", …, "(k−1)w+1 to kw", "More than kw" (columns "0 to w", "w+1 to 2w", …, "More than kw"), but a band
/// labelled "a to b" holds [a − 1, b), except "Same location", which holds the pairs at distance exactly 0, and
/// "1 to w", which holds (0, w): a pair 0.56 m apart is counted under "1 to w" (as reported by users comparing three
/// of the calculator's reports: all 55 cells agree this way, 47 with a [0, 1) m same-location row). Here the rows are
/// the user's half-open distance bands with the same-location row [0, 0] split off the first one (which becomes
/// (0, first edge)), plus the open row [last edge, ∞); the columns are the user's half-open day bands plus the open
/// column [last edge, ∞). Both edge lists must start at 0. Example: distances [0, 100, 200, 300], days
/// [0, 7, 14, 21, 28] → rows [0, 0] "Same location", (0, 100) "1 to 100", [100, 200) "101 to 200", [200, 300)
/// "201 to 300", [300, ∞) "More than 300"; columns [0, 7) "0 to 7", [7, 14) "8 to 14", …, [28, ∞) "More than 28".
/// Every pair of events falls in exactly one cell. The calculator computes distances in single precision (a
/// 399.961 m pair can become 400.000 and move up a band); distances here are in double precision and that
/// rounding is not reproduced, so a pair within centimetres of an edge may sit one band apart.
///
/// `metric` chooses Euclidean or Manhattan distance for both conventions.
public struct KnoxBands: Sendable, Encodable, Equatable {
    /// Distance band edges in metres (≥ 2, strictly increasing).
    public var distances: [Double]
    /// Time band edges in days (≥ 2, strictly increasing).
    public var days: [Double]
    /// Tabulate the Near Repeat Calculator's bands (see the type documentation).
    public var nrcCompatible: Bool
    /// Distance between events.
    public var metric: KnoxMetric

    public init(distances: [Double], days: [Double], nrcCompatible: Bool = false, metric: KnoxMetric = .euclidean) {
        self.distances = distances; self.days = days; self.nrcCompatible = nrcCompatible; self.metric = metric
    }

    enum CodingKeys: String, CodingKey { case distances, days, nrcCompatible, metric }

    /// Why these bands cannot be used, or nil when they can.
    public var problem: String? {
        func increasing(_ e: [Double]) -> Bool { zip(e, e.dropFirst()).allSatisfy { $0 < $1 } }
        guard distances.count >= 2, days.count >= 2 else { return "need at least two edges for distance and time" }
        guard (distances + days).allSatisfy(\.isFinite), increasing(distances), increasing(days) else {
            return "band edges must be finite and strictly increasing"
        }
        if nrcCompatible {
            guard distances[0] == 0, days[0] == 0 else { return "the NRC convention needs edges starting at 0" }
        }
        return nil
    }

    /// The smallest positive Double: under the NRC convention the same-location row is [0, sameLocationEdge),
    /// which holds exactly the distances equal to 0.
    static let sameLocationEdge = Double.leastNonzeroMagnitude

    /// Distance edges of the bounded rows: the user's, with the same-location edge inserted under the NRC convention.
    var countedDistances: [Double] {
        nrcCompatible ? [0, Self.sameLocationEdge] + distances.dropFirst() : distances
    }

    /// The table's rows, in order.
    public var distanceIntervals: [KnoxInterval] {
        guard nrcCompatible else { return intervals(distances) { _, _ in "" } }
        var rows = intervals(distances) { lo, hi in
            guard let hi else { return "More than \(KnoxInterval.number(lo))" }
            return "\(KnoxInterval.number(lo == 0 ? 1 : lo + 1)) to \(KnoxInterval.number(hi))"
        }
        rows[0].lowerInclusive = false
        rows.insert(KnoxInterval(lower: 0, upper: 0, nrcLabel: "Same location", upperInclusive: true), at: 0)
        return rows
    }

    /// The table's columns, in order.
    public var dayIntervals: [KnoxInterval] {
        intervals(days) { lo, hi in
            guard let hi else { return "More than \(KnoxInterval.number(lo))" }
            return "\(KnoxInterval.number(lo == 0 ? 0 : lo + 1)) to \(KnoxInterval.number(hi))"
        }
    }

    /// Half-open intervals between consecutive edges; under the NRC convention also the open one above
    /// the last edge, and every interval gets the calculator's label.
    private func intervals(_ e: [Double], nrcLabel: (Double, Double?) -> String) -> [KnoxInterval] {
        var out = (0..<(e.count - 1)).map { KnoxInterval(lower: e[$0], upper: e[$0 + 1]) }
        guard nrcCompatible else { return out }
        out.append(KnoxInterval(lower: e[e.count - 1], upper: nil))
        for k in out.indices { out[k].nrcLabel = nrcLabel(out[k].lower, out[k].upper) }
        return out
    }
}

/// Result of a Knox test. Matrices are indexed [row][column], the rows being `distanceIntervals` and the columns
/// `dayIntervals`.
public struct KnoxResult: Sendable, Encodable, Equatable {
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
    /// Number of distinct event pairs whose distance lies in [distances.first, distances.last) (the pairs the
    /// bounded rows can hold).
    public var pairs: Int
    /// Number of events.
    public var events: Int
    /// The bands used.
    public var bands: KnoxBands
    /// The rows: explicit half-open distance intervals (metres) with the NRC labels when `bands.nrcCompatible`.
    public var distanceIntervals: [KnoxInterval]
    /// The columns: explicit half-open time intervals (days) with the NRC labels when `bands.nrcCompatible`.
    public var dayIntervals: [KnoxInterval]

    public init(observed: [[Int]], expected: [[Double]], ratio: [[Double]], p: [[Double]], iterations: Int,
                seed: UInt64, pairs: Int, events: Int, bands: KnoxBands) {
        self.observed = observed; self.expected = expected; self.ratio = ratio; self.p = p
        self.iterations = iterations; self.seed = seed; self.pairs = pairs; self.events = events; self.bands = bands
        distanceIntervals = bands.distanceIntervals; dayIntervals = bands.dayIntervals
    }

    enum CodingKeys: String, CodingKey {
        case observed, expected, ratio, p, iterations, seed, pairs, events, bands, distanceIntervals, dayIntervals
    }

    /// Every key present; a non-finite number (the ratio of a band with no expected pair) is `null`, never a
    /// string. Keys are the property names: the CLI writes them in snake_case through `JSONStyle`
    /// (`schemas/nearrepeat.schema.json`).
    public func encode(to encoder: Encoder) throws {
        func finite(_ m: [[Double]]) -> [[Double?]] { m.map { $0.map { $0.isFinite ? $0 : nil } } }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(observed, forKey: .observed)
        try c.encode(finite(expected), forKey: .expected)
        try c.encode(finite(ratio), forKey: .ratio)
        try c.encode(finite(p), forKey: .p)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(seed, forKey: .seed)
        try c.encode(pairs, forKey: .pairs)
        try c.encode(events, forKey: .events)
        try c.encode(bands, forKey: .bands)
        try c.encode(distanceIntervals, forKey: .distanceIntervals)
        try c.encode(dayIntervals, forKey: .dayIntervals)
    }

    public static func == (a: KnoxResult, b: KnoxResult) -> Bool {
        func same(_ x: [[Double]], _ y: [[Double]]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { r, s in
                r.count == s.count && zip(r, s).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            }
        }
        return a.observed == b.observed && same(a.expected, b.expected) && same(a.ratio, b.ratio) && same(a.p, b.p)
            && a.iterations == b.iterations && a.seed == b.seed && a.pairs == b.pairs && a.events == b.events
            && a.bands == b.bands && a.distanceIntervals == b.distanceIntervals && a.dayIntervals == b.dayIntervals
    }
}
