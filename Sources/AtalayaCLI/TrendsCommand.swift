import ArgumentParser
import Foundation
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
        Units are found by exact point-in-polygon on the chosen layer.
        """
    )

    @OptionGroup var source: TimeInput
    @Option(help: ArgumentHelp("Unit layer: localidades, upz, upl, policia_cuadrantes (or any polygon layer).", valueName: "layer"))
    var unit: String = "localidades"
    @Option(help: "week, month, 28d, quarter or year.") var period: Period = .month
    @Option(name: .shortAndLong, help: ArgumentHelp("Write .csv or .json (default: a table on stdout).", valueName: "path")) var output: String?
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
        let rows = Trends.table(units: units, times: points.times, period: period, dataFrom: from, dataTo: to)
        if let output {
            if output.lowercased().hasSuffix(".json") { try jsonText(rows).write(toFile: output, atomically: true, encoding: .utf8) }
            else { try csv(rows).write(toFile: output, atomically: true, encoding: .utf8) }
            Log.info("escrito \(output): \(rows.count) filas")
        } else if json {
            print(try jsonText(rows))
        } else {
            print(table(rows))
        }
    }

    private func pct(_ v: Double?) -> String {
        guard let v else { return "—" }
        return String(format: "%+.1f %%", v * 100).replacingOccurrences(of: ".", with: ",")
    }

    func csv(_ rows: [TrendRow]) -> String {
        var s = "unit,period,start,end,count,partial,previous,change_vs_previous,same_last_year,change_vs_last_year\n"
        for r in rows {
            s += "\(r.unit),\(r.period),\(r.start),\(r.end),\(r.count),\(r.partial),\(r.previous.map(String.init) ?? ""),"
            s += "\(r.changeVsPrevious.map { String($0) } ?? ""),\(r.sameLastYear.map(String.init) ?? ""),\(r.changeVsLastYear.map { String($0) } ?? "")\n"
        }
        return s
    }

    func table(_ rows: [TrendRow]) -> String {
        var out = "unidad\tperiodo\tincidentes\tparcial\tanterior\tcambio\taño anterior\tcambio anual\n"
        for r in rows {
            out += "\(r.unit)\t\(r.period)\t\(r.count)\t\(r.partial ? "sí" : "")\t\(r.previous.map(String.init) ?? "—")\t\(pct(r.changeVsPrevious))\t"
            out += "\(r.sameLastYear.map(String.init) ?? "—")\t\(pct(r.changeVsLastYear))\n"
        }
        return out
    }
}
