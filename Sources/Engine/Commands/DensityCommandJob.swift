import Analysis
import Formats
import Foundation
import Localization

extension DensityJob {
/// `atalaya density`: a kernel density surface written as GeoTIFF, ESRI ASCII grid or GeoJSON isobands.
public struct Request: Sendable {
    public var source: IncidentSource
    public var layers: LayerSource
    public var settings: AnalysisSettings
    /// .tif, .asc or .geojson.
    public var output: String
    /// Isoband classes of a .geojson output.
    public var classes: Int
    public var units: DensityUnits

    public init(source: IncidentSource, layers: LayerSource = LayerSource(), settings: AnalysisSettings = AnalysisSettings(),
                output: String, classes: Int = 5, units: DensityUnits = .density) {
        self.source = source; self.layers = layers; self.settings = settings
        self.output = output; self.classes = classes; self.units = units
    }
}
}

extension DensityJob {
    /// Reads, grids, estimates and writes; returns the surface.
    public static func run(_ request: Request, log: EngineLog = .silent) throws -> DensityResult {
        var clock = Stopwatch()
        let output = request.output, settings = request.settings
        let rejects = request.source.rejectsPath(output: output)
        try OutputPaths.checkDistinct(inputs: [request.source.input, request.source.store],
                                      outputs: [output, rejects, Provenance.sidecarPath(beside: output)])
        let prepared = try settings.prepare(source: request.source, layers: request.layers, rejects: rejects, log: log)
        let points = prepared.points
        let bw = try bandwidth(settings.resolvedBandwidth, points: points)
        let result = try run(points: points, grid: prepared.grid, kernel: settings.resolvedKernel, bandwidth: bw,
                             cellSource: prepared.cellSource, units: request.units, edge: settings.edge)
        for w in result.warnings { log.warn(w) }
        log.info(bw.explanation)
        log.info("densidad \(settings.resolvedKernel.rawValue), banda \(String(format: "%.1f", bw.metres)) m (\(clock.lap()))")
        try write(result, points: points, classes: request.classes, to: output)
        log.info("escrito \(output) (\(clock.lap()))")
        return result
    }
}
