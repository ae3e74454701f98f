// The Engine calls the analysis commands make, in the order they make them, with the CLI's defaults, so
// the end-to-end benchmarks measure what the commands run: `AnalysisOptions.prepare` +
// `IncidentSelection.loadPoints` (study area, points, grid) and then `DensityCommand.run` /
// `HotspotsCommand.run`. When that preparation moves into an Engine job, call the job here instead.

import Analysis
import Engine
import Formats
import Foundation
import Incidents
import Primitives
import SpatialCore

public enum Commands {
    /// What `atalaya density|hotspots INPUT` reads and builds before its own work: the default study area,
    /// the validated, projected incidents (rejects written beside the output), the grid and its mask.
    public static func prepare(input: String, output: String, catalog: LayerCatalog, cell: CellChoice)
        throws -> (points: AnalysisPoints, grid: AnalysisGrid, cellSource: String) {
        let crs = WorkingCRS.default
        let rejects = AssignRequest.defaultRejectsPath(output: output)
        let area = try StudyArea.parse(nil, catalog: catalog, crs: crs)
        let box = try AssignmentLayers.studyAreaLonLat(catalog: catalog)
        let points = try RejectsWriter.keepingRejects(at: rejects) {
            try AnalysisPoints.load(path: input, options: ReadOptions(), inputCRS: WorkingCRS.geographic, workCRS: crs,
                                    filter: IncidentFilter(), weightColumn: nil, studyAreaLonLat: box)
        }
        _ = try RejectsWriter.write(points.read!.rejects, to: rejects)
        let (cellSize, cellSource, _) = DensityJob.resolveCell(cell, extent: area.envelope)
        let grid = try AnalysisGrid.make(area: area, cellSize: cellSize, maxCells: 20_000_000)
        try grid.requireIncidents(points)
        return (points, grid, cellSource)
    }

    /// `atalaya density INPUT -o OUTPUT [--cell C] [--bandwidth B]` (quartic kernel, incidents per km²).
    public static func density(input: String, output: String, catalog: LayerCatalog,
                               cell: CellChoice = AnalysisProfile.atalaya.cell,
                               bandwidth: BandwidthChoice = AnalysisProfile.atalaya.bandwidth!) throws -> DensityResult {
        let (points, grid, cellSource) = try prepare(input: input, output: output, catalog: catalog, cell: cell)
        let bw = try DensityJob.bandwidth(bandwidth, points: points)
        let result = try DensityJob.run(points: points, grid: grid, kernel: .quartic, bandwidth: bw,
                                        cellSource: cellSource, units: .density, edge: .none)
        try DensityJob.write(result, points: points, classes: 5, to: output)
        return result
    }

    /// `atalaya hotspots INPUT -o OUTPUT.geojson` (method kde, the defaults: top 5 % of the cells).
    public static func hotspots(input: String, output: String, catalog: LayerCatalog) throws -> [PolygonFeature] {
        let profile = AnalysisProfile.atalaya
        let (points, grid, cellSource) = try prepare(input: input, output: output, catalog: catalog, cell: profile.cell)
        let bw = try DensityJob.bandwidth(profile.bandwidth!, points: points)
        let density = try DensityJob.run(points: points, grid: grid, kernel: .quartic, bandwidth: bw,
                                         cellSource: cellSource, units: .density, edge: .none)
        let touched = try TouchedLayers(catalog: catalog, crs: WorkingCRS.default)
        let top = 5.0
        let out = try HotspotJob.kde(points: points, density: density, topPercent: top, touched: touched)
        var provenance = DensityJob.provenance(density, points: points, command: "hotspots",
                                               extra: out.analysis.merging(["top_percent": String(top)]) { $1 })
        var seen = Set<String>()
        provenance.layers = (grid.layers + touched.used).filter { seen.insert($0.name).inserted }
        try PolygonGeoJSON.write(out.features, provenance: provenance, to: output)
        return out.features
    }
}
