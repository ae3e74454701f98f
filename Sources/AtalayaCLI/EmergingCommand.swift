import Analysis
import ArgumentParser
import Export
import Foundation
import Mapping
import SpatialCore
import Temporal

struct EmergingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emerging",
        abstract: "Emerging hot spot analysis: Gi* per cell per time step, Mann–Kendall trend, 17 categories.",
        discussion: """
        Counts per grid cell per period form a space-time cube. Gi* (binary weights with self) uses the \
        cell's queen neighbours in the same and the previous --time-window steps; p-values are \
        Benjamini–Hochberg adjusted per time step. Each cell's Gi* z series gets a Mann–Kendall trend \
        (tie-corrected) and one of 17 categories: new, consecutive, intensifying, persistent, \
        diminishing, sporadic, oscillating, historical hot or cold spot, or no pattern. The rules: \
        significant = FDR p < 0.05; "90 %" = hot in at least 90 % of the steps; the final step decides \
        the family (see Sources/Temporal for the exact rules). Output: GeoJSON cells with the category, \
        the trend and the series of counts.
        """
    )

    @OptionGroup var source: TimeInput
    @Option(help: "week, month, 28d, quarter or year.") var period: Period = .week
    @Option(help: "Previous time steps included in each Gi* neighbourhood.") var timeWindow: Int = 1
    @Option(name: .shortAndLong, help: ArgumentHelp("Output GeoJSON.", valueName: "path")) var output: String
    @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false

    func run() throws {
        Log.quiet = quiet
        var clock = Stopwatch()
        let (catalog, points) = try source.load(output: output)
        let area = try StudyArea.parse(source.analysis.area == "points" ? nil : source.analysis.area, catalog: catalog, crs: source.geodata.workCRS)
        let cellChoice = source.analysis.cell == nil ? CellChoice.metres(250) : try source.analysis.cellChoice()
        let (cellSize, cellSource) = DensityJob.cellSize(cellChoice, extent: area.envelope)
        let grid = try AnalysisGrid.make(area: area, cellSize: cellSize, maxCells: source.analysis.maxCells)
        let known = points.times.filter { $0 != Int64.min }
        guard let first = known.min(), let last = known.max() else { throw ValidationError("the incidents have no dates") }
        let from = source.analysis.filter.from ?? first, to = source.analysis.filter.to ?? last + 1
        let steps = PeriodCalendar.periods(from: from, to: to, period)
        guard steps.count >= 3 else { throw ValidationError("emerging hot spots need at least 3 time steps; got \(steps.count)") }
        // Locations = cells in the study area.
        let g = grid.grid
        let cells = (0..<g.cellCount).filter { grid.mask[$0] }
        var location = [Int32](repeating: -1, count: g.cellCount)
        for (k, c) in cells.enumerated() { location[c] = Int32(k) }
        var counts = [[Double]](repeating: [Double](repeating: 0, count: cells.count), count: steps.count)
        for i in 0..<points.count where points.times[i] != Int64.min {
            guard let c = g.index(x: points.x[i], y: points.y[i]), location[c] >= 0 else { continue }
            let t = points.times[i]
            guard t >= steps[0].start, t < steps[steps.count - 1].end,
                  let s = steps.firstIndex(where: { t >= $0.start && t < $0.end }) else { continue }
            counts[s][Int(location[c])] += 1
        }
        let queen = SpatialNeighbours.gridQueen(columns: g.columns, rows: g.rows, mask: grid.mask)
        let neighbours = cells.map { c in queen[c].compactMap { location[Int($0)] >= 0 ? location[Int($0)] : nil } }
        let (z, p) = EmergingHotSpots.spaceTimeGiStar(counts: counts, neighbours: neighbours, timeWindow: timeWindow)
        let pFDR = p.map { MultipleTesting.benjaminiHochberg($0) }
        let classes = EmergingHotSpots.classifyCube(z: z, p: pFDR)
        Log.info("cubo: \(cells.count) celdas × \(steps.count) pasos (\(clock.lap()))")
        var squares: [Polygonal] = [], kept: [Int] = []
        for (k, c) in cells.enumerated() where counts.contains(where: { $0[k] > 0 }) {
            let x0 = g.originX + Double(c % g.columns) * g.cellSize, y0 = g.originY + Double(c / g.columns) * g.cellSize
            squares.append(Polygonal(parts: [Polygon(exterior: [Point(x: x0, y: y0), Point(x: x0 + g.cellSize, y: y0),
                Point(x: x0 + g.cellSize, y: y0 + g.cellSize), Point(x: x0, y: y0 + g.cellSize), Point(x: x0, y: y0)])]))
            kept.append(k)
        }
        let lonlat = try Polygonal.project(squares, from: grid.crs, to: WorkingCRS.geographic)
        let features = zip(lonlat, kept).map { shape, k in
            PolygonFeature(geometry: shape, properties: [
                ("cell", .int(cells[k])), ("category", .string(classes[k].category.rawValue)),
                ("trend_z", .number(classes[k].trend.z, decimals: 6)), ("trend_p", .number(classes[k].trend.p, decimals: 6)),
                ("final_gi_z", .number(z[steps.count - 1][k], decimals: 6)), ("final_gi_p_fdr", .number(pFDR[steps.count - 1][k], decimals: 6)),
                ("counts", .strings(counts.map { String(Int($0[k])) })),
            ])
        }
        let (input, pcounts) = points.provenanceInput()
        var prov = Provenance(command: "emerging", crs: grid.crs, input: input, counts: pcounts, layers: [])
        prov.grid = grid.record
        var a: [String: String] = ["period": period.rawValue, "steps": steps.map(\.label).joined(separator: ","),
                                   "time_window": String(timeWindow), "cell_source": cellSource,
                                   "significance": "Benjamini–Hochberg adjusted p < 0.05 per time step",
                                   "neighbours": "queen (8 cells) in the same and previous time_window steps, plus self"]
        for (k, v) in points.filter.record { a["filter_" + k] = v }
        prov.analysis = a
        try PolygonGeoJSON.write(features, provenance: prov, to: output)
        var tally: [String: Int] = [:]
        for f in features { if case let .string(c) = f.properties[1].1 { tally[c, default: 0] += 1 } }
        Log.info("escrito \(output): " + tally.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: " · "))
    }
}
