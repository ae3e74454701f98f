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
    /// Count of the immediately preceding period, or `nil` when this period or that one is not fully covered
    /// by the data window (only complete periods are ever compared).
    public var previous: Int?
    /// (count − previous) / previous; `nil` when `previous` is `nil` or 0.
    public var changeVsPrevious: Double?
    /// Two-sided exact p-value of count against previous (`CountTest.twoSidedP`, rates per day); `nil` when
    /// `previous` is `nil`.
    public var pVsPrevious: Double?
    /// Count of the same period one year earlier (`PeriodCalendar.sameLastYear`), or `nil` when it does not
    /// exist (ISO week 53) or when it or this period is not fully covered by the data window.
    public var sameLastYear: Int?
    /// (count − sameLastYear) / sameLastYear; `nil` when `sameLastYear` is `nil` or 0.
    public var changeVsLastYear: Double?
    /// Two-sided exact p-value of count against sameLastYear; `nil` when `sameLastYear` is `nil`.
    public var pVsLastYear: Double?

    public init(unit: String, period: String, start: Int64, end: Int64, count: Int, partial: Bool,
                previous: Int?, changeVsPrevious: Double?, sameLastYear: Int?, changeVsLastYear: Double?,
                pVsPrevious: Double? = nil, pVsLastYear: Double? = nil) {
        self.unit = unit; self.period = period; self.start = start; self.end = end; self.count = count
        self.partial = partial; self.previous = previous; self.changeVsPrevious = changeVsPrevious
        self.sameLastYear = sameLastYear; self.changeVsLastYear = changeVsLastYear
        self.pVsPrevious = pVsPrevious; self.pVsLastYear = pVsLastYear
    }
}

/// Period-over-period trend tables.
public enum Trends {
    /// Counts incidents per unit and period and compares each period with the previous one and with the same
    /// period a year earlier.
    ///
    /// - Rows: every unit code of `allUnits` and of `units` (sorted by `String` order) × every period of kind
    ///   `period` that overlaps [dataFrom, dataTo), zero counts included; sorted by unit, then start.
    /// - Incidents with `t < dataFrom` or `t >= dataTo` are ignored (they only define the unit list).
    /// - Only complete periods are compared: a partial period (not fully inside the data window) has no
    ///   reference, and a reference period is available only when it is fully inside the data window
    ///   (`dataFrom <= start`, `end <= dataTo`).
    /// - change = (count − reference) / reference, `nil` when the reference is 0 or unavailable; its p-value is
    ///   `CountTest.twoSidedP` with the two periods' lengths in days (whenever the reference is available).
    /// - Parameters:
    ///   - units: one unit code per incident (same length as `times`).
    ///   - times: incident times, seconds since 1970-01-01 (civil time as UTC).
    ///   - allUnits: units listed even when no incident falls in them (e.g. every unit of the layer).
    ///   - anchorDay: block anchor for `.days28` (days since 1970-01-01; default Monday 1970-01-05).
    /// - Complexity: O(n log P + U·P·c) for n incidents, U units, P periods and c the largest compared sum.
    public static func table(units: [String], times: [Int64], period: Period, dataFrom: Int64, dataTo: Int64,
                             allUnits: [String] = [], anchorDay: Int = PeriodCalendar.defaultAnchorDay) -> [TrendRow] {
        precondition(units.count == times.count, "units and times must have the same length")
        let keys = PeriodCalendar.periods(from: dataFrom, to: dataTo, period, anchorDay: anchorDay)
        let unitNames = Array(Set(units).union(allUnits)).sorted()
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
        // A partial period is never compared, nor compared with.
        let isFull = keys.map { $0.start >= dataFrom && $0.end <= dataTo }
        let prevIndex = keys.indices.map { isFull[$0] ? fullIndex(PeriodCalendar.previous(keys[$0], period)) : nil }
        let lastYearIndex = keys.indices.map { isFull[$0] ? fullIndex(PeriodCalendar.sameLastYear(keys[$0], period)) : nil }
        func change(_ c: Int, _ r: Int?) -> Double? {
            guard let r, r != 0 else { return nil }
            return Double(c - r) / Double(r)
        }
        func days(_ k: Int) -> Double { Double(keys[k].end - keys[k].start) / Double(secondsPerDay) }
        func pValue(_ k: Int, _ c: Int, _ ref: Int?, _ refIndex: Int?) -> Double? {
            guard let ref, let refIndex else { return nil }
            return CountTest.twoSidedP(current: c, reference: ref, currentDays: days(k), referenceDays: days(refIndex))
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
                                     sameLastYear: ly, changeVsLastYear: change(c, ly),
                                     pVsPrevious: pValue(k, c, prev, prevIndex[k]),
                                     pVsLastYear: pValue(k, c, ly, lastYearIndex[k])))
            }
        }
        return rows
    }
}
