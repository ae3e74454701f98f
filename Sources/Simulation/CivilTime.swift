import Primitives

/// Civil dates and timestamps as text ("YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS"), on `CivilDate`; UTC, no Foundation.
enum CivilTime {
    /// "YYYY-MM-DD" → days, or nil when malformed or not a real date.
    static func parseDay(_ s: String) -> Int? {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10),
              (1...12).contains(m), d >= 1, d <= CivilDate.daysInMonth(y, m) else { return nil }
        return CivilDate.days(year: y, month: m, day: d)
    }

    /// Appends `v` with at least `width` digits (zero-padded), after a '-' when negative.
    @inline(__always)
    static func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
        var v = value
        if v < 0 { out.append(45); v = v == Int.min ? Int.max : -v }
        var digits = 1, p = 10
        while digits < 18 && p <= v { digits += 1; p *= 10 }
        if digits == 18 && p <= v { out.append(contentsOf: Array(String(v).utf8)); return }
        if digits < width { for _ in 0..<(width - digits) { out.append(48) } }
        var div = p / 10
        var r = v
        while div > 0 { out.append(UInt8(48 + r / div)); r %= div; div /= 10 }
    }

    static func isoDay(_ days: Int) -> String {
        var out: [UInt8] = []
        appendDate(days, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendDate(_ days: Int, to out: inout [UInt8]) {
        let (y, m, d) = CivilDate.civil(days: days)
        appendPadded(y, width: 4, to: &out); out.append(45)
        appendPadded(m, width: 2, to: &out); out.append(45)
        appendPadded(d, width: 2, to: &out)
    }

    /// "YYYY-MM-DD HH:MM:SS" for seconds since 1970-01-01 00:00:00 (civil, no time zone).
    static func appendTimestamp(_ t: Int64, to out: inout [UInt8]) {
        let secs = Int(t)
        let day = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = secs - day * 86_400
        appendDate(day, to: &out); out.append(32)
        appendPadded(rem / 3600, width: 2, to: &out); out.append(58)
        appendPadded(rem / 60 % 60, width: 2, to: &out); out.append(58)
        appendPadded(rem % 60, width: 2, to: &out)
    }
}
