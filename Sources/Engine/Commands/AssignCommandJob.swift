import Formats
import Foundation
import Incidents
import Localization
import SpatialCore

extension AssignPipeline {
    /// `atalaya assign`: loads and indexes the layers, assigns, writes; with `summary`, the incidents per
    /// unit of that polygon layer.
    /// - Throws: `RequestError` when `summary` names no polygon layer (checked before anything is read).
    public static func run(_ request: AssignRequest, layers source: LayerSource, summary: String?, log: EngineLog = .silent)
        throws -> (report: AssignReport, summary: UnitSummary?) {
        var clock = Stopwatch()
        let catalog = try source.catalog()
        let layers = try AssignmentLayers.load(catalog: catalog, crs: request.workCRS, cellSize: request.indexCell)
        log.info(tr("capas cargadas e indexadas: \(layers.polygonLayers.count) polígonos, \(layers.pointLayers.count) puntos (\(clock.lap()))",
                    "layers loaded and indexed: \(layers.polygonLayers.count) polygon layers, \(layers.pointLayers.count) point layers (\(clock.lap()))"))
        let summaryLayer = summary.map { (try? catalog.spec(named: $0).name) ?? $0 }  // `localidad` names localidades
        if let s = summaryLayer, !layers.polygonLayers.contains(where: { $0.spec.name == s }) {
            let names = layers.polygonLayers.map(\.spec.name).joined(separator: ", ")
            throw RequestError(tr("--summary: '\(s)' no es una capa de polígonos; use una de: \(names)",
                                  "--summary: '\(s)' is not a polygon layer; use one of: \(names)"))
        }
        let report = try run(request, layers: layers, progress: { log.info($0) })
        IncidentFileOptions.reportCounts(report.read, rejectsPath: request.rejects, log: log)
        guard let s = summaryLayer, let k = layers.polygonLayers.firstIndex(where: { $0.spec.name == s }) else { return (report, nil) }
        return (report, UnitSummary(layer: layers.polygonLayers[k], assignment: report.assignment, layerIndex: k))
    }
}
