import ArgumentParser
import Engine
import Formats
import Foundation
import Localization
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
        let request = NearRepeatJob.Request(source: source.incidentSource, layers: source.geodata.layerSource, bands: try knoxBands(),
                                            iterations: iterations, seed: seed, minRatio: minRatio,
                                            countDuplicatesOnce: countDuplicatesOnce, output: output)
        let outcome = try engine { try NearRepeatJob.run(request, log: Log.engine) }
        print(json ? try JSONStyle.text(KnoxDocument(result: outcome.result)) : outcome.text)
    }
}
