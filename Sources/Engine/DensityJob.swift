import Analysis
import Formats
import Foundation
import Primitives
import SpatialCore

/// A bandwidth given in metres or chosen by a rule from the points.
public enum BandwidthChoice: Sendable, Equatable {
    case metres(Double)
    case rule(BandwidthRule)
    /// A rule's value bounded to [lower, upper] metres (Atalaya's default: the ArcGIS rule within the
    /// city-scale range, see `cityScale`).
    case clamped(BandwidthRule, lower: Double, upper: Double)

    /// Atalaya's default: the ArcGIS rule bounded to [150, 500] m. On one month of one category the
    /// rule gives ~1.2 km over the whole city, a radius that merges several localidades into one
    /// "hotspot"; a bandwidth should reflect the scale of the phenomenon (Chainey 2013, Geomatics
    /// Expert 5(1)), and street robbery and burglary concentrate at street and block scale: 150 m is
    /// one and a half blocks (a Bogotá block is ≈ 100 m), 500 m five blocks. `--bandwidth arcgis`
    /// keeps the unbounded rule.
    public static let cityScale = BandwidthChoice.clamped(.arcgis, lower: 150, upper: 500)
}

/// A cell size given in metres or chosen by a rule from the study area's extent.
public enum CellChoice: Sendable, Equatable {
    case metres(Double)
    case arcgis      // min(width, height) / 250
    case sfhotspot   // min(width, height) / 50, down to a multiple of 100 m
    case rounded     // the arcgis rule rounded to the nearest multiple of 5 m (at least 5 m): Atalaya's default

    /// Step of the `rounded` rule, metres.
    public static let roundingStep = 5.0
}

/// Defaults of the tools analysts compare against (DOMAIN.md §3–4). A profile copies the tool's
/// conventions, not its known defects (see `differences`).
public enum AnalysisProfile: String, Sendable, CaseIterable {
    case atalaya, arcgis, qgis, sfhotspot

    public var kernel: Kernel { .quartic }
    public var bandwidth: BandwidthChoice? {
        switch self {
        case .atalaya: return .cityScale
        case .arcgis: return .rule(.arcgis)
        case .sfhotspot: return .rule(.nrd)
        case .qgis: return nil   // QGIS's heatmap has no rule: the radius must be given
        }
    }
    public var cell: CellChoice {
        switch self {
        case .atalaya: return .rounded
        case .arcgis, .qgis: return .arcgis
        case .sfhotspot: return .sfhotspot
        }
    }
    /// Where Atalaya deliberately differs from the tool.
    public var differences: String {
        switch self {
        case .atalaya: return "quartic kernel; cell = ArcGIS rule min(w,h)/250 rounded to the nearest 5 m; bandwidth = ArcGIS rule bounded to [150, 500] m (street/block scale); grid aligned to the cell size"
        case .arcgis: return "as ArcGIS Kernel Density (quartic, R = 0.9·min(SD, √(1/ln2)·Dm)·n^−0.2, cell = min(w,h)/250); the grid is aligned to multiples of the cell size"
        case .qgis: return "QGIS heatmap's quartic kernel with the correct 3/(πR²) constant (QGIS ≤ 2025 used 116/(5πR²)·15/16) and without its half-cell vertical shift; grid aligned to the cell size"
        case .sfhotspot: return "as sfhotspot hotspot_kde (quartic, bandwidth.nrd on x as the radius, cell = min(w,h)/50 rounded down to 100 m); hotspot_gistar's queen neighbours (band = cell·√2) and unadjusted p"
        }
    }
}

/// A resolved bandwidth: metres, what provenance records (English), and why, for the user (Spanish).
public struct ResolvedBandwidth: Sendable {
    public let metres: Double
    public let source: String
    public let explanation: String
}

/// What a density run resolved and produced.
public struct DensityResult: Sendable {
    public let surface: DensitySurface
    public let grid: AnalysisGrid
    public let bandwidthSource: String
    public let cellSource: String
    public let warnings: [String]
}

public enum DensityJob {
    /// Resolves the cell size from the study area's extent: metres, provenance text (English) and a
    /// line for the user (Spanish).
    public static func cellSize(_ c: CellChoice, extent e: Envelope) -> (Double, String) {
        let r = resolveCell(c, extent: e)
        return (r.metres, r.source)
    }

    public static func resolveCell(_ c: CellChoice, extent e: Envelope) -> (metres: Double, source: String, explanation: String) {
        func m(_ v: Double) -> String { String(format: v == v.rounded() ? "%.0f" : "%.3f", v) }
        switch c {
        case let .metres(v): return (v, "given: \(v) m", "celda \(m(v)) m (dada)")
        case .arcgis:
            let s = CellSizeRule.arcgis(width: e.width, height: e.height)
            return (s, "arcgis rule: min(width, height)/250 of the study area = \(String(format: "%.3f", s)) m",
                    "celda \(m(s)) m: regla arcgis, min(ancho, alto)/250 del área de estudio")
        case .sfhotspot:
            let s = CellSizeRule.sfhotspot(width: e.width, height: e.height)
            return (s, "sfhotspot rule: min(width, height)/50 rounded down to 100 m = \(s) m",
                    "celda \(m(s)) m: regla sfhotspot, min(ancho, alto)/50 redondeada hacia abajo a 100 m")
        case .rounded:
            let raw = CellSizeRule.arcgis(width: e.width, height: e.height)
            let step = CellChoice.roundingStep
            let s = max(step, (raw / step).rounded() * step)
            return (s, "atalaya rule: arcgis rule min(width, height)/250 of the study area = \(String(format: "%.3f", raw)) m, rounded to the nearest \(m(step)) m = \(m(s)) m",
                    "celda \(m(s)) m: regla arcgis min(ancho, alto)/250 del área de estudio = \(String(format: "%.3f", raw)) m, redondeada al múltiplo de \(m(step)) m más cercano (--cell arcgis para el valor sin redondear)")
        }
    }

    /// Resolves the bandwidth from the points.
    public static func bandwidth(_ b: BandwidthChoice, points: AnalysisPoints) throws -> ResolvedBandwidth {
        func m(_ v: Double) -> String { String(format: "%.0f", v) }
        switch b {
        case let .metres(v):
            guard v.isFinite, v > 0 else { throw GridError.badBandwidth(v) }
            return ResolvedBandwidth(metres: v, source: "given: \(v) m", explanation: "banda \(m(v)) m (dada)")
        case let .rule(rule):
            let r = try rule.bandwidth(x: points.x, y: points.y, weights: points.weights)
            return ResolvedBandwidth(metres: r, source: "\(rule.rawValue) rule on \(points.count) points = \(String(format: "%.3f", r)) m",
                                     explanation: "banda \(m(r)) m: regla \(rule.rawValue) sobre \(points.count) incidentes")
        case let .clamped(rule, lower, upper):
            let raw = try rule.bandwidth(x: points.x, y: points.y, weights: points.weights)
            let r = min(max(raw, lower), upper)
            let bound = r == raw ? "within" : r == lower ? "raised to the lower bound of" : "lowered to the upper bound of"
            let acotada = r == raw ? "dentro de" : "acotada a"
            return ResolvedBandwidth(
                metres: r,
                source: "atalaya rule: \(rule.rawValue) rule on \(points.count) points = \(String(format: "%.3f", raw)) m, \(bound) [\(m(lower)), \(m(upper))] m (city scale: street to block, Chainey 2013) = \(String(format: "%.3f", r)) m",
                explanation: "banda \(m(r)) m: la regla \(rule.rawValue) dio \(m(raw)) m sobre \(points.count) incidentes, \(acotada) [\(m(lower)), \(m(upper))] m, la escala de calle a manzana de los mapas de ciudad (--bandwidth \(rule.rawValue) para el valor sin acotar)")
        }
    }

    /// Computes the exact surface over `grid`.
    public static func run(points: AnalysisPoints, grid: AnalysisGrid, kernel: Kernel, bandwidth: ResolvedBandwidth,
                           cellSource: String, units: DensityUnits, edge: EdgeCorrection) throws -> DensityResult {
        var warnings: [String] = []
        if bandwidth.metres < grid.grid.cellSize {
            warnings.append("bandwidth \(String(format: "%.1f", bandwidth.metres)) m is smaller than the cell size \(grid.grid.cellSize) m: the surface will be spiky")
        }
        let request = DensityRequest(grid: grid.grid, mask: grid.mask, kernel: kernel, bandwidth: bandwidth.metres,
                                     weights: points.weights, units: units, edge: edge)
        let surface = try KernelDensity.exact(x: points.x, y: points.y, request: request)
        return DensityResult(surface: surface, grid: grid, bandwidthSource: bandwidth.source, cellSource: cellSource, warnings: warnings)
    }

    /// Provenance for any output made from a density result.
    public static func provenance(_ r: DensityResult, points: AnalysisPoints, command: String, extra: [String: String] = [:]) -> Provenance {
        var analysis: [String: String] = [
            "kernel": r.surface.kernel.rawValue,
            "kernel_constant": r.surface.kernel.normalisingConstantText,
            "bandwidth_m": String(format: "%.6f", r.surface.bandwidth),
            "bandwidth_source": r.bandwidthSource,
            "cell_source": r.cellSource,
            "units": r.surface.units == .density ? "incidents per km²" : "expected incidents per cell",
            "edge_correction": r.surface.edge.rawValue,
            "method": "exact (every cell centre sums every point within the kernel support)",
            "weights": points.weightColumn ?? "none (each incident counts 1)",
            "incidents_after_filters": String(points.count),
            "weight_sum": String(format: "%.6f", r.surface.weightSum),
        ]
        if r.surface.kernel == .gaussian {
            analysis["gaussian_truncation"] = "\(Kernel.gaussianTruncation)σ (mass beyond it, \(Kernel.gaussianTruncatedMass), is dropped)"
        }
        var p = points.provenance(command: command, crs: r.grid.crs, grid: r.grid, layers: r.grid.layers, rules: AnalysisGrid.rules,
                                  analysis: analysis)
        for (k, v) in extra { p.analysis?[k] = v }
        return p
    }

    /// Writes the surface by extension: .tif (GeoTIFF float32 + sidecar .json), .asc (+ .prj + .json),
    /// .geojson (isobands of `classes` quantile classes, EPSG:4326).
    public static func write(_ r: DensityResult, points: AnalysisPoints, classes: Int, to path: String) throws {
        let values = r.surface.values.map { Float($0) }
        let ext = (path as NSString).pathExtension.lowercased()
        var rasterProvenance = provenance(r, points: points, command: "density")
        rasterProvenance.outputCRS = r.grid.crs   // rasters are written in the grid's (working) CRS
        switch ext {
        case "tif", "tiff":
            try GeoTIFFWriter.write(values: values, grid: r.grid.grid, to: path)
            try rasterProvenance.writeSidecar(beside: path)
        case "asc":
            try AsciiGridWriter.write(values: values, grid: r.grid.grid,
                                      prjWKT: try Projection.wkt(r.grid.crs, esri: true), to: path)
            try rasterProvenance.writeSidecar(beside: path)
        case "geojson", "json":
            let bands = try Isobands.make(r, classes: classes)
            let features = try bands.features()
            try PolygonGeoJSON.write(features, crs: r.grid.crs, provenance: provenance(r, points: points, command: "density",
                                                                     extra: ["isoband_breaks": bands.breaksText, "classes": String(classes)]), to: path)
        default:
            throw FormatError.unsupportedFormat(path: path)
        }
    }
}
