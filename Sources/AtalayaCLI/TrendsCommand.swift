import ArgumentParser
import Engine
import Formats
import Foundation
import Localization
import Temporal

extension Period: ExpressibleByArgument {}

struct TrendsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trends",
        abstract: tr("Incidentes por unidad y periodo, con el cambio frente al periodo anterior y al mismo periodo del año anterior.", "Incidents per unit per period, with change against the previous period and the same period a year before."),
        discussion: tr("""
        Los periodos siguen el calendario (semanas ISO desde el lunes, meses, bloques de 28 días, trimestres, \
        años) dentro de la ventana de datos [--from, --to) (por defecto: del primer al último día de los \
        incidentes). Un periodo que no cabe entero en la ventana se marca parcial y nunca se compara: solo se \
        compara un periodo completo, y solo con otro completo. Cada cambio lleva el valor p bilateral de una \
        prueba exacta de los dos conteos (dada su suma, el conteo actual es binomial con la proporción de días \
        del periodo actual, 1/2 si duran lo mismo); la tabla lo marca * (p < 0,05) o ** (p < 0,01); el CSV y el \
        JSON (un objeto: schema_version, unit_layer, period, rows; schemas/trends.schema.json) dan \
        p_vs_previous / p_vs_last_year y significant_vs_previous / significant_vs_last_year (p < 0,05). Cada \
        unidad de la capa tiene una fila por periodo, con 0 si no hubo incidentes. Las unidades se hallan por \
        punto en polígono exacto sobre la capa elegida; los incidentes fuera de toda unidad se cuentan como \
        "sin asignar". Las filas llevan el código y el nombre oficial de la unidad; start y end van en ISO 8601 \
        con el desfase de Bogotá (-05:00). Con -o, la procedencia (entrada, conteos, filtros, ventana, capa, \
        versión) se escribe al lado como <salida>.provenance.json.
        """, """
        Periods are calendar-aligned (ISO weeks from Monday, months, 28-day blocks, quarters, years) over \
        the data window [--from, --to) (default: the incidents' own first to last day). A period not \
        fully inside the window is marked partial and never compared: only a full period is compared, \
        and only with a full period. Each change carries the two-sided p-value of an exact test of the \
        two counts (given their sum, the current count is binomial with the share of days of the \
        current period, 1/2 for equal lengths); the table marks it * (p < 0.05) or ** (p < 0.01), CSV \
        and JSON (an object: schema_version, unit_layer, period, rows; schemas/trends.schema.json) give p_vs_previous / p_vs_last_year and significant_vs_previous / \
        significant_vs_last_year (p < 0.05). Every unit of the layer has a row for every period, with 0 \
        when no incident fell in it. Units are found by exact point-in-polygon on the chosen layer; \
        incidents in none are counted under "sin asignar". Rows carry the unit's code and official name; \
        start and end are ISO 8601 with Bogotá's offset (-05:00). With -o, the provenance (input, \
        counts, filters, window, layer, version) is written beside the output as <output-stem>.provenance.json.
        """)
    )

    @OptionGroup var source: TimeInput
    @Option(help: ArgumentHelp(tr("Capa de unidades: localidades, upz, upl, policia_cuadrantes (o cualquier capa de polígonos; localidad, cuadrante y municipio también las nombran).", "Unit layer: localidades, upz, upl, policia_cuadrantes (or any polygon layer; localidad, cuadrante and municipio name theirs too)."), valueName: "layer"))
    var unit: String = "localidades"
    @Option(help: ArgumentHelp(tr("week (semana), month (mes), 28d, quarter (trimestre) o year (año).", "week, month, 28d, quarter or year."))) var period: Period = .month
    @Option(name: .shortAndLong, help: ArgumentHelp(tr("Escribe .csv o .json (por defecto: una tabla en stdout); la procedencia va al lado en <salida>.provenance.json.", "Write .csv or .json (default: a table on stdout); provenance beside it in <output-stem>.provenance.json."), valueName: "path")) var output: String?
    @Flag(help: ArgumentHelp(tr("Imprime JSON en stdout.", "Print JSON on stdout."))) var json = false
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func run() throws {
        Log.quiet = quiet
        let request = TrendsJob.Request(source: source.incidentSource, layers: source.geodata.layerSource, unit: unit, period: period,
                                        output: output)
        let document = try engine { try TrendsJob.run(request, log: Log.engine) }
        guard output == nil else { return }
        print(json ? try JSONStyle.text(document) : TrendsReport.table(document.rows))
    }
}
