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

/// Options of the density and hotspot commands: which incidents (`selection`), study area, grid, kernel.
struct AnalysisOptions: ParsableArguments {
    @OptionGroup var selection: IncidentSelection
    @Option(help: ArgumentHelp("Study area: default localidades without Sumapaz (20); 'all'; LAYER:CODE,CODE (e.g. upl:UPL01,UPL02); or 'points' for the incidents' own extent.", valueName: "spec"))
    var area: String?
    @Option(help: ArgumentHelp("Tool whose defaults to reproduce: atalaya (default), arcgis, qgis, sfhotspot (density defaults, and for hotspots --method gistar/lisa its queen neighbours and unadjusted p).", valueName: "profile"))
    var profile: AnalysisProfile = .atalaya
    @Option(help: ArgumentHelp("Cell size in metres, or a rule: rounded (arcgis rule rounded to the nearest 5 m; atalaya profile), arcgis (min(w,h)/250), sfhotspot (min(w,h)/50 down to 100 m). Default: the profile's rule.", valueName: "metres|rule"))
    var cell: String?
    @Option(help: ArgumentHelp("Kernel: quartic, triangular, epanechnikov, triweight, uniform, gaussian (σ = bandwidth, truncated at 4σ).", valueName: "kernel"))
    var kernel: Kernel?
    @Option(help: ArgumentHelp("Kernel radius in metres (σ for gaussian), or a rule: atalaya (the arcgis rule bounded to [150, 500] m, street to block scale: the atalaya profile's default), arcgis (unbounded), nrd (sfhotspot), scott. Default: the profile's rule.", valueName: "metres|rule"))
    var bandwidth: String?
    @Option(help: ArgumentHelp("Numeric column that weights each incident (default: each counts 1).", valueName: "column"))
    var weight: String?
    @Option(help: ArgumentHelp("Edge correction: none, or uniform (divide by the kernel mass inside the study area).", valueName: "edge"))
    var edge: EdgeCorrection = .none
    @Option(help: "Refuse grids with more cells than this.") var maxCells: Int = 20_000_000

    func validate() throws {
        if profile == .qgis && bandwidth == nil { throw ValidationError("--profile qgis needs --bandwidth METRES (QGIS's heatmap has no bandwidth rule)") }
        _ = try cellChoice(); _ = try bandwidthChoice()
        if maxCells <= 0 { throw ValidationError("--max-cells must be positive") }
    }

    var resolvedKernel: Kernel { kernel ?? profile.kernel }

    func cellChoice() throws -> CellChoice {
        guard let c = cell else { return profile.cell }
        return try AnalysisOptions.cellChoice(c)
    }

    /// `--cell`: metres, or a rule.
    static func cellChoice(_ c: String) throws -> CellChoice {
        switch c.lowercased() {
        case "arcgis": return .arcgis
        case "sfhotspot": return .sfhotspot
        case "rounded", "atalaya": return .rounded
        default:
            guard let m = Double(c), m > 0, m.isFinite else { throw ValidationError("--cell '\(c)': give metres (> 0) or a rule: rounded, arcgis, sfhotspot") }
            return .metres(m)
        }
    }

    func bandwidthChoice() throws -> BandwidthChoice {
        guard let b = bandwidth else { return profile.bandwidth ?? .cityScale }
        if b.lowercased() == "atalaya" { return .cityScale }
        if let rule = BandwidthRule(rawValue: b.lowercased()) { return .rule(rule) }
        guard let m = Double(b), m > 0, m.isFinite else { throw ValidationError("--bandwidth '\(b)': give metres (> 0) or a rule: atalaya, arcgis, nrd, scott") }
        return .metres(m)
    }

    /// Reads the incidents, applies the filters, builds the grid over the study area.
    func prepare(input: String?, incidents: IncidentInputOptions, geodata: GeodataOptions, rejects: String)
        throws -> (LayerCatalog, AnalysisPoints, AnalysisGrid, String) {
        let catalog = try geodata.catalog()
        let area = self.area == "points" ? nil : try StudyArea.parse(self.area, catalog: catalog, crs: geodata.workCRS)
        let points = try selection.loadPoints(input: input, incidents: incidents, geodata: geodata, catalog: catalog,
                                              rejects: rejects, weightColumn: weight)
        let extent: Envelope
        if let area { extent = area.envelope } else {
            var e = Envelope.empty
            for i in 0..<points.count { e.expand(Point(x: points.x[i], y: points.y[i])) }
            extent = e
        }
        let (cellSize, cellSource, cellWhy) = DensityJob.resolveCell(try cellChoice(), extent: extent)
        Log.info(cellWhy)
        let grid = try area.map { try AnalysisGrid.make(area: $0, cellSize: cellSize, maxCells: maxCells) }
            ?? AnalysisGrid.make(points: points, cellSize: cellSize, maxCells: maxCells, crs: geodata.workCRS)
        Log.info("malla: \(grid.grid.columns) × \(grid.grid.rows) celdas de \(grid.grid.cellSize) m, \(grid.cellsInArea) en el área de estudio (\(grid.areaDescription))")
        let inside = try grid.requireIncidents(points)
        if inside < points.count { Log.info("\(points.count - inside) de \(points.count) incidentes fuera del área de estudio (no cuentan)") }
        return (catalog, points, grid, cellSource)
    }
}
