import Analysis
import Formats
import Foundation
import Incidents
import Localization
import Primitives
import SpatialCore
import Temporal

extension IncidentSource {
    /// The incidents of a time command (trends, emerging, nearrepeat), after checking that no output
    /// overwrites an input.
    func loadForTime(output: String?, layers: LayerSource, log: EngineLog) throws -> (LayerCatalog, AnalysisPoints) {
        let catalog = try layers.catalog()
        let rejects = rejectsPath(output: output)
        try OutputPaths.checkDistinct(inputs: [input, store], outputs: [output, output.map(Provenance.sidecarPath), rejects])
        return (catalog, try loadPoints(catalog: catalog, crs: layers.workCRS, rejects: rejects, log: log))
    }
}

/// `atalaya trends`: counts per unit per calendar period, with exact tests of each change.
public enum TrendsJob {
    public struct Request: Sendable {
        public var source: IncidentSource
        public var layers: LayerSource
        /// A polygon layer name (or a layer's column name: `localidad`, `cuadrante`…).
        public var unit: String
        public var period: Period
        /// .csv or .json written with the provenance beside it; nil: the caller prints the document.
        public var output: String?

        public init(source: IncidentSource, layers: LayerSource = LayerSource(), unit: String = "localidades", period: Period = .month,
                    output: String? = nil) {
            self.source = source; self.layers = layers; self.unit = unit; self.period = period; self.output = output
        }
    }

    public static func run(_ request: Request, log: EngineLog = .silent) throws -> TrendsDocument {
        let source = request.source, crs = request.layers.workCRS, period = request.period
        let (catalog, points) = try source.loadForTime(output: request.output, layers: request.layers, log: log)
        let layer = try PolygonLayer.load(catalog.spec(named: request.unit), catalog: catalog, crs: crs)
        let hit = try LayerSet.shared.locator(for: layer).locate(x: points.x, y: points.y)
        let units = hit.map { $0 >= 0 ? layer.ids[Int($0)] : "sin asignar" }
        guard let window = PeriodCalendar.dataWindow(times: points.times, from: source.filter.from, to: source.filter.to)
        else { throw RequestError(tr("los incidentes no tienen fechas", "the incidents have no dates")) }
        let (from, to) = window
        let trendRows = Trends.table(units: units, times: points.times, period: period, dataFrom: from, dataTo: to,
                                     allUnits: layer.ids)
        var names: [String: String] = [:]
        for (id, name) in zip(layer.ids, layer.names) where names[id] == nil { names[id] = name }
        let rows = trendRows.map { NamedTrendRow(row: $0, unitName: names[$0.unit]) }
        let document = TrendsDocument(unitLayer: layer.spec.name, period: period.rawValue, rows: rows)
        if let output = request.output {
            try AtomicFile.write(Array((output.lowercased().hasSuffix(".json") ? try JSONStyle.text(document) : TrendsReport.csv(rows)).utf8), to: output)
            let unassigned = hit.lazy.filter { $0 < 0 }.count
            try provenance(request, points: points, layer: layer, from: from, to: to, unassigned: unassigned, rows: rows.count)
                .writeSidecar(beside: output)
            log.info("escrito \(output) y \(Provenance.sidecarPath(beside: output)): \(rows.count) filas")
        }
        return document
    }

    static func provenance(_ request: Request, points: AnalysisPoints, layer: PolygonLayer, from: Int64, to: Int64, unassigned: Int,
                           rows: Int) -> Provenance {
        let a: [String: String] = [
            "unit_layer": layer.spec.name, "period": request.period.rawValue,
            "data_from_inclusive": BogotaTime.iso(from), "data_to_exclusive": BogotaTime.iso(to),
            "data_window_source": request.source.filter.from != nil || request.source.filter.to != nil
                ? "--from/--to (missing ends: the incidents' own first or last day)" : "the incidents' own first to last day",
            "periods": "calendar-aligned: ISO weeks from Monday, months, 28-day blocks from Monday 1970-01-05, quarters, years",
            "partial": "a period not fully inside the data window; its count is a lower bound and it is never compared",
            "comparisons": "change = (count - reference) / reference against the previous period and the same period a year before, when both periods are complete",
            "significance": "two-sided exact conditional test: given n = count + reference, count ~ Binomial(n, days / (days + reference days)); p as R binom.test; significant when p < 0.05; table marks * p < 0.05, ** p < 0.01",
            "units": "every unit of the layer, with 0 where no incident fell; sin asignar when some incident is in no unit",
            "start_end": "ISO 8601 civil time of Bogotá (-05:00)",
            "incidents_used": String(points.count), "incidents_unassigned": String(unassigned), "rows": String(rows),
        ]
        return points.provenance(command: "trends", crs: request.layers.workCRS, layers: [Provenance.LayerUsed(layer)], analysis: a)
    }
}

extension EmergingJob {
    /// `atalaya emerging`: the space-time cube, Gi* per step, Mann–Kendall and the 17 categories, written as polygons.
    public struct Request: Sendable {
        public var source: IncidentSource
        public var layers: LayerSource
        /// `--area` (nil: localidades without Sumapaz).
        public var area: String?
        public var cell: CellChoice
        public var maxCells: Int
        public var period: Period
        public var timeWindow: Int
        public var cells: Cells
        /// .geojson or .gpkg.
        public var output: String

        public init(source: IncidentSource, layers: LayerSource = LayerSource(), area: String? = nil, cell: CellChoice = .metres(250),
                    maxCells: Int = 20_000_000, period: Period = .week, timeWindow: Int = 1, cells: Cells = .all, output: String) {
            self.source = source; self.layers = layers; self.area = area; self.cell = cell; self.maxCells = maxCells
            self.period = period; self.timeWindow = timeWindow; self.cells = cells; self.output = output
        }
    }

    public static func run(_ request: Request, log: EngineLog = .silent) throws -> Result {
        var clock = Stopwatch()
        let period = request.period, timeWindow = request.timeWindow, cells = request.cells, output = request.output
        let (catalog, points) = try request.source.loadForTime(output: output, layers: request.layers, log: log)
        let area = try StudyArea.parse(request.area, catalog: catalog, crs: request.layers.workCRS)
        let (cellSize, cellSource) = DensityJob.cellSize(request.cell, extent: area.envelope)
        let grid = try AnalysisGrid.make(area: area, cellSize: cellSize, maxCells: request.maxCells)
        let result = try run(points: points, grid: grid, period: period, timeWindow: timeWindow, cells: cells)
        log.info("cubo: \(result.cells.count) celdas × \(result.steps.count) pasos (\(clock.lap()))")
        let warmUp = result.steps[..<result.firstComparableStep].map(\.label)
        if !result.trimmed.isEmpty {
            log.info("periodos parciales descartados (no son pasos): " + result.trimmed.map(\.label).joined(separator: ", ")
                     + " · \(result.trimmedIncidents) incidentes fuera del cubo")
        }
        if !warmUp.isEmpty {
            log.info("pasos que solo completan la vecindad (sin prueba ni categoría): " + warmUp.joined(separator: ", "))
        }
        let features = try self.features(result, grid: grid)
        let a: [String: String] = ["period": period.rawValue, "steps": result.steps.map(\.label).joined(separator: ","),
                                   "time_window": String(timeWindow), "cell_source": cellSource,
                                   "data_from_inclusive": BogotaTime.iso(result.dataFrom),
                                   "data_to_exclusive": BogotaTime.iso(result.dataTo),
                                   "trimmed_partial_steps": result.trimmed.map(\.label).joined(separator: ","),
                                   "trimmed_incidents": String(result.trimmedIncidents),
                                   "partial_steps": "a period the data window cuts is trimmed: not a step, its incidents left out",
                                   "warm_up_steps": warmUp.joined(separator: ","),
                                   "comparable_steps": "steps after the first time_window ones, whose Gi* neighbourhood is full; only they are tested, trended and classified",
                                   "cells": cells == .all ? "all: every study-area cell, empty ones as zeros"
                                       : "with-data: only cells with at least one incident in some step",
                                   "step_length": period == .week || period == .days28 ? "equal: Gi* on the counts"
                                       : "unequal: Gi* on counts scaled to the mean step length, count * mean days / days (counts in the output are raw)",
                                   "significance": "Benjamini–Hochberg adjusted p < 0.05 per time step",
                                   "neighbours": "queen (8 cells) in the same and previous time_window steps, plus self"]
        let prov = points.provenance(command: "emerging", crs: grid.crs, grid: grid, layers: [], analysis: a)
        try writePolygons(features, provenance: prov, table: "emerging", crs: request.layers.workCRS, to: output)
        var tally: [String: Int] = [:]
        for k in result.cells.indices where result.counts.contains(where: { $0[k] > 0 }) { tally[result.categories[k].spanishName, default: 0] += 1 }
        log.info("escrito \(output): " + tally.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: " · "))
        return result
    }
}

/// `atalaya nearrepeat`: the Knox test of space-time clustering, with its duplicates accounted for.
public enum NearRepeatJob {
    public struct Request: Sendable {
        public var source: IncidentSource
        public var layers: LayerSource
        public var bands: KnoxBands
        public var iterations: Int
        public var seed: UInt64
        /// Smallest ratio the summary describes.
        public var minRatio: Double
        /// Count incidents at the same exact place on the same day once.
        public var countDuplicatesOnce: Bool
        /// JSON written with the provenance beside it.
        public var output: String?

        public init(source: IncidentSource, layers: LayerSource = LayerSource(), bands: KnoxBands, iterations: Int = 999, seed: UInt64 = 2026,
                    minRatio: Double = 1, countDuplicatesOnce: Bool = false, output: String? = nil) {
            self.source = source; self.layers = layers; self.bands = bands; self.iterations = iterations; self.seed = seed
            self.minRatio = minRatio; self.countDuplicatesOnce = countDuplicatesOnce; self.output = output
        }
    }

    public struct Outcome: Sendable {
        public let result: KnoxResult
        public let duplicates: Knox.Duplicates
        /// The plain-language report: table, summary and duplicates (Spanish, decimal comma).
        public let text: String
    }

    public static func run(_ request: Request, log: EngineLog = .silent) throws -> Outcome {
        let (_, points) = try request.source.loadForTime(output: request.output, layers: request.layers, log: log)
        let dated = points.times.indices.filter { points.times[$0] != Int64.min }
        let tooFew = RequestError(tr("la prueba de Knox necesita al menos dos incidentes con fecha", "the Knox test needs at least two dated incidents"))
        guard dated.count >= 2 else { throw tooFew }
        let day = { (k: Int) in Double(points.times[k]) / 86_400 }
        let duplicates = Knox.samePlaceSameDay(x: dated.map { points.x[$0] }, y: dated.map { points.y[$0] }, days: dated.map(day))
        let keep = request.countDuplicatesOnce ? duplicates.firstOfEach.map { dated[$0] } : dated
        guard keep.count >= 2 else { throw tooFew }
        var clock = Stopwatch()
        let r = Knox.test(x: keep.map { points.x[$0] }, y: keep.map { points.y[$0] }, days: keep.map(day),
                          bands: request.bands, iterations: request.iterations, seed: request.seed)
        log.info("Knox: \(keep.count) incidentes, \(request.iterations) permutaciones (\(clock.lap()))")
        let text = r.table.replacingOccurrences(of: ".", with: ",") + "\n" + r.summarySpanish(minRatio: request.minRatio)
            + "\n\n" + KnoxResult.duplicatesText(duplicates, countedOnce: request.countDuplicatesOnce)
        if let output = request.output {
            try AtomicFile.write(Array(try JSONStyle.text(KnoxDocument(result: r)).utf8), to: output)
            try provenance(request, points: points, dated: dated.count, used: keep.count, duplicates: duplicates)
                .writeSidecar(beside: output)
            log.info("escrito \(output) y \(Provenance.sidecarPath(beside: output))")
        }
        return Outcome(result: r, duplicates: duplicates, text: text)
    }

    static func provenance(_ request: Request, points: AnalysisPoints, dated: Int, used: Int, duplicates: Knox.Duplicates) -> Provenance {
        let bands = request.bands, iterations = request.iterations, seed = request.seed
        let countDuplicatesOnce = request.countDuplicatesOnce, minRatio = request.minRatio
        let a: [String: String] = [
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
        return points.provenance(command: "nearrepeat", crs: request.layers.workCRS, layers: [], analysis: a)
    }
}
