import Foundation

/// Incident times are civil time in Bogotá: seconds since 1970-01-01 00:00 read on Bogotá's wall clock.
public enum BogotaTime {
    /// ISO 8601 with Bogotá's offset, "YYYY-MM-DDTHH:MM:SS-05:00" (Colombia keeps UTC−5 all year, no daylight
    /// saving since 1993).
    public static func iso(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t))) + "-05:00"
    }
}
