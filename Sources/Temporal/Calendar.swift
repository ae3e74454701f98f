import Foundation
import Primitives

// MARK: - Civil-date arithmetic (proleptic Gregorian, no time zones)

/// Seconds in one civil day.
@usableFromInline let secondsPerDay: Int64 = 86_400

/// Floor division (rounds toward −∞), valid for negative numerators.
@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q
}

/// Non-negative remainder matching `floorDiv`.
@inline(__always) func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }

/// Day number (days since 1970-01-01) of a civil date (`CivilDate.days`, in the Int64 this module counts in).
@inline(__always) func daysFromCivil(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
    Int64(CivilDate.days(year: Int(y), month: Int(m), day: Int(d)))
}

/// Civil date (year, month 1…12, day 1…31) of a day number (`CivilDate.civil`, in Int64).
@inline(__always) func civilFromDays(_ z: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let c = CivilDate.civil(days: Int(z))
    return (Int64(c.year), Int64(c.month), Int64(c.day))
}

/// ISO weekday index with Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday = 3).
@inline(__always) func isoWeekdayIndex(_ day: Int64) -> Int64 { floorMod(day + 3, 7) }

/// Day number of the Monday that starts ISO week 1 of ISO year `y` (the week containing 4 January).
func isoWeekOneMonday(_ y: Int64) -> Int64 {
    let jan4 = daysFromCivil(y, 1, 4)
    return jan4 - isoWeekdayIndex(jan4)
}

/// Number of ISO weeks (52 or 53) in ISO year `y`.
func isoWeeksInYear(_ y: Int64) -> Int64 { (isoWeekOneMonday(y + 1) - isoWeekOneMonday(y)) / 7 }

/// `%04d`-style year formatting that also copes with negative years.
func yearString(_ y: Int64) -> String { y < 0 ? "-" + pad(-y, 4) : pad(y, 4) }
func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

// MARK: - Public API

/// Calendar period used to aggregate incident counts.
///
/// All times in this module are `Int64` seconds since 1970-01-01T00:00 **of civil local time treated as
/// UTC**: there is no time-zone or DST conversion; a day is always 86,400 s.
public enum Period: String, Sendable, CaseIterable, Codable {
    /// ISO 8601 weeks, Monday 00:00 to the next Monday; labelled with the ISO week-numbering year, "2025-W03".
    case week
    /// Calendar months, "2025-01".
    case month
    /// 28-day blocks aligned to an anchor day (days since 1970-01-01; default 4 = Monday 1970-01-05):
    /// block k = [anchor + 28k, anchor + 28(k+1)) days, labelled by its first day, "2025-01-06+28d".
    case days28 = "28d"
    /// Calendar quarters (Jan–Mar = Q1 …), "2025-Q1".
    case quarter
    /// Calendar years, "2025".
    case year
}

/// One calendar period: the half-open interval [start, end) in seconds and a human label.
///
/// Ordering is by `start`, then `end`, then `label`.
public struct PeriodKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// First second of the period (inclusive).
    public let start: Int64
    /// First second after the period (exclusive).
    public let end: Int64
    /// "2025-W03", "2025-01", "2025-Q1", "2025" or "2025-01-06+28d".
    public let label: String

    public init(start: Int64, end: Int64, label: String) {
        self.start = start; self.end = end; self.label = label
    }

    public static func < (a: PeriodKey, b: PeriodKey) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.end != b.end { return a.end < b.end }
        return a.label < b.label
    }

    public var description: String { label }
}

/// Calendar arithmetic on `Period`s (proleptic Gregorian calendar, civil time as UTC).
public enum PeriodCalendar {
    /// The default 28-day anchor: day 4 since 1970-01-01 = Monday 1970-01-05.
    public static let defaultAnchorDay = 4

    /// The period of kind `p` containing instant `t` (seconds since 1970-01-01, civil time as UTC).
    ///
    /// - week: Monday 00:00 of the ISO week containing `t`; label uses the ISO week-numbering year
    ///   (the year of that week's Thursday) and week number = 1 + (Thursday's day-of-year − 1) div 7.
    /// - month / quarter / year: the calendar unit containing `t`.
    /// - days28: k = ⌊(day − anchorDay) / 28⌋, start = anchorDay + 28k (days); label = start date + "+28d".
    /// - Parameter anchorDay: only used for `.days28`: any day (since 1970-01-01) starting a block.
    /// - Complexity: O(1).
    public static func period(of t: Int64, _ p: Period, anchorDay: Int = defaultAnchorDay) -> PeriodKey {
        let day = floorDiv(t, secondsPerDay)
        switch p {
        case .week:
            let monday = day - isoWeekdayIndex(day)
            return weekKey(monday: monday)
        case .month:
            let c = civilFromDays(day)
            return monthKey(year: c.year, month: c.month)
        case .quarter:
            let c = civilFromDays(day)
            return quarterKey(year: c.year, quarter: (c.month - 1) / 3 + 1)
        case .year:
            return yearKey(civilFromDays(day).year)
        case .days28:
            let a = Int64(anchorDay)
            let k = floorDiv(day - a, 28)
            return blockKey(startDay: a + 28 * k)
        }
    }

    /// Every period of kind `p` that overlaps the half-open window [from, to), in chronological order
    /// (empty when `to <= from`). The first and last may extend beyond the window.
    /// - Complexity: O(number of periods).
    public static func periods(from: Int64, to: Int64, _ p: Period, anchorDay: Int = defaultAnchorDay) -> [PeriodKey] {
        guard to > from else { return [] }
        var out = [PeriodKey]()
        var k = period(of: from, p, anchorDay: anchorDay)
        while k.start < to {
            out.append(k)
            k = next(k, p)
        }
        return out
    }

    /// The periods of kind `p` overlapping [from, to), split into those wholly inside it (`full`, chronological)
    /// and the partial ones at either end (`partial`: start < from or end > to). Only full periods are ever
    /// compared or used as time steps: a 3-day "week" is not a week.
    /// - Complexity: O(number of periods).
    public static func split(from: Int64, to: Int64, _ p: Period, anchorDay: Int = defaultAnchorDay)
        -> (full: [PeriodKey], partial: [PeriodKey]) {
        var full = [PeriodKey](), partial = [PeriodKey]()
        for k in periods(from: from, to: to, p, anchorDay: anchorDay) {
            if k.start >= from && k.end <= to { full.append(k) } else { partial.append(k) }
        }
        return (full, partial)
    }

    /// The data window [from, to) of an analysis: the given ends, and for a missing one the incidents' own first
    /// day (00:00 of the earliest time) or the day after the last (00:00 after the latest time), so that data
    /// starting on a period's first day fill that period. `times` equal to `Int64.min` (unknown) are ignored.
    /// - Returns: nil when an end is missing and no time is known.
    /// - Complexity: O(n).
    public static func dataWindow(times: [Int64], from: Int64?, to: Int64?) -> (from: Int64, to: Int64)? {
        if let from, let to { return (from, to) }
        var first = Int64.max, last = Int64.min
        for t in times where t != Int64.min { first = min(first, t); last = max(last, t) }
        guard first <= last else { return nil }
        return (from ?? floorDiv(first, secondsPerDay) * secondsPerDay,
                to ?? (floorDiv(last, secondsPerDay) + 1) * secondsPerDay)
    }

    /// The period immediately after `k` (which must be a key of kind `p`).
    /// - Complexity: O(1).
    public static func next(_ k: PeriodKey, _ p: Period) -> PeriodKey {
        switch p {
        case .days28: return blockKey(startDay: k.end / secondsPerDay)
        default: return period(of: k.end, p)
        }
    }

    /// The period immediately before `k` (which must be a key of kind `p`). For `.days28` the previous
    /// block is 28 days earlier (the anchor is implied by `k`).
    /// - Complexity: O(1).
    public static func previous(_ k: PeriodKey, _ p: Period) -> PeriodKey {
        switch p {
        case .days28: return blockKey(startDay: floorDiv(k.start, secondsPerDay) - 28)
        default: return period(of: k.start - 1, p)
        }
    }

    /// The comparable period one year earlier:
    /// - month / quarter / year: the same month / quarter, previous year;
    /// - week: the ISO week with the same number in the previous ISO week-numbering year, or `nil` when `k`
    ///   is week 53 and the previous ISO year has only 52 weeks;
    /// - days28: 13 blocks earlier (364 days, which preserves the weekday).
    /// - Complexity: O(1).
    public static func sameLastYear(_ k: PeriodKey, _ p: Period) -> PeriodKey? {
        let day = floorDiv(k.start, secondsPerDay)
        switch p {
        case .week:
            let thursday = day + 3
            let isoYear = civilFromDays(thursday).year
            let week = (thursday - isoWeekOneMonday(isoYear)) / 7 + 1
            guard week <= isoWeeksInYear(isoYear - 1) else { return nil }
            return weekKey(monday: isoWeekOneMonday(isoYear - 1) + 7 * (week - 1))
        case .month:
            let c = civilFromDays(day)
            return monthKey(year: c.year - 1, month: c.month)
        case .quarter:
            let c = civilFromDays(day)
            return quarterKey(year: c.year - 1, quarter: (c.month - 1) / 3 + 1)
        case .year:
            return yearKey(civilFromDays(day).year - 1)
        case .days28:
            return blockKey(startDay: day - 364)
        }
    }

    // MARK: key builders

    static func weekKey(monday: Int64) -> PeriodKey {
        let thursday = monday + 3
        let isoYear = civilFromDays(thursday).year
        let week = (thursday - isoWeekOneMonday(isoYear)) / 7 + 1
        return PeriodKey(start: monday * secondsPerDay, end: (monday + 7) * secondsPerDay,
                         label: "\(yearString(isoYear))-W\(pad(week, 2))")
    }

    static func monthKey(year: Int64, month: Int64) -> PeriodKey {
        let s = daysFromCivil(year, month, 1)
        let e = month == 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1)
        return PeriodKey(start: s * secondsPerDay, end: e * secondsPerDay, label: "\(yearString(year))-\(pad(month, 2))")
    }

    static func quarterKey(year: Int64, quarter: Int64) -> PeriodKey {
        let m = (quarter - 1) * 3 + 1
        let s = daysFromCivil(year, m, 1)
        let e = quarter == 4 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, m + 3, 1)
        return PeriodKey(start: s * secondsPerDay, end: e * secondsPerDay, label: "\(yearString(year))-Q\(quarter)")
    }

    static func yearKey(_ year: Int64) -> PeriodKey {
        PeriodKey(start: daysFromCivil(year, 1, 1) * secondsPerDay, end: daysFromCivil(year + 1, 1, 1) * secondsPerDay,
                  label: yearString(year))
    }

    static func blockKey(startDay: Int64) -> PeriodKey {
        let c = civilFromDays(startDay)
        return PeriodKey(start: startDay * secondsPerDay, end: (startDay + 28) * secondsPerDay,
                         label: "\(yearString(c.year))-\(pad(c.month, 2))-\(pad(c.day, 2))+28d")
    }
}
