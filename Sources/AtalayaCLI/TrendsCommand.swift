import ArgumentParser
import Export
import Foundation
import Localization
import Incidents
import Mapping
import SpatialCore
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
        let (catalog, points) = try source.load(output: output)
        let layer = try PolygonLayer.load(catalog.spec(named: unit), catalog: catalog, crs: source.geodata.workCRS)
        let hit = try LayerSet.shared.locator(for: layer).locate(x: points.x, y: points.y)
        let units = hit.map { $0 >= 0 ? layer.ids[Int($0)] : "sin asignar" }
        guard let window = PeriodCalendar.dataWindow(times: points.times, from: source.selection.filter.from,
                                                     to: source.selection.filter.to)
        else { throw ValidationError(tr("los incidentes no tienen fechas", "the incidents have no dates")) }
        let (from, to) = window
        let trendRows = Trends.table(units: units, times: points.times, period: period, dataFrom: from, dataTo: to,
                                     allUnits: layer.ids)
        var names: [String: String] = [:]
        for (id, name) in zip(layer.ids, layer.names) where names[id] == nil { names[id] = name }
        let rows = trendRows.map { NamedTrendRow(row: $0, unitName: names[$0.unit]) }
        let document = TrendsDocument(unitLayer: layer.spec.name, period: period.rawValue, rows: rows)
        if let output {
            try AtomicFile.write(Array((output.lowercased().hasSuffix(".json") ? try JSONStyle.text(document) : csv(rows)).utf8), to: output)
            let unassigned = hit.lazy.filter { $0 < 0 }.count
            try provenance(points: points, layer: layer, from: from, to: to, unassigned: unassigned, rows: rows.count)
                .writeSidecar(beside: output)
            Log.info("escrito \(output) y \(Provenance.sidecarPath(beside: output)): \(rows.count) filas")
        } else if json {
            print(try JSONStyle.text(document))
        } else {
            print(table(rows))
        }
    }

    private func provenance(points: AnalysisPoints, layer: PolygonLayer, from: Int64, to: Int64, unassigned: Int,
                            rows: Int) -> Provenance {
        let (input, counts) = points.provenanceInput()
        var p = Provenance(command: "trends", crs: source.geodata.workCRS, input: input, counts: counts,
                           layers: [Provenance.LayerUsed(layer)])
        var a: [String: String] = [
            "unit_layer": layer.spec.name, "period": period.rawValue,
            "data_from_inclusive": IncidentFilter.iso(from), "data_to_exclusive": IncidentFilter.iso(to),
            "data_window_source": source.selection.from != nil || source.selection.to != nil
                ? "--from/--to (missing ends: the incidents' own first or last day)" : "the incidents' own first to last day",
            "periods": "calendar-aligned: ISO weeks from Monday, months, 28-day blocks from Monday 1970-01-05, quarters, years",
            "partial": "a period not fully inside the data window; its count is a lower bound and it is never compared",
            "comparisons": "change = (count - reference) / reference against the previous period and the same period a year before, when both periods are complete",
            "significance": "two-sided exact conditional test: given n = count + reference, count ~ Binomial(n, days / (days + reference days)); p as R binom.test; significant when p < 0.05; table marks * p < 0.05, ** p < 0.01",
            "units": "every unit of the layer, with 0 where no incident fell; sin asignar when some incident is in no unit",
            "start_end": "ISO 8601 civil time of Bogotá (-05:00)",
            "incidents_used": String(points.count), "incidents_unassigned": String(unassigned), "rows": String(rows),
        ]
        a.merge(points.filter.analysisRecord) { $1 }
        p.analysis = a
        return p
    }

    private func pct(_ v: Double?) -> String {
        guard let v else { return "—" }
        return String(format: "%+.1f %%", v * 100).replacingOccurrences(of: ".", with: ",")
    }

    /// "**" for p < 0.01, "*" for p < 0.05, "" otherwise.
    static func mark(_ p: Double?) -> String {
        guard let p else { return "" }
        return p < 0.01 ? "**" : (p < 0.05 ? "*" : "")
    }

    private func csvNumber(_ v: Double?) -> String { v.map { String($0) } ?? "" }
    private func csvBool(_ p: Double?) -> String { p.map { String(NamedTrendRow.significant($0)) } ?? "" }

    func csv(_ rows: [NamedTrendRow]) -> String {
        var s = "unit,unit_name,period,start,end,count,partial,previous,change_vs_previous,p_vs_previous,significant_vs_previous,"
        s += "same_last_year,change_vs_last_year,p_vs_last_year,significant_vs_last_year\n"
        for named in rows {
            let r = named.row
            s += "\(ByteText.csvField(r.unit)),\(ByteText.csvField(named.unitName ?? "")),"
            s += "\(r.period),\(IncidentFilter.iso(r.start)),\(IncidentFilter.iso(r.end)),\(r.count),\(r.partial),"
            s += "\(r.previous.map(String.init) ?? ""),\(csvNumber(r.changeVsPrevious)),\(csvNumber(r.pVsPrevious)),\(csvBool(r.pVsPrevious)),"
            s += "\(r.sameLastYear.map(String.init) ?? ""),\(csvNumber(r.changeVsLastYear)),\(csvNumber(r.pVsLastYear)),\(csvBool(r.pVsLastYear))\n"
        }
        return s
    }

    func table(_ rows: [NamedTrendRow]) -> String {
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
struct TrendsDocument: Encodable {
    /// Raised when a key changes meaning or disappears.
    let schemaVersion = 1
    let unitLayer: String
    let period: String
    let rows: [NamedTrendRow]
}

/// A trends row with its unit's official name (as the layer spells it; nil for "sin asignar"), written with
/// snake_case keys, null for what is missing, start/end as ISO 8601 with Bogotá's offset.
struct NamedTrendRow: Encodable {
    let row: TrendRow
    let unitName: String?

    /// Significance level of the marks and of `significant_*`.
    static let alpha = 0.05
    static func significant(_ p: Double) -> Bool { p < alpha }

    private enum Keys: String, CodingKey {
        case unit, unit_name, period, start, end, count, partial, previous, change_vs_previous, p_vs_previous,
             significant_vs_previous, same_last_year, change_vs_last_year, p_vs_last_year, significant_vs_last_year
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        let r = row
        try c.encode(r.unit, forKey: .unit)
        try c.encode(unitName, forKey: .unit_name)
        try c.encode(r.period, forKey: .period)
        try c.encode(IncidentFilter.iso(r.start), forKey: .start)
        try c.encode(IncidentFilter.iso(r.end), forKey: .end)
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
