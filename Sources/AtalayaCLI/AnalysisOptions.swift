import Analysis
import ArgumentParser
import Export
import Foundation
import Incidents
import Mapping
import SpatialCore

extension Kernel: ExpressibleByArgument {}
extension DensityUnits: ExpressibleByArgument {}
extension EdgeCorrection: ExpressibleByArgument {}
extension AnalysisProfile: ExpressibleByArgument {}

/// Options shared by the analysis commands: filters, study area, grid, kernel.
struct AnalysisOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the time window, inclusive: YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'.", valueName: "date"))
    var from: String?
    @Option(help: ArgumentHelp("End of the time window, exclusive (e.g. --from 2025-01-01 --to 2025-02-01 is January).", valueName: "date"))
    var to: String?
    @Option(name: .customLong("category"), parsing: .singleValue,
            help: ArgumentHelp("Keep only this category value, exactly as the data spell it (repeatable).", valueName: "value"))
    var categories: [String] = []
    @Option(help: ArgumentHelp("Study area: default localidades without Sumapaz (20); 'all'; LAYER:CODE,CODE (e.g. upl:UPL01,UPL02); or 'points' for the incidents' own extent.", valueName: "spec"))
    var area: String?
    @Option(help: ArgumentHelp("Tool whose defaults to reproduce: atalaya (default), arcgis, qgis, sfhotspot.", valueName: "profile"))
    var profile: AnalysisProfile = .atalaya
    @Option(help: ArgumentHelp("Cell size in metres, or a rule: arcgis (min(w,h)/250), sfhotspot (min(w,h)/50 down to 100 m). Default: the profile's rule.", valueName: "metres|rule"))
    var cell: String?
    @Option(help: ArgumentHelp("Kernel: quartic, triangular, epanechnikov, triweight, uniform, gaussian (σ = bandwidth, truncated at 4σ).", valueName: "kernel"))
    var kernel: Kernel?
    @Option(help: ArgumentHelp("Kernel radius in metres (σ for gaussian), or a rule: arcgis, nrd (sfhotspot), scott. Default: the profile's rule.", valueName: "metres|rule"))
    var bandwidth: String?
    @Option(help: ArgumentHelp("Numeric column that weights each incident (default: each counts 1).", valueName: "column"))
    var weight: String?
    @Option(help: ArgumentHelp("Edge correction: none, or uniform (divide by the kernel mass inside the study area).", valueName: "edge"))
    var edge: EdgeCorrection = .none
    @Option(help: "Refuse grids with more cells than this.") var maxCells: Int = 20_000_000
    @Option(help: ArgumentHelp("Read incidents from this store (see `atalaya ingest`) instead of a file.", valueName: "path"))
    var store: String?
    @Option(name: .customLong("localidad"), parsing: .singleValue, help: ArgumentHelp("With --store: keep this localidad code (repeatable).", valueName: "code"))
    var localidades: [String] = []
    @Option(name: .customLong("upz"), parsing: .singleValue, help: ArgumentHelp("With --store: keep this UPZ code (repeatable).", valueName: "code"))
    var upz: [String] = []
    @Option(name: .customLong("upl"), parsing: .singleValue, help: ArgumentHelp("With --store: keep this UPL code (repeatable).", valueName: "code"))
    var upl: [String] = []

    func validate() throws {
        if let f = from, DateParser.parse(f) == nil { throw ValidationError("--from '\(f)' is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')") }
        if let t = to, DateParser.parse(t) == nil { throw ValidationError("--to '\(t)' is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')") }
        if let f = from.flatMap(DateParser.parse), let t = to.flatMap(DateParser.parse), t <= f {
            throw ValidationError("--to must be after --from (the window is [from, to))")
        }
        if profile == .qgis && bandwidth == nil { throw ValidationError("--profile qgis needs --bandwidth METRES (QGIS's heatmap has no bandwidth rule)") }
        _ = try cellChoice(); _ = try bandwidthChoice()
        if maxCells <= 0 { throw ValidationError("--max-cells must be positive") }
        if store == nil && !(localidades.isEmpty && upz.isEmpty && upl.isEmpty) {
            throw ValidationError("--localidad/--upz/--upl filter a store: use them with --store (for a file, use --area)")
        }
    }

    /// Exactly one source: a file argument or --store.
    func checkSource(_ input: String?) throws {
        if input == nil && store == nil { throw ValidationError("give an incident file or --store PATH") }
        if input != nil && store != nil { throw ValidationError("give an incident file or --store PATH, not both") }
    }

    /// Loads the incidents from the file or the store, with the filters.
    func loadPoints(input: String?, incidents: IncidentInputOptions, geodata: GeodataOptions, catalog: LayerCatalog, rejects: String) throws -> AnalysisPoints {
        if let store {
            let points = try AnalysisPoints.load(store: store, filter: filter, localidades: localidades, upz: upz, upl: upl, cuadrantes: [])
            Log.info("almacén \(store): \(points.count) incidentes tras filtros")
            return points
        }
        let box = try AssignmentLayers.studyAreaLonLat(catalog: catalog)
        let points = try AnalysisPoints.load(path: input!, options: incidents.readOptions(), inputCRS: incidents.crs,
                                             workCRS: geodata.workCRS, filter: filter, weightColumn: weight, studyAreaLonLat: box)
        let read = points.read!
        try RejectsWriter.write(read.rejects, to: rejects)
        incidents.reportCounts(read, rejectsPath: rejects)
        if !filter.isEmpty { Log.info("tras filtros de tiempo/categoría: \(points.count) incidentes") }
        return points
    }

    var filter: IncidentFilter {
        IncidentFilter(from: from.flatMap(DateParser.parse), to: to.flatMap(DateParser.parse), categories: categories)
    }

    var resolvedKernel: Kernel { kernel ?? profile.kernel }

    func cellChoice() throws -> CellChoice {
        guard let c = cell else { return profile.cell }
        switch c.lowercased() {
        case "arcgis": return .arcgis
        case "sfhotspot": return .sfhotspot
        default:
            guard let m = Double(c), m > 0, m.isFinite else { throw ValidationError("--cell '\(c)': give metres (> 0) or a rule: arcgis, sfhotspot") }
            return .metres(m)
        }
    }

    func bandwidthChoice() throws -> BandwidthChoice {
        guard let b = bandwidth else { return profile.bandwidth ?? .rule(.arcgis) }
        if let rule = BandwidthRule(rawValue: b.lowercased()) { return .rule(rule) }
        guard let m = Double(b), m > 0, m.isFinite else { throw ValidationError("--bandwidth '\(b)': give metres (> 0) or a rule: arcgis, nrd, scott") }
        return .metres(m)
    }

    /// Reads the incidents, applies the filters, builds the grid over the study area.
    func prepare(input: String?, incidents: IncidentInputOptions, geodata: GeodataOptions, rejects: String)
        throws -> (LayerCatalog, AnalysisPoints, AnalysisGrid, String) {
        let catalog = try geodata.catalog()
        let area = self.area == "points" ? nil : try StudyArea.parse(self.area, catalog: catalog, crs: geodata.workCRS)
        let points = try loadPoints(input: input, incidents: incidents, geodata: geodata, catalog: catalog, rejects: rejects)
        let extent: Envelope
        if let area { extent = area.envelope } else {
            var e = Envelope.empty
            for i in 0..<points.count { e.expand(Point(x: points.x[i], y: points.y[i])) }
            extent = e
        }
        let (cellSize, cellSource) = DensityJob.cellSize(try cellChoice(), extent: extent)
        let grid = try area.map { try AnalysisGrid.make(area: $0, cellSize: cellSize, maxCells: maxCells) }
            ?? AnalysisGrid.make(points: points, cellSize: cellSize, maxCells: maxCells, crs: geodata.workCRS)
        Log.info("malla: \(grid.grid.columns) × \(grid.grid.rows) celdas de \(grid.grid.cellSize) m, \(grid.cellsInArea) en el área de estudio (\(grid.areaDescription))")
        return (catalog, points, grid, cellSource)
    }
}
