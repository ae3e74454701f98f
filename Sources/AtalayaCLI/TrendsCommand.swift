import ArgumentParser
import Export
import Foundation
import Incidents
import Mapping
import SpatialCore
import Temporal

extension Period: ExpressibleByArgument {}

struct TrendsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trends",
        abstract: "Incidents per unit per period, with change against the previous period and the same period a year before.",
        discussion: """
        Periods are calendar-aligned (ISO weeks from Monday, months, 28-day blocks, quarters, years) over \
        the data window [--from, --to) (default: the incidents' own first to last day). A period not \
        fully inside the window is marked partial, and comparisons are only made with full periods. \
        Units are found by exact point-in-polygon on the chosen layer; incidents in none are counted \
        under "sin asignar". Rows carry the unit's code and official name. With -o, the provenance \
        (input, counts, filters, window, layer, version) is written beside the output as <output-stem>.provenance.json.
        """
    )

    @OptionGroup var source: TimeInput
    @Option(help: ArgumentHelp("Unit layer: localidades, upz, upl, policia_cuadrantes (or any polygon layer; localidad, cuadrante and municipio name theirs too).", valueName: "layer"))
    var unit: String = "localidades"
    @Option(help: "week, month, 28d, quarter or year.") var period: Period = .month
    @Option(name: .shortAndLong, help: ArgumentHelp("Write .csv or .json (default: a table on stdout); provenance beside it in <output-stem>.provenance.json.", valueName: "path")) var output: String?
    @Flag(help: "Print JSON on stdout.") var json = false
    @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false

    func run() throws {
        Log.quiet = quiet
        let (catalog, points) = try source.load(output: output)
        let layer = try PolygonLayer.load(catalog.spec(named: unit), catalog: catalog, crs: source.geodata.workCRS)
        let hit = try PolygonLocator(polygons: layer.polygons, ids: layer.ids).locate(x: points.x, y: points.y)
        let units = hit.map { $0 >= 0 ? layer.ids[Int($0)] : "sin asignar" }
        let known = points.times.filter { $0 != Int64.min }
        guard let first = known.min(), let last = known.max() else { throw ValidationError("the incidents have no dates") }
        let from = source.selection.filter.from ?? (first / 86_400) * 86_400
        let to = source.selection.filter.to ?? (last / 86_400 + 1) * 86_400
        let trendRows = Trends.table(units: units, times: points.times, period: period, dataFrom: from, dataTo: to)
        var names: [String: String] = [:]
        for (id, name) in zip(layer.ids, layer.names) where names[id] == nil { names[id] = name }
        let rows = trendRows.map { NamedTrendRow(row: $0, unitName: names[$0.unit]) }
        if let output {
            try AtomicFile.write(Array((output.lowercased().hasSuffix(".json") ? try jsonText(rows) : csv(rows)).utf8), to: output)
            let unassigned = hit.lazy.filter { $0 < 0 }.count
            try provenance(points: points, layer: layer, from: from, to: to, unassigned: unassigned, rows: rows.count)
                .writeSidecar(beside: output)
            Log.info("escrito \(output) y \(Provenance.sidecarPath(beside: output)): \(rows.count) filas")
        } else if json {
            print(try jsonText(rows))
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
            "comparisons": "change = (count - reference) / reference against the previous period and the same period a year before, when that period is complete",
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

    func csv(_ rows: [NamedTrendRow]) -> String {
        var s = "unit,unit_name,period,start,end,count,partial,previous,change_vs_previous,same_last_year,change_vs_last_year\n"
        for named in rows {
            let r = named.row
            s += "\(ByteText.csvField(r.unit)),\(ByteText.csvField(named.unitName ?? "")),"
            s += "\(r.period),\(r.start),\(r.end),\(r.count),\(r.partial),\(r.previous.map(String.init) ?? ""),"
            s += "\(r.changeVsPrevious.map { String($0) } ?? ""),\(r.sameLastYear.map(String.init) ?? ""),\(r.changeVsLastYear.map { String($0) } ?? "")\n"
        }
        return s
    }

    func table(_ rows: [NamedTrendRow]) -> String {
        var out = "unidad\tnombre\tperiodo\tincidentes\tparcial\tanterior\tcambio\taño anterior\tcambio anual\n"
        for named in rows {
            let r = named.row
            out += "\(r.unit)\t\(named.unitName ?? "")\t\(r.period)\t\(r.count)\t\(r.partial ? "sí" : "")\t\(r.previous.map(String.init) ?? "—")\t\(pct(r.changeVsPrevious))\t"
            out += "\(r.sameLastYear.map(String.init) ?? "—")\t\(pct(r.changeVsLastYear))\n"
        }
        return out
    }
}

/// A trends row with its unit's official name (as the layer spells it; nil for "sin asignar").
struct NamedTrendRow: Encodable {
    let row: TrendRow
    let unitName: String?

    private enum Keys: String, CodingKey { case unitName }

    /// The row's own keys plus `unitName`, in one JSON object.
    func encode(to encoder: Encoder) throws {
        try row.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encodeIfPresent(unitName, forKey: .unitName)
    }
}
