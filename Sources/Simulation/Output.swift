import Foundation
import SpatialCore

extension Simulator {
    /// The CSV header, Spanish column names as real exports have.
    public static let csvHeader = "id,fecha_hecho,delito,latitud,longitud,fuente"
    /// Value of the `fuente` column.
    public static let csvSource = "SINTETICO"
    /// The sidecar's statement that the data are synthetic.
    public static let syntheticNote = "Datos sintéticos generados por simulación a partir de conteos oficiales agregados por UPZ (SDSCJ): no son incidentes reales y no deben usarse como estadística ni atribuirse a personas o lugares concretos."

    /// CSV with Spanish column names as real exports have: id,fecha_hecho,delito,latitud,longitud,fuente
    /// (fecha_hecho "YYYY-MM-DD HH:MM:SS", lat/lon with 6 decimals, fuente = "SINTETICO"), UTF-8, ',' separator, LF.
    /// One row per incident, in `r.incidents` order; written atomically.
    public static func writeCSV(_ r: SimulationResult, to path: String) throws {
        var out: [UInt8] = []
        out.reserveCapacity(64 + r.incidents.count * 80)
        out.append(contentsOf: Array(csvHeader.utf8)); out.append(10)
        var cache: [String: [UInt8]] = [:]
        for e in r.incidents {
            out.append(contentsOf: Array(e.id.utf8)); out.append(44)
            CivilTime.appendTimestamp(e.time, to: &out); out.append(44)
            if let c = cache[e.category] { out.append(contentsOf: c) } else {
                let c = csvField(e.category); cache[e.category] = c; out.append(contentsOf: c)
            }
            out.append(44)
            appendFixed6(e.lat, to: &out); out.append(44)
            appendFixed6(e.lon, to: &out); out.append(44)
            out.append(contentsOf: [83, 73, 78, 84, 69, 84, 73, 67, 79])   // SINTETICO
            out.append(10)
        }
        do { try Data(out).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw SimulationError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// Sidecar JSON (path + ".json"): {"synthetic": true, "generator": "atalaya simulate", "seed", "run_id" (prefix of every id), "count", "from", "to", all parameters, "calibration": {"file", "years", "excluded"}, "note": a Spanish sentence saying the data are synthetic and not real incidents}
    ///
    /// "to" is the window's exclusive end (`to_exclusive` says so); `version` is written as `generator_version`.
    /// Returns nothing; the file is `csvPath + ".json"`, written atomically.
    public static func writeProvenance(_ r: SimulationResult, csvPath: String, version: String) throws {
        let p = r.parameters
        func s(_ v: String) -> String { jsonString(v) }
        func list(_ v: [String]) -> String { "[" + v.map(s).joined(separator: ", ") + "]" }
        let years = "[" + p.calibrationYears.map(String.init).joined(separator: ", ") + "]"
        let hours = "[" + hourWeights.map { "\($0)" }.joined(separator: ", ") + "]"
        var lines: [String] = []
        lines.append("\"synthetic\": true")
        lines.append("\"generator\": \"atalaya simulate\"")
        lines.append("\"generator_version\": \(s(version))")
        lines.append("\"seed\": \(p.seed)")
        lines.append("\"run_id\": \(s(p.runID))")
        lines.append("\"count\": \(r.incidents.count)")
        lines.append("\"from\": \(s(SimulationParameters.isoDay(p.startDay)))")
        lines.append("\"to\": \(s(SimulationParameters.isoDay(p.endDay)))")
        lines.append("\"to_exclusive\": true")
        lines.append("\"attractor_share\": \(p.attractorShare)")
        lines.append("\"attractor_sigma_metres\": \(p.attractorSigmaMetres)")
        lines.append("\"repeat_share\": \(p.repeatShare)")
        lines.append("\"repeat_sigma_metres\": \(p.repeatSigmaMetres)")
        lines.append("\"repeat_mean_days\": \(p.repeatMeanDays)")
        lines.append("\"calibration_years\": \(years)")
        lines.append("\"hour_weights\": \(hours)")
        lines.append("\"attractors\": \(list(r.attractorSources))")
        lines.append("\"repeats\": \(r.repeatCount)")
        lines.append("\"csv\": \(s((csvPath as NSString).lastPathComponent))")
        lines.append("\"columns\": \(list(csvHeader.split(separator: ",").map(String.init)))")
        lines.append("\"crs\": \"EPSG:4326\"")
        lines.append("\"calibration\": {\"file\": \(s(r.calibration.path)), \"years\": \(years), \"excluded\": \(list(r.calibration.excludedRows)), \"unmatched_upz\": \(list(r.unmatchedUPZ))}")
        lines.append("\"note\": \(s(syntheticNote))")
        let text = "{\n  " + lines.joined(separator: ",\n  ") + "\n}\n"
        let path = csvPath + ".json"
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw SimulationError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// A CSV field, quoted when it holds a separator, quote or line break.
    static func csvField(_ v: String) -> [UInt8] {
        let b = Array(v.utf8)
        guard b.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return b }
        var out: [UInt8] = [34]
        for c in b { if c == 34 { out.append(34) }; out.append(c) }
        out.append(34)
        return out
    }

    /// `v` with exactly 6 decimals (rounded half away from zero), no exponent.
    static func appendFixed6(_ v: Double, to out: inout [UInt8]) {
        var q = Int64((v * 1e6).rounded())
        if q < 0 { out.append(45); q = -q }
        CivilTime.appendPadded(Int(q / 1_000_000), width: 1, to: &out)
        out.append(46)
        CivilTime.appendPadded(Int(q % 1_000_000), width: 6, to: &out)
    }

    static func jsonString(_ v: String) -> String {
        var out = "\""
        for u in v.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
