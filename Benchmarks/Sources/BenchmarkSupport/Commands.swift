// The analysis commands as the CLI runs them: the same Engine jobs with the same requests, so the
// end-to-end benchmarks measure what `atalaya density|hotspots INPUT -o OUTPUT` runs (minus argument parsing).

import Analysis
import Engine
import Formats
import Foundation
import Incidents
import Primitives
import SpatialCore

public enum Commands {
    /// What `atalaya density|hotspots INPUT` reads and builds before its own work (`AnalysisSettings.prepare`):
    /// the default study area, the validated, projected incidents (rejects beside the output), the grid and its mask.
    public static func prepare(input: String, output: String, cell: CellChoice)
        throws -> (points: AnalysisPoints, grid: AnalysisGrid, cellSource: String) {
        let source = IncidentSource(input: input)
        let p = try AnalysisSettings(cell: cell).prepare(source: source, layers: Geodata.layers,
                                                         rejects: source.rejectsPath(output: output), log: .silent)
        return (p.points, p.grid, p.cellSource)
    }

    /// `atalaya density INPUT -o OUTPUT [--cell C] [--bandwidth B]`.
    public static func density(input: String, output: String, cell: CellChoice? = nil,
                               bandwidth: BandwidthChoice? = nil) throws -> DensityResult {
        try DensityJob.run(DensityJob.Request(source: IncidentSource(input: input), layers: Geodata.layers,
                                              settings: AnalysisSettings(cell: cell, bandwidth: bandwidth), output: output))
    }

    /// `atalaya hotspots INPUT -o OUTPUT.geojson` (method kde, the defaults).
    public static func hotspots(input: String, output: String) throws -> [PolygonFeature] {
        try HotspotJob.run(HotspotJob.Request(source: IncidentSource(input: input), layers: Geodata.layers, output: output)).features
    }
}
