import Primitives

/// Parses incident dates/times to seconds since 1970-01-01T00:00:00, treating the written time as
/// local civil time expressed as UTC (no zone conversion: a trailing `Z` or `±HH[:MM]` offset is
/// accepted and ignored, because exports state the local time of the incident).
///
/// Accepted forms (surrounding spaces ignored):
/// - date: `YYYY-MM-DD`, `YYYY/MM/DD`, `DD/MM/YYYY`, `DD-MM-YYYY` (day/month may have 1 or 2 digits)
/// - optionally followed by ` ` or `T` and `HH:MM` or `HH:MM:SS`, optional fraction `.fff`/`,fff`
///   (truncated), then optionally a 12-hour suffix (`AM`, `PM`, `a. m.`, `p. m.`, `a.m.`, any case,
///   space optional; hour must then be 1–12) or a `Z`/offset.
///
/// The calendar is validated (month 1–12, day within the month incl. leap years, hour < 24,
/// minute/second < 60). Returns nil for anything else.
public enum DateParser {
    public static func parse(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { parse($0) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let base = bytes.baseAddress else { return nil }
        return parse(base, 0, bytes.count)
    }

    @inline(__always) private static func digit(_ c: UInt8) -> Int? {
        let d = c &- 0x30
        return d < 10 ? Int(d) : nil
    }

    /// Reads 1...maxDigits digits at i (at least minDigits).
    @inline(__always)
    private static func number(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ e: Int, min: Int, max: Int) -> Int? {
        var v = 0, n = 0
        while i < e && n < max, let d = digit(p[i]) { v = v * 10 + d; n += 1; i += 1 }
        return n >= min ? v : nil
    }

    static func parse(_ p: UnsafePointer<UInt8>, _ s0: Int, _ e0: Int) -> Int64? {
        var s = s0, e = e0
        while s < e && Byte.isBlank(p[s]) { s += 1 }
        while e > s && Byte.isBlank(p[e - 1]) { e -= 1 }
        if e - s < 8 { return nil }
        var i = s
        let year: Int, month: Int, day: Int
        // Year first if the first 4 bytes are digits followed by - or /.
        if e - s >= 5, digit(p[s]) != nil, digit(p[s + 1]) != nil, digit(p[s + 2]) != nil, digit(p[s + 3]) != nil,
           p[s + 4] == 0x2D || p[s + 4] == 0x2F {
            let sep = p[s + 4]
            guard let y = number(p, &i, e, min: 4, max: 4) else { return nil }
            i += 1
            guard let m = number(p, &i, e, min: 1, max: 2), i < e, p[i] == sep else { return nil }
            i += 1
            guard let d = number(p, &i, e, min: 1, max: 2) else { return nil }
            year = y; month = m; day = d
        } else {
            guard let d = number(p, &i, e, min: 1, max: 2), i < e, p[i] == 0x2F || p[i] == 0x2D else { return nil }
            let sep = p[i]
            i += 1
            guard let m = number(p, &i, e, min: 1, max: 2), i < e, p[i] == sep else { return nil }
            i += 1
            guard let y = number(p, &i, e, min: 4, max: 4) else { return nil }
            year = y; month = m; day = d
        }
        guard month >= 1 && month <= 12, day >= 1, day <= CivilDate.daysInMonth(year, month) else { return nil }
        var seconds = Int64(CivilDate.days(year: year, month: month, day: day)) * 86_400
        if i == e { return seconds }

        // Time part.
        guard p[i] == Byte.space || p[i] == 0x54 || p[i] == 0x74 else { return nil }
        i += 1
        while i < e && p[i] == Byte.space { i += 1 }
        guard var hour = number(p, &i, e, min: 1, max: 2), i < e, p[i] == 0x3A else { return nil }
        i += 1
        guard let minute = number(p, &i, e, min: 2, max: 2) else { return nil }
        var second = 0
        if i < e && p[i] == 0x3A {
            i += 1
            guard let sec = number(p, &i, e, min: 2, max: 2) else { return nil }
            second = sec
            if i < e && (p[i] == Byte.dot || p[i] == Byte.comma) {
                i += 1
                guard number(p, &i, e, min: 1, max: 9) != nil else { return nil }
                while i < e, digit(p[i]) != nil { i += 1 }
            }
        }
        guard minute < 60, second < 60 else { return nil }
        switch suffix(p, i, e) {
        case .none: guard hour < 24 else { return nil }
        case .am: guard hour >= 1 && hour <= 12 else { return nil }; if hour == 12 { hour = 0 }
        case .pm: guard hour >= 1 && hour <= 12 else { return nil }; if hour != 12 { hour += 12 }
        case .invalid: return nil
        }
        seconds += Int64(hour * 3600 + minute * 60 + second)
        return seconds
    }

    private enum Suffix { case none, am, pm, invalid }

    /// What follows the time: nothing, Z, ±HH[:MM] / ±HHMM, or a 12-hour marker.
    private static func suffix(_ p: UnsafePointer<UInt8>, _ i0: Int, _ e: Int) -> Suffix {
        var i = i0
        while i < e && p[i] == Byte.space { i += 1 }
        if i == e { return .none }
        if p[i] == 0x5A || p[i] == 0x7A { return i + 1 == e ? .none : .invalid }
        if p[i] == 0x2B || p[i] == 0x2D {
            i += 1
            guard number(p, &i, e, min: 2, max: 2) != nil else { return .invalid }
            if i < e && p[i] == 0x3A { i += 1 }
            if i < e { guard number(p, &i, e, min: 2, max: 2) != nil else { return .invalid } }
            return i == e ? .none : .invalid
        }
        // 12-hour marker: letters a/p and m, dots and (non-breaking) spaces are skipped.
        var letters: [UInt8] = []
        while i < e {
            let c = p[i]
            if c == Byte.space || c == Byte.dot || c == Byte.tab {
                i += 1
            } else if c == 0xC2 && i + 1 < e && p[i + 1] == 0xA0 {  // U+00A0
                i += 2
            } else if c == 0xE2 && i + 2 < e && p[i + 1] == 0x80 && p[i + 2] == 0xAF {  // U+202F
                i += 3
            } else {
                letters.append(c | 0x20)
                if letters.count > 2 { return .invalid }
                i += 1
            }
        }
        if letters == [0x61, 0x6D] { return .am }
        if letters == [0x70, 0x6D] { return .pm }
        return .invalid
    }
}
