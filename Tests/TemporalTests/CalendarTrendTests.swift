import Foundation
import Testing
@testable import Temporal

/// Day numbers / seconds cross-checked with Python's datetime:
/// ```python
/// import datetime as d; E = d.date(1970,1,1)
/// (d.date(2025,1,15)-E).days*86400   # 1736899200; d.date(2025,1,15).isocalendar() -> (2025, 3, 3)
/// (d.date(2024,12,30)-E).days*86400  # 1735516800; isocalendar -> (2025, 1, 1)
/// (d.date(2021,1,3)-E).days*86400    # 1609632000; isocalendar -> (2020, 53, 7)
/// (d.date(2026,12,31)-E).days*86400  # 1798675200; isocalendar -> (2026, 53, 4)
/// ((d.date(2025,1,15)-E).days-4)//28*28+4 -> 20080 = 2024-12-23 (28-day block start, anchor 1970-01-05)
/// E + d.timedelta(-24)               # 1969-12-08 (block containing 1970-01-01)
/// ```
@Suite struct CalendarTests {
    func t(_ y: Int64, _ m: Int64, _ d: Int64, _ h: Int64 = 0) -> Int64 { daysFromCivil(y, m, d) * 86_400 + h * 3600 }

    @Test func civilRoundTrip() {
        #expect(t(2025, 1, 15) == 1_736_899_200)
        #expect(t(2024, 12, 30) == 1_735_516_800)
        #expect(daysFromCivil(1970, 1, 1) == 0)
        for day in Int64(-800_000)...Int64(800_000) where day % 97 == 0 || abs(day) < 1000 {
            let c = civilFromDays(day)
            #expect(daysFromCivil(c.year, c.month, c.day) == day)
        }
    }

    @Test func labelsAndBounds() {
        let w = PeriodCalendar.period(of: t(2025, 1, 15, 13), .week)
        #expect(w.label == "2025-W03" && w.start == t(2025, 1, 13) && w.end == t(2025, 1, 20))
        #expect(PeriodCalendar.period(of: t(2024, 12, 30), .week).label == "2025-W01")
        #expect(PeriodCalendar.period(of: t(2021, 1, 3, 23), .week).label == "2020-W53")
        #expect(PeriodCalendar.period(of: t(2026, 12, 31), .week).label == "2026-W53")
        let m = PeriodCalendar.period(of: t(2024, 2, 29, 23), .month)
        #expect(m.label == "2024-02" && m.start == t(2024, 2, 1) && m.end == t(2024, 3, 1))
        let q = PeriodCalendar.period(of: t(2025, 3, 31, 23), .quarter)
        #expect(q.label == "2025-Q1" && q.start == t(2025, 1, 1) && q.end == t(2025, 4, 1))
        #expect(PeriodCalendar.period(of: t(2025, 4, 1), .quarter).label == "2025-Q2")
        let y = PeriodCalendar.period(of: t(2024, 7, 1), .year)
        #expect(y.label == "2024" && y.end - y.start == 366 * 86_400)
        let b = PeriodCalendar.period(of: t(2025, 1, 15), .days28)
        #expect(b.label == "2024-12-23+28d" && b.start == 20_080 * 86_400 && b.end == 20_108 * 86_400)
        #expect(PeriodCalendar.period(of: t(1970, 1, 5), .days28).label == "1970-01-05+28d")
        #expect(PeriodCalendar.period(of: 0, .days28).label == "1969-12-08+28d")
        // Custom anchor: blocks starting on 2025-01-06.
        let anchored = PeriodCalendar.period(of: t(2025, 2, 2), .days28, anchorDay: Int(daysFromCivil(2025, 1, 6)))
        #expect(anchored.label == "2025-01-06+28d")
        // Negative instants use floor division.
        #expect(PeriodCalendar.period(of: -1, .month).label == "1969-12")
        #expect(PeriodCalendar.period(of: -1, .week).label == "1970-W01")   // Monday 1969-12-29
    }

    /// Cross-check ISO weeks against Foundation's ISO 8601 calendar for every day of 1990–2040.
    @Test func isoWeeksMatchFoundation() {
        var cal = Calendar(identifier: .iso8601)
        cal.timeZone = TimeZone(identifier: "UTC")!
        var day = daysFromCivil(1990, 1, 1)
        let stop = daysFromCivil(2041, 1, 1)
        var mismatches = 0
        while day < stop {
            let date = Date(timeIntervalSince1970: Double(day * 86_400 + 43_200))
            let c = cal.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            let expected = String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!)
            if PeriodCalendar.period(of: day * 86_400 + 43_200, .week).label != expected { mismatches += 1 }
            day += 1
        }
        #expect(mismatches == 0)
    }

    @Test func periodsPreviousAndLastYear() {
        let ms = PeriodCalendar.periods(from: t(2025, 1, 15), to: t(2025, 3, 1), .month)
        #expect(ms.map(\.label) == ["2025-01", "2025-02"])
        #expect(PeriodCalendar.periods(from: t(2025, 1, 15), to: t(2025, 3, 1, 1), .month).count == 3)
        #expect(PeriodCalendar.periods(from: 5, to: 5, .month).isEmpty)
        for p in Period.allCases {
            let ks = PeriodCalendar.periods(from: t(2019, 11, 3), to: t(2026, 2, 1), p)
            #expect(zip(ks, ks.dropFirst()).allSatisfy { $0.end == $1.start && $0 < $1 })
            #expect(zip(ks, ks.dropFirst()).allSatisfy { PeriodCalendar.previous($1, p) == $0 })
            #expect(ks.allSatisfy { PeriodCalendar.period(of: $0.start, p) == $0 && PeriodCalendar.period(of: $0.end - 1, p) == $0 })
        }
        let w1 = PeriodCalendar.period(of: t(2025, 1, 1), .week)
        #expect(PeriodCalendar.previous(w1, .week).label == "2024-W52")
        #expect(PeriodCalendar.previous(PeriodCalendar.period(of: t(2025, 1, 15), .month), .month).label == "2024-12")
        #expect(PeriodCalendar.previous(PeriodCalendar.period(of: t(2025, 1, 15), .quarter), .quarter).label == "2024-Q4")
        let b = PeriodCalendar.period(of: t(2025, 1, 15), .days28)
        #expect(PeriodCalendar.previous(b, .days28).start == b.start - 28 * 86_400)

        #expect(PeriodCalendar.sameLastYear(PeriodCalendar.period(of: t(2025, 1, 15), .month), .month)?.label == "2024-01")
        #expect(PeriodCalendar.sameLastYear(PeriodCalendar.period(of: t(2025, 5, 15), .quarter), .quarter)?.label == "2024-Q2")
        #expect(PeriodCalendar.sameLastYear(PeriodCalendar.period(of: t(2025, 5, 15), .year), .year)?.label == "2024")
        let w = PeriodCalendar.sameLastYear(PeriodCalendar.period(of: t(2025, 1, 15), .week), .week)
        #expect(w?.label == "2024-W03" && w?.start == t(2024, 1, 15))
        // 2020-W53 and 2026-W53: the previous ISO years (2019, 2025) have 52 weeks → nil.
        #expect(PeriodCalendar.sameLastYear(PeriodCalendar.period(of: t(2021, 1, 3), .week), .week) == nil)
        #expect(PeriodCalendar.sameLastYear(PeriodCalendar.period(of: t(2026, 12, 28), .week), .week) == nil)
        #expect(PeriodCalendar.sameLastYear(PeriodCalendar.period(of: t(2027, 12, 27), .week), .week)?.label == "2026-W52")
        #expect(PeriodCalendar.sameLastYear(PeriodCalendar.period(of: t(2020, 12, 21), .week), .week)?.label == "2019-W52")
        let sb = PeriodCalendar.sameLastYear(b, .days28)!
        #expect(b.start - sb.start == 364 * 86_400 && sb.label == "2023-12-25+28d")
    }
}

@Suite struct TrendTests {
    func t(_ y: Int64, _ m: Int64, _ d: Int64) -> Int64 { daysFromCivil(y, m, d) * 86_400 + 3600 }

    @Test func monthlyTable() {
        var units = [String](), times = [Int64]()
        func add(_ u: String, _ n: Int, _ time: Int64) { for _ in 0..<n { units.append(u); times.append(time) } }
        add("A", 4, t(2024, 1, 10)); add("A", 2, t(2024, 2, 3)); add("A", 6, t(2025, 1, 31))
        add("A", 3, t(2025, 2, 1)); add("A", 5, t(2025, 3, 2)); add("A", 1, t(2024, 3, 9))
        add("B", 2, t(2024, 2, 20))
        add("A", 9, t(2023, 12, 31)); add("C", 1, t(2025, 3, 20))   // outside the window: ignored
        let from = daysFromCivil(2024, 1, 1) * 86_400, to = daysFromCivil(2025, 3, 15) * 86_400
        let rows = Trends.table(units: units, times: times, period: .month, dataFrom: from, dataTo: to)
        #expect(rows.count == 3 * 15)                           // units A, B, C × 2024-01 … 2025-03
        #expect(rows.map(\.unit) == rows.map(\.unit).sorted())
        let a = rows.filter { $0.unit == "A" }
        #expect(a.map(\.period).first == "2024-01" && a.map(\.period).last == "2025-03")
        #expect(a[0].count == 4 && a[0].previous == nil && a[0].sameLastYear == nil && !a[0].partial)
        #expect(a[1].count == 2 && a[1].previous == 4 && a[1].changeVsPrevious == -0.5)
        #expect(a[2].count == 1 && a[2].previous == 2)
        #expect(a[3].count == 0 && a[3].previous == 1 && a[3].changeVsPrevious == -1)
        #expect(a[4].count == 0 && a[4].previous == 0 && a[4].changeVsPrevious == nil)
        let jan25 = a[12], feb25 = a[13], mar25 = a[14]
        #expect(jan25.period == "2025-01" && jan25.count == 6 && jan25.sameLastYear == 4 && jan25.changeVsLastYear == 0.5)
        #expect(feb25.count == 3 && feb25.previous == 6 && feb25.changeVsPrevious == -0.5
                && feb25.sameLastYear == 2 && feb25.changeVsLastYear == 0.5)
        // March 2025 is cut by the window: counted, never compared.
        #expect(mar25.partial && mar25.count == 5 && mar25.sameLastYear == nil && mar25.changeVsLastYear == nil
                && mar25.previous == nil && mar25.pVsPrevious == nil && mar25.pVsLastYear == nil)
        // Feb 2025 (28 days, 3) against Jan 2025 (31 days, 6): X ~ Bin(9, 28/59), P(X = 3) = 0.18891; the outcomes
        // at most as likely are x ≤ 3 and x ≥ 6, p = 0.512882925619836 (exact rational sum, Python fractions).
        #expect(abs(feb25.pVsPrevious! - 0.512882925619836) < 1e-9)
        #expect(rows.filter { $0.unit == "C" }.allSatisfy { $0.count == 0 })
        #expect(rows.filter { $0.unit == "B" }.map(\.count).reduce(0, +) == 2)
        // Codable round trip.
        let data = try! JSONEncoder().encode(rows)
        #expect(try! JSONDecoder().decode([TrendRow].self, from: data) == rows)
    }

    @Test func partialReferencePeriodsAreNotCompared() {
        let from = daysFromCivil(2024, 1, 10) * 86_400, to = daysFromCivil(2025, 2, 1) * 86_400
        let rows = Trends.table(units: ["X", "X", "X"], times: [t(2024, 1, 12), t(2024, 2, 12), t(2025, 1, 12)],
                                period: .month, dataFrom: from, dataTo: to)
        #expect(rows.count == 13)
        #expect(rows[0].partial && rows[0].count == 1)
        #expect(rows[1].previous == nil)                         // January 2024 is only partly covered
        #expect(rows[12].sameLastYear == nil && rows[12].count == 1 && !rows[12].partial)
    }

    /// A window from a Wednesday to a Wednesday: the first and last weeks are partial; only the two full weeks
    /// between them are compared, with each other; units given in `allUnits` appear with zeros.
    @Test func windowCutMidPeriod() {
        let from = daysFromCivil(2025, 1, 1) * 86_400, to = daysFromCivil(2025, 1, 22) * 86_400
        var units = [String](), times = [Int64]()
        func add(_ u: String, _ n: Int, _ time: Int64) { for _ in 0..<n { units.append(u); times.append(time) } }
        add("A", 2, t(2025, 1, 2)); add("A", 1, t(2025, 1, 7)); add("A", 4, t(2025, 1, 14)); add("A", 5, t(2025, 1, 21))
        let rows = Trends.table(units: units, times: times, period: .week, dataFrom: from, dataTo: to, allUnits: ["A", "Z"])
        #expect(rows.map(\.unit) == ["A", "A", "A", "A", "Z", "Z", "Z", "Z"])
        let a = Array(rows.prefix(4))
        #expect(a.map(\.period) == ["2025-W01", "2025-W02", "2025-W03", "2025-W04"])
        #expect(a.map(\.count) == [2, 1, 4, 5] && a.map(\.partial) == [true, false, false, true])
        #expect(a[1].previous == nil)                                  // W01 is partial
        #expect(a[2].previous == 1 && a[2].changeVsPrevious == 3 && abs(a[2].pVsPrevious! - 0.375) < 1e-12)
        #expect(a[3].previous == nil && a[3].changeVsPrevious == nil && a[3].pVsPrevious == nil)
        #expect(rows.suffix(4).allSatisfy { $0.count == 0 })
    }

    @Test func weeklyAnd28Day() {
        let from = daysFromCivil(2024, 12, 30) * 86_400, to = daysFromCivil(2025, 1, 27) * 86_400
        let rows = Trends.table(units: ["u", "u", "u"], times: [t(2025, 1, 1), t(2025, 1, 5), t(2025, 1, 8)],
                                period: .week, dataFrom: from, dataTo: to)
        #expect(rows.map(\.period) == ["2025-W01", "2025-W02", "2025-W03", "2025-W04"])
        #expect(rows.map(\.count) == [2, 1, 0, 0] && rows.allSatisfy { !$0.partial })
        #expect(rows[1].previous == 2 && rows[1].changeVsPrevious == -0.5 && rows[0].previous == nil)
        let blocks = Trends.table(units: ["u"], times: [t(2025, 1, 8)], period: .days28,
                                  dataFrom: from, dataTo: to)
        #expect(blocks.map(\.period) == ["2024-12-23+28d", "2025-01-20+28d"] && blocks.allSatisfy(\.partial))
    }
}
