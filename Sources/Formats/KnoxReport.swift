import Foundation
import Temporal

/// Report text of a Knox test (Spanish, decimal comma): what `nearrepeat` prints and a briefing quotes.
extension KnoxResult {
    /// Plain-language strength of an excess of pairs (Knox ratio r > 1): "muy leve" below 1.1 (under 10 % more pairs
    /// than expected), "leve" below 1.25, "moderado" below 2, "fuerte" from 2 (at least twice the expected pairs).
    public static func strengthSpanish(_ ratio: Double) -> String {
        ratio < 1.1 ? "muy leve" : (ratio < 1.25 ? "leve" : (ratio < 2 ? "moderado" : "fuerte"))
    }

    /// A plain-language Spanish paragraph for reports. A band is **significant** when it has more pairs than
    /// expected (ratio > 1) with p < `alpha`; every significant band with ratio ≥ `minRatio` gets a sentence saying
    /// how strong the excess is (`strengthSpanish`), e.g. "el riesgo de otro a menos de 100 m en los 7 días
    /// siguientes es 1,14 veces el esperado (14 % más, exceso leve; p = 0,001; …)"; significant bands below
    /// `minRatio`, and those in the open "More than …" row or column of the NRC convention (not near repeats), are
    /// counted, not described. "No hay evidencia" is said only when no bounded band is significant. Numbers use a
    /// decimal comma. Under the NRC convention each band also names its calculator labels and explicit intervals,
    /// e.g. "(NRC «101 to 200» × «8 to 14» = [100, 200) m × [7, 14) días)".
    /// - Complexity: O(space bands × time bands).
    public func summarySpanish(minRatio: Double = 1, alpha: Double = 0.05) -> String {
        var sentences = [String]()
        var belowMin = 0, openBands = 0
        for s in observed.indices {
            for t in observed[s].indices {
                let r = ratio[s][t]
                guard r.isFinite, r > 1, p[s][t] < alpha else { continue }
                let d = distanceIntervals[s], w = dayIntervals[t]
                guard d.upper != nil, w.upper != nil else { openBands += 1; continue }
                guard r >= minRatio else { belowMin += 1; continue }
                let space: String
                if let hi = d.upper {
                    if d.upperInclusive && hi == 0 { space = "en el mismo lugar (a 0 m)" }
                    else if d.lower <= 0 { space = "a menos de \(es(hi)) m" + (d.lowerInclusive ? "" : " (pero no en el mismo punto)") }
                    else { space = "a entre \(es(d.lower)) y \(es(hi)) m" }
                } else { space = "a \(es(d.lower)) m o más" }
                let time: String
                if let hi = w.upper {
                    time = w.lower <= 0 ? "en los \(es(hi)) días siguientes" : "entre \(es(w.lower)) y \(es(hi)) días después"
                } else { time = "\(es(w.lower)) días o más después" }
                var nrc = ""
                if let a = d.nrcLabel, let b = w.nrcLabel {
                    nrc = " (NRC «\(a)» × «\(b)» = \(d.intervalText.replacingOccurrences(of: ".", with: ",")) m × "
                        + "\(w.intervalText.replacingOccurrences(of: ".", with: ",")) días)"
                }
                let pText = p[s][t] < 0.001 ? "p < 0,001" : "p = \(es(p[s][t], decimals: 3))"
                let more = "\(es((r - 1) * 100, decimals: r < 1.1 ? 1 : 0)) % más"
                sentences.append("el riesgo de otro \(space) \(time)\(nrc) es \(es(r, decimals: 2)) veces el esperado "
                                 + "(\(more), exceso \(Self.strengthSpanish(r)); \(pText); \(observed[s][t]) pares observados "
                                 + "frente a \(es(expected[s][t], decimals: 1)) esperados)")
            }
        }
        let method = "Prueba de Knox con \(events) incidentes y \(iterations) permutaciones de las fechas (semilla \(seed))"
            + (bands.metric == .manhattan ? ", distancia Manhattan" : "")
            + (bands.nrcCompatible ? ", con las bandas de la Near Repeat Calculator" : "")
        let rule = "significativa = más pares de los esperados con p < \(es(alpha, decimals: 2))"
        let belowText = "\(belowMin) \(belowMin == 1 ? "combinación significativa tiene" : "combinaciones significativas tienen") "
            + "una razón menor que el mínimo pedido de \(es(minRatio, decimals: 2)) y no se detalla\(belowMin == 1 ? "" : "n")"
        let openText = openBands == 0 ? "" : " \(openBands) \(openBands == 1 ? "combinación abierta («More than …») tiene" : "combinaciones abiertas («More than …») tienen") "
            + "más pares de los esperados con p < \(es(alpha, decimals: 2)); no se describen\(openBands == 1 ? "" : "n"): no son repetición cercana."
        guard !sentences.isEmpty else {
            if belowMin > 0 { return method + " (\(rule)): " + belowText + "." + openText }
            return method + ": no hay evidencia de repetición cercana (near repeat); ninguna combinación de distancia "
                + "y tiempo acotada tiene más pares de los esperados con p < \(es(alpha, decimals: 2))." + openText
        }
        var text = method + " (\(rule)). Tras un incidente, " + sentences[0]
        for s in sentences.dropFirst() { text += "; " + s }
        text += "."
        if belowMin > 0 { text += " Además, " + belowText + "." }
        text += " En las demás combinaciones acotadas no hay evidencia de repetición cercana." + openText
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

    /// Rows are distance intervals in metres, columns time intervals in days; cells "observed / expected = ratio
    /// (p …)". Under --nrc-compatible each interval is followed by the calculator's label, e.g. "[100, 200) m «101 to 200»".
    public var table: String {
        let r = self
        func label(_ i: KnoxInterval, _ unit: String) -> String { i.intervalText + unit + (i.nrcLabel.map { " «\($0)»" } ?? "") }
        var out = "distancia (\(r.bands.metric == .manhattan ? "Manhattan" : "euclidiana")) \\ días"
        for t in r.dayIntervals { out += "\t" + label(t, "") }
        out += "\n"
        for (s, row) in r.distanceIntervals.enumerated() {
            out += label(row, " m")
            for t in r.dayIntervals.indices {
                // No pair expected (an empty band): no ratio to show.
                let ratio = r.ratio[s][t].isNaN ? "—" : String(format: "%.2f", r.ratio[s][t])
                out += "\t\(r.observed[s][t]) / \(String(format: "%.1f", r.expected[s][t])) = \(ratio) (p \(String(format: "%.3f", r.p[s][t])))"
            }
            out += "\n"
        }
        return out
    }

    /// How many same-place same-day duplicates the data hold and what was done with them.
    public static func duplicatesText(_ d: Knox.Duplicates, countedOnce countDuplicatesOnce: Bool) -> String {
        guard d.groups > 0 else { return "Duplicados (mismo lugar exacto y mismo día): ninguno." }
        let what = "Duplicados (mismo lugar exacto y mismo día): \(d.extra) \(d.extra == 1 ? "incidente repite" : "incidentes repiten") "
            + "el lugar y el día de otro, en \(d.groups) \(d.groups == 1 ? "grupo" : "grupos"); forman \(d.pairs) "
            + "\(d.pairs == 1 ? "par" : "pares") a 0 m en el mismo día, que inflan la banda más cercana."
        return what + (countDuplicatesOnce ? " Se contó una vez cada grupo (--count-duplicates-once): \(d.extra) descartados."
                                           : " Para contarlos una vez, use --count-duplicates-once.")
    }
}

/// The JSON of `nearrepeat --json` and `nearrepeat -o X.json` (`schemas/nearrepeat.schema.json`): the Knox result's
/// keys in snake_case (`distance_intervals`, `nrc_label`, `lower_inclusive`…), a ratio with no expected pair as
/// null, and a `schema_version`.
public struct KnoxDocument: Encodable, Sendable {
    /// Raised when a key changes meaning or disappears.
    public static let schemaVersion = 1
    public let result: KnoxResult
    public init(result: KnoxResult) { self.result = result }
    private enum Keys: String, CodingKey { case schemaVersion }
    public func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)   // same top-level object: the result's keys beside schema_version
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(Self.schemaVersion, forKey: .schemaVersion)
    }
}
