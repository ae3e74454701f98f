import Analysis
import Formats
import Foundation
import Localization
import SpatialCore

extension HotspotJob {
/// `atalaya hotspots`: KDE hotspot polygons, Getis-Ord Gi* or Local Moran's I, written as GeoJSON or GeoPackage.
public struct Request: Sendable {
    public enum Method: String, Sendable, CaseIterable { case kde, gistar, lisa }

    public var source: IncidentSource
    public var layers: LayerSource
    public var settings: AnalysisSettings
    /// .geojson or .gpkg; gistar on cells also writes `hotPath`.
    public var output: String
    public var method: Method
    /// kde: percent of the study area covered by hotspot cells.
    public var topPercent: Double
    /// gistar: distance band in metres (nil: 3 cell sizes, or the profile's).
    public var distance: Double?
    public var units: HotspotUnits
    public var permutations: Int
    public var seed: UInt64
    /// nil: the profile's (FDR for atalaya, raw for sfhotspot).
    public var fdr: Bool?
    public var minIncidents: Int

    public init(source: IncidentSource, layers: LayerSource = LayerSource(), settings: AnalysisSettings = AnalysisSettings(),
                output: String, method: Method = .kde, topPercent: Double = 5, distance: Double? = nil, units: HotspotUnits = .cells,
                permutations: Int = 999, seed: UInt64 = 2026, fdr: Bool? = nil, minIncidents: Int = 1) {
        self.source = source; self.layers = layers; self.settings = settings; self.output = output; self.method = method
        self.topPercent = topPercent; self.distance = distance; self.units = units; self.permutations = permutations
        self.seed = seed; self.fdr = fdr; self.minIncidents = minIncidents
    }

    /// Where gistar's hot polygons go: OUTPUT.hot.EXT beside the cells.
    public var hotPath: String {
        let ext = (output as NSString).pathExtension
        return (output as NSString).deletingPathExtension + ".hot." + ext
    }
}

/// What `hotspots` wrote.
public struct Outcome: Sendable {
    public let features: [PolygonFeature]
    /// gistar on cells: the dissolved hot polygons (nil otherwise).
    public let hot: [PolygonFeature]?
    public let provenance: Provenance
}
}

extension HotspotJob {
    /// Each layer once, in first-use order.
    static func distinct(_ layers: [Provenance.LayerUsed]) -> [Provenance.LayerUsed] {
        var seen = Set<String>()
        return layers.filter { seen.insert($0.name).inserted }
    }

    /// Reads, grids, tests and writes the polygons (and gistar's hot polygons beside them).
    public static func run(_ request: Request, log: EngineLog = .silent) throws -> Outcome {
        var clock = Stopwatch()
        let output = request.output, settings = request.settings, crs = request.layers.workCRS
        let rejects = request.source.rejectsPath(output: output)
        try OutputPaths.checkDistinct(inputs: [request.source.input, request.source.store], outputs: [output, rejects])
        let prepared = try settings.prepare(source: request.source, layers: request.layers, rejects: rejects, log: log)
        let (catalog, points, grid, cellSource) = (prepared.catalog, prepared.points, prepared.grid, prepared.cellSource)
        func logDropped(_ analysis: [String: String]) {
            if let d = analysis["polygons_dropped"].flatMap(Int.init), d > 0 {
                log.info("\(d) polígonos con menos de \(request.minIncidents) incidente(s) descartados (--min-incidents \(request.minIncidents))")
            }
        }
        let units = request.units
        let features: [PolygonFeature]
        var hot: [PolygonFeature]? = nil
        var provenance: Provenance
        switch request.method {
        case .kde:
            let bw = try DensityJob.bandwidth(settings.resolvedBandwidth, points: points)
            let density = try DensityJob.run(points: points, grid: grid, kernel: settings.resolvedKernel, bandwidth: bw,
                                             cellSource: cellSource, units: .density, edge: settings.edge)
            for w in density.warnings { log.warn(w) }
            log.info(bw.explanation)
            log.info("densidad calculada (\(clock.lap()))")
            let touched = try TouchedLayers(catalog: catalog, crs: crs)
            let out = try kde(points: points, density: density, topPercent: request.topPercent, touched: touched,
                              minIncidents: request.minIncidents)
            logDropped(out.analysis)
            features = out.features
            provenance = DensityJob.provenance(density, points: points, command: "hotspots",
                                               extra: out.analysis.merging(["top_percent": String(request.topPercent)]) { $1 })
            provenance.layers = distinct(grid.layers + touched.used)
        case .gistar, .lisa:
            var testSettings = settings.profile == .sfhotspot ? Settings.sfhotspot : Settings()
            if let fdr = request.fdr { testSettings.fdr = fdr }
            let out: (features: [PolygonFeature], analysis: [String: String])
            var layersUsed = grid.layers
            if request.method == .gistar {
                let touched = try TouchedLayers(catalog: catalog, crs: crs)
                layersUsed += touched.used
                let gi = try giStar(points: points, grid: grid, distance: request.distance, units: units, catalog: catalog, touched: touched,
                                    minIncidents: request.minIncidents, settings: testSettings)
                for w in gi.warnings { log.warn(w) }
                logDropped(gi.analysis)
                out = (gi.features, gi.analysis.merging(units == .cells ? ["hot_polygons_file": request.hotPath] : [:]) { $1 })
                layersUsed += gi.layers
                hot = units == .cells ? gi.hot : nil
            } else {
                let moran = try lisa(points: points, grid: grid, units: units, permutations: request.permutations, seed: request.seed,
                                     catalog: catalog, fdr: testSettings.fdr)
                out = (moran.features, moran.analysis)
                layersUsed += moran.layers
            }
            features = out.features
            var a = out.analysis
            a["cell_source"] = cellSource
            a["weights"] = points.weightColumn ?? "none (each incident counts 1)"
            a["incidents_after_filters"] = String(points.count)
            provenance = points.provenance(command: "hotspots", crs: grid.crs, grid: grid, layers: distinct(layersUsed),
                                           rules: AnalysisGrid.rules, analysis: a)
        }
        log.info("\(features.count) polígonos (\(clock.lap()))")
        try writePolygons(features, provenance: provenance, table: "hotspots", crs: crs, to: output)
        log.info("escrito \(output)")
        if let hot {
            // Cells and the polygons dissolved from them are different layers: a file each.
            let hotPath = request.hotPath
            if hot.isEmpty && hotPath.lowercased().hasSuffix(".gpkg") {
                log.info("ningún polígono caliente (gi_bin ≥ 2): no se escribe \(hotPath)")
            } else {
                try writePolygons(hot, provenance: provenance, table: "hot_polygons", crs: crs, to: hotPath)
                log.info("escrito \(hotPath): \(hot.count) polígonos calientes (gi_bin ≥ 2)")
            }
        }
        return Outcome(features: features, hot: hot, provenance: provenance)
    }
}
