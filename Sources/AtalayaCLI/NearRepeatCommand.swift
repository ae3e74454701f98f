import ArgumentParser
import Formats
import Foundation
import Localization
import Incidents
import Engine
import Temporal

extension KnoxMetric: ExpressibleByArgument {}

struct NearRepeatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nearrepeat",
        abstract: tr("Prueba de Knox de victimización repetida cercana en bandas de espacio × tiempo, con Monte Carlo con semilla.", "Knox test for near-repeat victimisation over space × time bands, with seeded Monte Carlo."),
        discussion: tr("""
        Cuenta los pares de incidentes por banda de distancia × banda de tiempo (intervalos semiabiertos [a, b) \
        en metros y días; --metric euclidean o manhattan, |dx| + |dy|), los compara con --iterations \
        permutaciones de las fechas (con semilla) e informa las razones de Knox (observados / media permutada) \
        y p = (permutaciones ≥ observado + 1)/(iteraciones + 1), con un resumen en lenguaje sencillo: toda \
        banda con más pares de los esperados y p < 0,05 es significativa y se describe con su intensidad (muy \
        leve por debajo de una razón de 1,1, leve por debajo de 1,25, moderado por debajo de 2, fuerte desde \
        2); --min-ratio solo oculta las más débiles de las frases (se siguen contando, igual que las bandas \
        abiertas "More than", que no son repeticiones cercanas).

        Los incidentes en el mismo lugar exacto el mismo día (un registro por víctima, una exportación \
        duplicada) caen todos en la banda más cercana; la salida dice cuántos hay, y --count-duplicates-once \
        conserva el primero de cada grupo.

        --nrc-compatible tabula las bandas del Near Repeat Calculator para comparar su informe línea por línea. \
        La calculadora rotula una banda "a to b" pero cuenta [a − 1, b), salvo "Same location", que es \
        distancia exactamente 0, y "1 to w", que es (0, w): un par a 0,56 m se cuenta en "1 to w". Sus filas \
        "Same location", "1 to 100", "101 to 200", …, "More than 300" son [0, 0], (0, 100), [100, 200), …, \
        [300, ∞) m y sus columnas "0 to 7", "8 to 14", …, "More than 28" son [0, 7), [7, 14), …, [28, ∞) \
        días. Con --distances 0,100,200,300 y --days 0,7,14,21,28 este comando imprime exactamente esas filas \
        y columnas: las bandas del usuario (ambas listas deben empezar en 0), una fila de mismo lugar separada \
        de la primera banda de distancia, y la fila y la columna abiertas "More than", que toman todos los \
        demás pares. Cada fila y columna muestra su intervalo y la etiqueta de la calculadora. La calculadora \
        calcula distancias en precisión simple (un par a 399,961 m puede volverse 400,000 y subir de banda); no \
        se intenta la paridad exacta en float32: aquí las distancias son de doble precisión, así que un par a \
        centímetros de un límite puede quedar en otra banda.
        """, """
        Counts pairs of incidents per distance band × time band (half-open intervals [a, b) in metres \
        and days; --metric euclidean or manhattan, |dx| + |dy|), compares them with --iterations \
        permutations of the dates (seeded), and reports Knox ratios (observed / mean permuted) and \
        p = (permutations ≥ observed + 1)/(iterations + 1), plus a plain-language Spanish summary: every \
        band with more pairs than expected and p < 0.05 is significant and is described with its \
        strength (muy leve below a ratio of 1.1, leve below 1.25, moderado below 2, fuerte from 2); \
        --min-ratio only hides the weaker ones from the sentences (they are still counted, as are the \
        open "More than" bands, which are not near repeats).

        Incidents at the exact same place on the same day (a record per victim, a doubled export) all \
        fall in the nearest band; the output says how many there are, and --count-duplicates-once keeps \
        the first of each such group.

        --nrc-compatible tabulates the Near Repeat Calculator's bands so that its report can be compared \
        line by line. The calculator labels a band "a to b" but counts [a − 1, b), except "Same \
        location", which is distance exactly 0, and "1 to w", which is (0, w): a pair 0.56 m apart is \
        counted under "1 to w". Its rows "Same location", "1 to 100", "101 to 200", …, "More than 300" \
        hold [0, 0], (0, 100), [100, 200), …, [300, ∞) m and its columns "0 to 7", "8 to 14", …, \
        "More than 28" hold [0, 7), [7, 14), …, [28, ∞) days. With --distances 0,100,200,300 and --days \
        0,7,14,21,28 this command prints exactly those rows and columns: the user's bands (both lists \
        must start at 0), a same-location row split off the first distance band, and the open "More \
        than" row and column, which take every other pair. Each row and column shows its interval and \
        the calculator's label. The calculator computes distances in single precision (a 399.961 m pair \
        can become 400.000 and move up a band); exact float32 parity is not attempted: distances here \
        are double precision, so a pair within centimetres of an edge may be one band apart.
        """)
    )

    @OptionGroup var source: TimeInput
    @Option(help: ArgumentHelp(tr("Límites de las bandas de distancia en metros.", "Distance band edges in metres."), valueName: "m,m,…")) var distances: String = "0,100,200,300,400,500"
    @Option(help: ArgumentHelp(tr("Límites de las bandas de tiempo en días.", "Time band edges in days."), valueName: "d,d,…")) var days: String = "0,7,14,21,28"
    @Option(help: ArgumentHelp(tr("Permutaciones de Monte Carlo.", "Monte Carlo permutations."))) var iterations: Int = 999
    @Option(help: ArgumentHelp(tr("Semilla aleatoria.", "Random seed."))) var seed: UInt64 = 2026
    @Flag(help: ArgumentHelp(tr("Tabula las bandas del Near Repeat Calculator (mismo lugar, fila y columna abiertas \"More than\").", "Tabulate the Near Repeat Calculator's bands (same location, open \"More than\" row and column)."))) var nrcCompatible = false
    @Option(help: ArgumentHelp(tr("Distancia entre incidentes.", "Distance between incidents."))) var metric: KnoxMetric = .euclidean
    @Option(help: ArgumentHelp(tr("Menor razón de Knox que el resumen describe; las bandas significativas por debajo solo se cuentan.", "Smallest Knox ratio described in the summary; significant bands below it are only counted."))) var minRatio: Double = 1
    @Flag(help: ArgumentHelp(tr("Cuenta una sola vez los incidentes en el mismo lugar exacto el mismo día (conserva el primero de cada grupo).", "Count incidents at the same exact place on the same day once (keep the first of each group)."))) var countDuplicatesOnce = false
    @Option(name: .shortAndLong, help: ArgumentHelp(tr("Escribe el resultado en JSON (la procedencia al lado, en <salida>.provenance.json).", "Write the result as JSON (provenance beside it in <output-stem>.provenance.json)."), valueName: "path")) var output: String?
    @Flag(help: ArgumentHelp(tr("Imprime el resultado en JSON en stdout en vez de la tabla y el resumen.", "Print the result as JSON on stdout instead of the table and summary."))) var json = false
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func edges(_ text: String, _ name: String) throws -> [Double] {
        let v = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count >= 2, v.count == text.split(separator: ",").count, zip(v, v.dropFirst()).allSatisfy({ $0 < $1 }), v[0] >= 0 else {
            throw ValidationError(tr("--\(name) necesita al menos dos números crecientes y no negativos, p. ej. 0,100,200", "--\(name) needs at least two increasing, non-negative numbers, e.g. 0,100,200"))
        }
        return v
    }

    func knoxBands() throws -> KnoxBands {
        let b = KnoxBands(distances: try edges(distances, "distances"), days: try edges(days, "days"),
                          nrcCompatible: nrcCompatible, metric: metric)
        if b.nrcCompatible && (b.distances[0] != 0 || b.days[0] != 0) {
            throw ValidationError(tr("--nrc-compatible necesita --distances y --days que empiecen en 0, p. ej. 0,100,200 y 0,7,14", "--nrc-compatible needs --distances and --days starting at 0, e.g. 0,100,200 and 0,7,14"))
        }
        return b
    }

    func validate() throws {
        _ = try knoxBands()
        guard iterations >= 9 && iterations <= 99_999 else { throw ValidationError(tr("--iterations debe estar entre 9 y 99999", "--iterations must be between 9 and 99999")) }
        guard minRatio.isFinite && minRatio >= 1 else { throw ValidationError(tr("--min-ratio debe ser un número ≥ 1", "--min-ratio must be a number ≥ 1")) }
    }

    func run() throws {
        Log.quiet = quiet
        let (_, points) = try source.load(output: output)
        let dated = points.times.indices.filter { points.times[$0] != Int64.min }
        guard dated.count >= 2 else { throw ValidationError(tr("la prueba de Knox necesita al menos dos incidentes con fecha", "the Knox test needs at least two dated incidents")) }
        let bands = try knoxBands()
        let day = { (k: Int) in Double(points.times[k]) / 86_400 }
        let duplicates = Knox.samePlaceSameDay(x: dated.map { points.x[$0] }, y: dated.map { points.y[$0] }, days: dated.map(day))
        let keep = countDuplicatesOnce ? duplicates.firstOfEach.map { dated[$0] } : dated
        guard keep.count >= 2 else { throw ValidationError(tr("la prueba de Knox necesita al menos dos incidentes con fecha", "the Knox test needs at least two dated incidents")) }
        var clock = Stopwatch()
        let r = Knox.test(x: keep.map { points.x[$0] }, y: keep.map { points.y[$0] }, days: keep.map(day),
                          bands: bands, iterations: iterations, seed: seed)
        Log.info("Knox: \(keep.count) incidentes, \(iterations) permutaciones (\(clock.lap()))")
        let document = KnoxDocument(result: r)
        if json {
            print(try JSONStyle.text(document))
        } else {
            print(table(r).replacingOccurrences(of: ".", with: ","), terminator: "")
            print("\n" + r.summarySpanish(minRatio: minRatio))
            print("\n" + duplicatesText(duplicates))
        }
        if let output {
            try AtomicFile.write(Array(try JSONStyle.text(document).utf8), to: output)
            try provenance(points: points, bands: bands, dated: dated.count, used: keep.count, duplicates: duplicates)
                .writeSidecar(beside: output)
            Log.info("escrito \(output) y \(Provenance.sidecarPath(beside: output))")
        }
    }

    /// How many same-place same-day duplicates the data hold and what was done with them.
    func duplicatesText(_ d: Knox.Duplicates) -> String {
        guard d.groups > 0 else { return "Duplicados (mismo lugar exacto y mismo día): ninguno." }
        let what = "Duplicados (mismo lugar exacto y mismo día): \(d.extra) \(d.extra == 1 ? "incidente repite" : "incidentes repiten") "
            + "el lugar y el día de otro, en \(d.groups) \(d.groups == 1 ? "grupo" : "grupos"); forman \(d.pairs) "
            + "\(d.pairs == 1 ? "par" : "pares") a 0 m en el mismo día, que inflan la banda más cercana."
        return what + (countDuplicatesOnce ? " Se contó una vez cada grupo (--count-duplicates-once): \(d.extra) descartados."
                                           : " Para contarlos una vez, use --count-duplicates-once.")
    }

    private func provenance(points: AnalysisPoints, bands: KnoxBands, dated: Int, used: Int, duplicates: Knox.Duplicates) -> Provenance {
        let (input, counts) = points.provenanceInput()
        var p = Provenance(command: "nearrepeat", crs: source.geodata.workCRS, input: input, counts: counts, layers: [])
        var a: [String: String] = [
            "test": "Knox: pairs of incidents counted per distance band × time band, against Monte Carlo permutations of the times",
            "distances_m": bands.distances.map { String(format: "%g", $0) }.joined(separator: ","),
            "days": bands.days.map { String(format: "%g", $0) }.joined(separator: ","),
            "intervals": bands.nrcCompatible ? "Near Repeat Calculator convention (--nrc-compatible)" : "half-open [a, b)",
            "metric": bands.metric.rawValue, "iterations": String(iterations), "seed": String(seed),
            "incidents_used": String(used), "incidents_without_date": String(points.count - dated),
            "same_place_same_day_groups": String(duplicates.groups), "same_place_same_day_extra": String(duplicates.extra),
            "same_place_same_day_pairs": String(duplicates.pairs),
            "duplicates": countDuplicatesOnce ? "counted once (--count-duplicates-once): the first of each same-place same-day group kept"
                                              : "kept (every incident counted)",
            "summary_rule": "significant: ratio > 1 and p < 0.05; described when ratio >= min_ratio and the band is bounded; strength muy leve < 1.1 <= leve < 1.25 <= moderado < 2 <= fuerte",
            "min_ratio": String(minRatio),
        ]
        a.merge(points.filter.analysisRecord) { $1 }
        p.analysis = a
        return p
    }

    /// Rows are distance intervals in metres, columns time intervals in days; cells "observed / expected = ratio
    /// (p …)". Under --nrc-compatible each interval is followed by the calculator's label, e.g. "[100, 200) m «101 to 200»".
    func table(_ r: KnoxResult) -> String {
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
}

/// The JSON of `nearrepeat --json` and `nearrepeat -o X.json` (`schemas/nearrepeat.schema.json`): the Knox result's
/// keys in snake_case (`distance_intervals`, `nrc_label`, `lower_inclusive`…), a ratio with no expected pair as
/// null, and a `schema_version`.
struct KnoxDocument: Encodable {
    /// Raised when a key changes meaning or disappears.
    static let schemaVersion = 1
    let result: KnoxResult
    private enum Keys: String, CodingKey { case schemaVersion }
    func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)   // same top-level object: the result's keys beside schema_version
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(Self.schemaVersion, forKey: .schemaVersion)
    }
}
