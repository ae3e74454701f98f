import Foundation
import Incidents
import Primitives
import Temporal

/// The trends table (tab-separated, Spanish), its CSV and its JSON document.
public enum TrendsReport {
    private static func pct(_ v: Double?) -> String {
        guard let v else { return "—" }
        return String(format: "%+.1f %%", v * 100).replacingOccurrences(of: ".", with: ",")
    }

    /// "**" for p < 0.01, "*" for p < 0.05, "" otherwise.
    public static func mark(_ p: Double?) -> String {
        guard let p else { return "" }
        return p < 0.01 ? "**" : (p < 0.05 ? "*" : "")
    }

    private static func csvNumber(_ v: Double?) -> String { v.map { String($0) } ?? "" }
    private static func csvBool(_ p: Double?) -> String { p.map { String(NamedTrendRow.significant($0)) } ?? "" }

    public static func csv(_ rows: [NamedTrendRow]) -> String {
        var s = "unit,unit_name,period,start,end,count,partial,previous,change_vs_previous,p_vs_previous,significant_vs_previous,"
        s += "same_last_year,change_vs_last_year,p_vs_last_year,significant_vs_last_year\n"
        for named in rows {
            let r = named.row
            s += "\(TextEscaping.csvField(r.unit)),\(TextEscaping.csvField(named.unitName ?? "")),"
            s += "\(r.period),\(BogotaTime.iso(r.start)),\(BogotaTime.iso(r.end)),\(r.count),\(r.partial),"
            s += "\(r.previous.map(String.init) ?? ""),\(csvNumber(r.changeVsPrevious)),\(csvNumber(r.pVsPrevious)),\(csvBool(r.pVsPrevious)),"
            s += "\(r.sameLastYear.map(String.init) ?? ""),\(csvNumber(r.changeVsLastYear)),\(csvNumber(r.pVsLastYear)),\(csvBool(r.pVsLastYear))\n"
        }
        return s
    }

    public static func table(_ rows: [NamedTrendRow]) -> String {
        var out = "unidad\tnombre\tperiodo\tincidentes\tparcial\tanterior\tcambio\taño anterior\tcambio anual\n"
        for named in rows {
            let r = named.row
            out += "\(r.unit)\t\(named.unitName ?? "")\t\(r.period)\t\(r.count)\t\(r.partial ? "sí" : "")\t\(r.previous.map(String.init) ?? "—")\t"
            out += "\(pct(r.changeVsPrevious))\(Self.mark(r.pVsPrevious).isEmpty ? "" : " " + Self.mark(r.pVsPrevious))\t"
            out += "\(r.sameLastYear.map(String.init) ?? "—")\t"
            out += "\(pct(r.changeVsLastYear))\(Self.mark(r.pVsLastYear).isEmpty ? "" : " " + Self.mark(r.pVsLastYear))\n"
        }
        out += "* p < 0,05 · ** p < 0,01: prueba exacta de los dos conteos (binomial condicional, por día); sin marca, el cambio cabe en el azar. "
        out += "Los periodos parciales no se comparan.\n"
        return out
    }
}

/// The JSON of `trends --json` and `trends -o X.json` (`schemas/trends.schema.json`): the rows with the layer
/// and period they are for.
public struct TrendsDocument: Encodable, Sendable {
    /// Raised when a key changes meaning or disappears.
    public var schemaVersion = 1
    public let unitLayer: String
    public let period: String
    public let rows: [NamedTrendRow]
    public init(unitLayer: String, period: String, rows: [NamedTrendRow]) { self.unitLayer = unitLayer; self.period = period; self.rows = rows }
}

/// A trends row with its unit's official name (as the layer spells it; nil for "sin asignar"), written with
/// snake_case keys, null for what is missing, start/end as ISO 8601 with Bogotá's offset.
public struct NamedTrendRow: Encodable, Sendable {
    public let row: TrendRow
    public let unitName: String?
    public init(row: TrendRow, unitName: String?) { self.row = row; self.unitName = unitName }

    /// Significance level of the marks and of `significant_*`.
    public static let alpha = 0.05
    public static func significant(_ p: Double) -> Bool { p < alpha }

    private enum Keys: String, CodingKey {
        case unit, unit_name, period, start, end, count, partial, previous, change_vs_previous, p_vs_previous,
             significant_vs_previous, same_last_year, change_vs_last_year, p_vs_last_year, significant_vs_last_year
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        let r = row
        try c.encode(r.unit, forKey: .unit)
        try c.encode(unitName, forKey: .unit_name)
        try c.encode(r.period, forKey: .period)
        try c.encode(BogotaTime.iso(r.start), forKey: .start)
        try c.encode(BogotaTime.iso(r.end), forKey: .end)
        try c.encode(r.count, forKey: .count)
        try c.encode(r.partial, forKey: .partial)
        try c.encode(r.previous, forKey: .previous)
        try c.encode(r.changeVsPrevious, forKey: .change_vs_previous)
        try c.encode(r.pVsPrevious, forKey: .p_vs_previous)
        try c.encode(r.pVsPrevious.map(Self.significant), forKey: .significant_vs_previous)
        try c.encode(r.sameLastYear, forKey: .same_last_year)
        try c.encode(r.changeVsLastYear, forKey: .change_vs_last_year)
        try c.encode(r.pVsLastYear, forKey: .p_vs_last_year)
        try c.encode(r.pVsLastYear.map(Self.significant), forKey: .significant_vs_last_year)
    }
}
