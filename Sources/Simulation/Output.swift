import Foundation
import Incidents
import SpatialCore
import Primitives

extension Simulator {
    /// The CSV header, Spanish column names as real exports have.
    public static let csvHeader = "id,fecha_hecho,delito,latitud,longitud,fuente"
    /// Value of the `fuente` column.
    public static let csvSource = "SINTETICO"
    /// The sidecar's statement that the data are synthetic.
    public static let syntheticNote = "Datos sintéticos generados por simulación a partir de conteos oficiales agregados por UPZ (SDSCJ): no son incidentes reales y no deben usarse como estadística ni atribuirse a personas o lugares concretos."

    /// CSV with Spanish column names as real exports have: id,fecha_hecho,delito,latitud,longitud,fuente
    /// (fecha_hecho "YYYY-MM-DD HH:MM:SS", lat/lon with 6 decimals, fuente = "SINTETICO"), UTF-8, ',' separator, LF.
    /// One row per incident, in `r.incidents` order; written atomically (`AtomicFile`).
    /// - Throws: `OutputFileError.cannotWrite` (the previous file, if any, is left whole).
    public static func writeCSV(_ r: SimulationResult, to path: String) throws {
        var out: [UInt8] = []
        out.reserveCapacity(64 + r.incidents.count * 80)
        out.append(contentsOf: Array(csvHeader.utf8)); out.append(10)
        var cache: [String: [UInt8]] = [:]
        for e in r.incidents {
            out.append(contentsOf: Array(e.id.utf8)); out.append(44)
            CivilTime.appendTimestamp(e.time, to: &out); out.append(44)
            if let c = cache[e.category] { out.append(contentsOf: c) } else {
                var c: [UInt8] = []; TextEscaping.appendCSVField(e.category, into: &c); cache[e.category] = c; out.append(contentsOf: c)
            }
            out.append(44)
            appendFixed6(e.lat, to: &out); out.append(44)
            appendFixed6(e.lon, to: &out); out.append(44)
            out.append(contentsOf: [83, 73, 78, 84, 69, 84, 73, 67, 79])   // SINTETICO
            out.append(10)
        }
        try AtomicFile.write(out, to: path)
    }

    /// Version of the sidecar's layout (`schemas/simulate.provenance.schema.json`); raised when a key
    /// changes meaning or disappears. 1: the first versioned layout (before it, the sidecar was `x.csv.json`
    /// and its attractors were sentences).
    public static let provenanceSchemaVersion = 1

    /// Where the sidecar of `csvPath` goes: `Sidecar.path(beside:)`, the rule of every provenance
    /// sidecar (`x.csv` → `x.provenance.json`).
    public static func provenancePath(csvPath: String) -> String { Sidecar.path(beside: csvPath) }

    /// The sidecar: every parameter of the run, so the same file can be made again, and the statement
    /// that the data are synthetic. snake_case keys, numbers as numbers, no wall-clock time (the same
    /// arguments give the same bytes). "to" is the window's exclusive end (`to_exclusive` says so).
    struct ProvenanceDocument: Encodable {
        struct Calibration: Encodable {
            let file: String
            let years: [Int]
            let excluded: [String]
            let unmatchedUpz: [String]
        }
        let schemaVersion: Int
        let synthetic: Bool
        let generator: String
        let generatorVersion: String
        let seed: UInt64
        let runId: String
        let count: Int
        let from: String
        let to: String
        let toExclusive: Bool
        let attractorShare: Double
        let attractorSigmaMetres: Double
        let repeatShare: Double
        let repeatSigmaMetres: Double
        let repeatMeanDays: Double
        let calibrationYears: [Int]
        let hourWeights: [Double]
        let attractors: [AttractorSource]
        let repeats: Int
        let csv: String
        let columns: [String]
        let crs: String
        let calibration: Calibration
        let note: String
    }

    /// Writes the sidecar of `csvPath` (`provenancePath(csvPath:)`) atomically; `version` is written as
    /// `generator_version`.
    /// - Throws: `OutputFileError.cannotWrite` (the previous file, if any, is left whole).
    public static func writeProvenance(_ r: SimulationResult, csvPath: String, version: String) throws {
        let p = r.parameters
        let doc = ProvenanceDocument(
            schemaVersion: provenanceSchemaVersion, synthetic: true, generator: "atalaya simulate", generatorVersion: version,
            seed: p.seed, runId: p.runID, count: r.incidents.count,
            from: SimulationParameters.isoDay(p.startDay), to: SimulationParameters.isoDay(p.endDay), toExclusive: true,
            attractorShare: p.attractorShare, attractorSigmaMetres: p.attractorSigmaMetres,
            repeatShare: p.repeatShare, repeatSigmaMetres: p.repeatSigmaMetres, repeatMeanDays: p.repeatMeanDays,
            calibrationYears: p.calibrationYears, hourWeights: hourWeights, attractors: r.attractorSources,
            repeats: r.repeatCount, csv: (csvPath as NSString).lastPathComponent,
            columns: csvHeader.split(separator: ",").map(String.init), crs: "EPSG:4326",
            calibration: .init(file: r.calibration.path, years: p.calibrationYears,
                               excluded: r.calibration.excludedRows, unmatchedUpz: r.unmatchedUPZ),
            note: syntheticNote)
        // The settings of Export's `JSONStyle` (Simulation does not depend on Export).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var bytes = try encoder.encode(doc)
        bytes.append(10)
        try AtomicFile.write(bytes, to: provenancePath(csvPath: csvPath))
    }

    /// `v` with exactly 6 decimals (rounded half away from zero), no exponent.
    static func appendFixed6(_ v: Double, to out: inout [UInt8]) {
        var q = Int64((v * 1e6).rounded())
        if q < 0 { out.append(45); q = -q }
        CivilTime.appendPadded(Int(q / 1_000_000), width: 1, to: &out)
        out.append(46)
        CivilTime.appendPadded(Int(q % 1_000_000), width: 6, to: &out)
    }
}
