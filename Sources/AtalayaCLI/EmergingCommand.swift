import ArgumentParser
import Engine
import Foundation
import Localization
import Temporal

struct EmergingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emerging",
        abstract: tr("Análisis de puntos calientes emergentes: Gi* por celda y paso de tiempo, tendencia de Mann–Kendall, 17 categorías.", "Emerging hot spot analysis: Gi* per cell per time step, Mann–Kendall trend, 17 categories."),
        discussion: tr("""
        Los conteos por celda y periodo forman un cubo espacio-tiempo. Los pasos son los periodos completos de \
        la ventana de datos [--from, --to) (por defecto: del primer al último día de los incidentes): un \
        periodo que la ventana corta (una última semana de 3 días) se descarta junto con sus incidentes; stderr \
        y la procedencia lo nombran ("trimmed_partial_steps"), así que el último paso siempre es un periodo \
        entero. Gi* (pesos binarios con la propia celda) usa los vecinos reina de la celda en el mismo paso y \
        en los --time-window pasos anteriores; los primeros --time-window pasos no tienen pasos previos que \
        completen ese vecindario y sus z serían cerca de un 30 % menores: solo sirven de pasado de los \
        siguientes (gi_z y gi_p_fdr son null allí) y las pruebas, la tendencia y las categorías usan los pasos \
        comparables. Meses, trimestres y años duran distinto, así que Gi* lee sus conteos escalados a la \
        duración media (conteo × días medios / días; febrero no es una caída). Los valores p se ajustan por \
        Benjamini–Hochberg en cada paso. La serie de z de cada celda recibe una tendencia de Mann–Kendall \
        (corregida por empates) y una de 17 categorías: punto caliente o frío nuevo, consecutivo, en \
        intensificación, persistente, en disminución, esporádico, oscilante, histórico, o sin patrón. Reglas: \
        significativo = p FDR < 0,05; "90 %" = caliente en al menos el 90 % de los pasos comparables; el último \
        paso decide la familia (reglas exactas en Sources/Temporal). --cells all (por defecto) pone en el cubo \
        toda celda del área de estudio, las vacías como ceros; --cells with-data conserva solo las celdas con \
        algún incidente, como ArcGIS con un cubo de puntos sin máscara (difieren en la media y la varianza de \
        Gi* y en qué celdas son vecinas). Salida: las celdas con al menos un incidente, cada una con su \
        categoría (en español; category_en: el nombre en inglés de ArcGIS), la tendencia de Mann–Kendall de su \
        serie de z (trend_z, trend_p), el número de pasos calientes y fríos, y su serie por paso: counts, gi_z \
        y gi_p_fdr (las etiquetas de los pasos están en "steps" de la procedencia).
        """, """
        Counts per grid cell per period form a space-time cube. Steps are the full periods of the data \
        window [--from, --to) (default: the incidents' first to last day): a period the window cuts (a \
        3-day final week) is trimmed and its incidents left out; stderr and the provenance name it \
        ("trimmed_partial_steps"), so the final step is always a whole period. Gi* (binary weights with \
        self) uses the cell's queen neighbours in the same and the previous --time-window steps; the \
        first --time-window steps have no previous steps to fill that neighbourhood, so their z-scores \
        would be about 30 % smaller: they only serve as the past of the next steps (gi_z and gi_p_fdr \
        are null there) and the tests, trend and categories use the later, comparable steps. Months, \
        quarters and years differ in length, so Gi* reads their counts scaled to the mean step length \
        (count × mean days / days; February is not a fall). p-values \
        are Benjamini–Hochberg adjusted per time step. Each cell's Gi* z series gets a Mann–Kendall \
        trend (tie-corrected) and one of 17 categories: new, consecutive, intensifying, persistent, \
        diminishing, sporadic, oscillating, historical hot or cold spot, or no pattern. The rules: \
        significant = FDR p < 0.05; "90 %" = hot in at least 90 % of the comparable steps; the final \
        step decides the family (see Sources/Temporal for the exact rules). --cells all (default) puts \
        every study-area cell in the cube, empty ones as zeros; --cells with-data keeps only cells with \
        an incident, as ArcGIS does for a cube built from points without a mask (the two differ in the \
        mean and variance of Gi* and in which cells are neighbours). Output: the cells with at least one \
        incident, each with its category (Spanish; category_en: ArcGIS's English name), the \
        Mann–Kendall trend of its z series (trend_z, trend_p), the numbers of hot and cold steps, and \
        its series per step: counts, gi_z and gi_p_fdr (the step labels are in the provenance's "steps").
        """)
    )

    @OptionGroup var source: TimeInput
    @Option(help: ArgumentHelp(tr("Área de estudio: por defecto las localidades sin Sumapaz (20); 'all'; CAPA:CÓDIGO,CÓDIGO (p. ej. upl:UPL01,UPL02).", "Study area: default localidades without Sumapaz (20); 'all'; LAYER:CODE,CODE (e.g. upl:UPL01,UPL02)."), valueName: "spec"))
    var area: String?
    @Option(help: ArgumentHelp(tr("Tamaño de celda en metros, o una regla: arcgis (min(an,al)/250), sfhotspot (min(an,al)/50 hacia abajo a 100 m).", "Cell size in metres, or a rule: arcgis (min(w,h)/250), sfhotspot (min(w,h)/50 down to 100 m)."), valueName: "metres|rule"))
    var cell: String = "250"
    @Option(help: ArgumentHelp(tr("Rechazar mallas con más celdas que esto.", "Refuse grids with more cells than this."))) var maxCells: Int = 20_000_000
    @Option(help: ArgumentHelp(tr("week (semana), month (mes), 28d, quarter (trimestre) o year (año).", "week, month, 28d, quarter or year."))) var period: Period = .week
    @Option(help: ArgumentHelp(tr("Pasos de tiempo anteriores incluidos en cada vecindario de Gi* (los primeros solo lo completan).", "Previous time steps included in each Gi* neighbourhood (the first ones only fill it)."))) var timeWindow: Int = 1
    @Option(help: ArgumentHelp(tr("Ubicaciones del cubo: all (toda celda del área de estudio) o with-data (celdas con algún incidente, como ArcGIS).", "Cube locations: all (every study-area cell) or with-data (cells with an incident, as ArcGIS)."), valueName: "all|with-data"))
    var cells: EmergingJob.Cells = .all
    @Option(name: .shortAndLong, help: ArgumentHelp(tr("Salida: .geojson (EPSG:4326) o .gpkg (GeoPackage, CRS de trabajo).", "Output: .geojson (EPSG:4326) or .gpkg (GeoPackage, working CRS)."), valueName: "path")) var output: String
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func validate() throws {
        _ = try AnalysisOptions.cellChoice(cell)
        if maxCells <= 0 { throw ValidationError(tr("--max-cells debe ser positivo", "--max-cells must be positive")) }
        if timeWindow < 0 { throw ValidationError(tr("--time-window debe ser ≥ 0", "--time-window must be ≥ 0")) }
    }

    func run() throws {
        Log.quiet = quiet
        let request = EmergingJob.Request(source: source.incidentSource, layers: source.geodata.layerSource, area: area,
                                          cell: try AnalysisOptions.cellChoice(cell), maxCells: maxCells, period: period,
                                          timeWindow: timeWindow, cells: cells, output: output)
        _ = try engine { try EmergingJob.run(request, log: Log.engine) }
    }
}

extension EmergingJob.Cells: ExpressibleByArgument {}
