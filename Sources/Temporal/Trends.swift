import Foundation

/// One row of a unit × period trend table.
public struct TrendRow: Sendable, Codable, Equatable {
    /// Unit code (e.g. locality, quadrant, police station).
    public var unit: String
    /// Period label ("2025-W03", "2025-01", …).
    public var period: String
    /// Period start, seconds since 1970-01-01 (civil time as UTC), inclusive.
    public var start: Int64
    /// Period end, exclusive.
    public var end: Int64
    /// Incidents of this unit with `start <= t < end` and inside the data window.
    public var count: Int
    /// True when the period is not fully covered by the data window [dataFrom, dataTo),
    /// i.e. `start < dataFrom || end > dataTo`; its count is then a lower bound.
    public var partial: Bool
    /// Count of the immediately preceding period, or `nil` when that period is not fully covered by the
    /// data window (comparisons are only made against complete periods).
    public var previous: Int?
    /// (count − previous) / previous; `nil` when `previous` is `nil` or 0.
    public var changeVsPrevious: Double?
    /// Count of the same period one year earlier (`PeriodCalendar.sameLastYear`), or `nil` when it does not
    /// exist (ISO week 53) or is not fully covered by the data window.
    public var sameLastYear: Int?
    /// (count − sameLastYear) / sameLastYear; `nil` when `sameLastYear` is `nil` or 0.
    public var changeVsLastYear: Double?

    public init(unit: String, period: String, start: Int64, end: Int64, count: Int, partial: Bool,
                previous: Int?, changeVsPrevious: Double?, sameLastYear: Int?, changeVsLastYear: Double?) {
        self.unit = unit; self.period = period; self.start = start; self.end = end; self.count = count
        self.partial = partial; self.previous = previous; self.changeVsPrevious = changeVsPrevious
        self.sameLastYear = sameLastYear; self.changeVsLastYear = changeVsLastYear
    }
}

/// Period-over-period trend tables.
public enum Trends {
    /// Counts incidents per unit and period and compares each period with the previous one and with the same
    /// period a year earlier.
    ///
    /// - Rows: every distinct unit code (sorted by `String` order) × every period of kind `period` that overlaps
    ///   [dataFrom, dataTo), zero counts included; sorted by unit, then start.
    /// - Incidents with `t < dataFrom` or `t >= dataTo` are ignored (they only define the unit list).
    /// - change = (count − reference) / reference, `nil` when the reference is 0 or unavailable. A reference
    ///   period is available only when it is fully inside the data window (`dataFrom <= start`, `end <= dataTo`).
    /// - Parameters:
    ///   - units: one unit code per incident (same length as `times`).
    ///   - times: incident times, seconds since 1970-01-01 (civil time as UTC).
    ///   - anchorDay: block anchor for `.days28` (days since 1970-01-01; default Monday 1970-01-05).
    /// - Complexity: O(n log P + U·P) for n incidents, U units and P periods.
    public static func table(units: [String], times: [Int64], period: Period, dataFrom: Int64, dataTo: Int64,
                             anchorDay: Int = PeriodCalendar.defaultAnchorDay) -> [TrendRow] {
        precondition(units.count == times.count, "units and times must have the same length")
        let keys = PeriodCalendar.periods(from: dataFrom, to: dataTo, period, anchorDay: anchorDay)
        let unitNames = Array(Set(units)).sorted()
        guard !keys.isEmpty, !unitNames.isEmpty else { return [] }
        var unitIndex = [String: Int](minimumCapacity: unitNames.count)
        for (i, u) in unitNames.enumerated() { unitIndex[u] = i }
        let P = keys.count
        let starts = keys.map(\.start)
        var counts = [Int](repeating: 0, count: unitNames.count * P)
        for (u, t) in zip(units, times) where t >= dataFrom && t < dataTo {
            // Last period with start <= t (binary search).
            var lo = 0, hi = P
            while lo < hi { let mid = (lo + hi) >> 1; if starts[mid] <= t { lo = mid + 1 } else { hi = mid } }
            let k = lo - 1
            guard k >= 0, t < keys[k].end else { continue }
            counts[unitIndex[u]! * P + k] += 1
        }
        var indexOfStart = [Int64: Int](minimumCapacity: P)
        for (k, key) in keys.enumerated() { indexOfStart[key.start] = k }
        func fullIndex(_ key: PeriodKey?) -> Int? {
            guard let key, key.start >= dataFrom, key.end <= dataTo, let k = indexOfStart[key.start] else { return nil }
            return k
        }
        let prevIndex = keys.map { fullIndex(PeriodCalendar.previous($0, period)) }
        let lastYearIndex = keys.map { fullIndex(PeriodCalendar.sameLastYear($0, period)) }
        func change(_ c: Int, _ r: Int?) -> Double? {
            guard let r, r != 0 else { return nil }
            return Double(c - r) / Double(r)
        }
        var rows = [TrendRow]()
        rows.reserveCapacity(unitNames.count * P)
        for (ui, u) in unitNames.enumerated() {
            let base = ui * P
            for (k, key) in keys.enumerated() {
                let c = counts[base + k]
                let prev = prevIndex[k].map { counts[base + $0] }
                let ly = lastYearIndex[k].map { counts[base + $0] }
                rows.append(TrendRow(unit: u, period: key.label, start: key.start, end: key.end, count: c,
                                     partial: key.start < dataFrom || key.end > dataTo,
                                     previous: prev, changeVsPrevious: change(c, prev),
                                     sameLastYear: ly, changeVsLastYear: change(c, ly)))
            }
        }
        return rows
    }
}
