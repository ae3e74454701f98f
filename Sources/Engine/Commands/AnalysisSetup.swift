import Analysis
import Foundation
import Incidents
import Localization
import Primitives
import SpatialCore

/// What density, hotspots and their kin share: study area, grid, kernel and bandwidth choices.
public struct AnalysisSettings: Sendable {
    /// `--area`: nil for the default (localidades without Sumapaz), "points" for the incidents' extent.
    public var area: String?
    public var profile: AnalysisProfile
    /// nil: the profile's rule.
    public var cell: CellChoice?
    /// nil: the profile's kernel.
    public var kernel: Kernel?
    /// nil: the profile's rule.
    public var bandwidth: BandwidthChoice?
    /// Numeric column weighting each incident of a file.
    public var weight: String?
    public var edge: EdgeCorrection
    public var maxCells: Int

    public init(area: String? = nil, profile: AnalysisProfile = .atalaya, cell: CellChoice? = nil, kernel: Kernel? = nil,
                bandwidth: BandwidthChoice? = nil, weight: String? = nil, edge: EdgeCorrection = .none, maxCells: Int = 20_000_000) {
        self.area = area; self.profile = profile; self.cell = cell; self.kernel = kernel; self.bandwidth = bandwidth
        self.weight = weight; self.edge = edge; self.maxCells = maxCells
    }

    public var resolvedKernel: Kernel { kernel ?? profile.kernel }
    public var resolvedCell: CellChoice { cell ?? profile.cell }
    public var resolvedBandwidth: BandwidthChoice { bandwidth ?? profile.bandwidth ?? .cityScale }
}

/// Incidents read and filtered, and the grid over the study area.
public struct PreparedAnalysis: Sendable {
    public let catalog: LayerCatalog
    public let points: AnalysisPoints
    public let grid: AnalysisGrid
    /// How the cell size was chosen (provenance `cell_source`).
    public let cellSource: String
}

extension AnalysisSettings {
    /// Reads the incidents, applies the filters, builds the grid over the study area.
    /// - Throws: when no incident falls in the study area (`AnalysisGrid.requireIncidents`), and what reading throws.
    public func prepare(source: IncidentSource, layers: LayerSource, rejects: String, log: EngineLog) throws -> PreparedAnalysis {
        let catalog = try layers.catalog()
        let area = self.area == "points" ? nil : try StudyArea.parse(self.area, catalog: catalog, crs: layers.workCRS)
        let points = try source.loadPoints(catalog: catalog, crs: layers.workCRS, rejects: rejects, weightColumn: weight, log: log)
        let extent: Envelope
        if let area { extent = area.envelope } else {
            var e = Envelope.empty
            for i in 0..<points.count { e.expand(Point(x: points.x[i], y: points.y[i])) }
            extent = e
        }
        let (cellSize, cellSource, cellWhy) = DensityJob.resolveCell(resolvedCell, extent: extent)
        log.info(cellWhy)
        let grid = try area.map { try AnalysisGrid.make(area: $0, cellSize: cellSize, maxCells: maxCells) }
            ?? AnalysisGrid.make(points: points, cellSize: cellSize, maxCells: maxCells, crs: layers.workCRS)
        log.info("malla: \(grid.grid.columns) × \(grid.grid.rows) celdas de \(grid.grid.cellSize) m, \(grid.cellsInArea) en el área de estudio (\(grid.areaDescription))")
        let inside = try grid.requireIncidents(points)
        if inside < points.count { log.info("\(points.count - inside) de \(points.count) incidentes fuera del área de estudio (no cuentan)") }
        return PreparedAnalysis(catalog: catalog, points: points, grid: grid, cellSource: cellSource)
    }
}
