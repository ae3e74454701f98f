import Dispatch
import Formats
import Foundation
import Incidents
import Localization
import Primitives
import SpatialCore

/// Where a job's messages go: progress and counts on stderr for the CLI, nowhere for tests and benchmarks.
public struct EngineLog: Sendable {
    public var info: @Sendable (String) -> Void
    public var warn: @Sendable (String) -> Void
    /// A line rewritten in place (a terminal's progress).
    public var progress: @Sendable (String) -> Void
    public var progressDone: @Sendable () -> Void

    public init(info: @escaping @Sendable (String) -> Void, warn: @escaping @Sendable (String) -> Void,
                progress: @escaping @Sendable (String) -> Void = { _ in }, progressDone: @escaping @Sendable () -> Void = {}) {
        self.info = info; self.warn = warn; self.progress = progress; self.progressDone = progressDone
    }

    public static let silent = EngineLog(info: { _ in }, warn: { _ in })
}

/// A request the user must correct (a usage error: the CLI shows it with the command's usage, exit 64).
public struct RequestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Where layers come from and which CRS computations use.
public struct LayerSource: Sendable {
    /// Searched first for the manifest and the layer files (`--geodata`).
    public var directory: String?
    public var workCRS: String

    public init(directory: String? = nil, workCRS: String = WorkingCRS.default) {
        self.directory = directory; self.workCRS = workCRS
    }

    public func catalog() throws -> LayerCatalog {
        var paths = LayerCatalog.defaultSearchPaths()
        if let d = directory { paths.insert(d, at: 0) }
        return try LayerCatalog.load(searchPaths: paths)
    }
}

/// How incident files are read: columns, input CRS, swap repair, where rejects go.
public struct IncidentFileOptions: Sendable {
    public var read: ReadOptions
    /// CRS of the input coordinates (`--crs`).
    public var crs: String
    /// `--rejects`; nil: the command's default path.
    public var rejects: String?

    public init(read: ReadOptions = ReadOptions(), crs: String = WorkingCRS.geographic, rejects: String? = nil) {
        self.read = read; self.crs = crs; self.rejects = rejects
    }

    /// Rows read, accepted, rejected per reason.
    public static func reportCounts(_ r: ReadResult, rejectsPath: String, log: EngineLog) {
        log.info("filas leídas: \(r.table.dataRows) · aceptadas: \(r.table.count) · rechazadas: \(r.rejects.count)")
        for (reason, n) in r.rejectCounts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where n > 0 {
            log.info("  rechazo \(reason.rawValue): \(n)")
        }
        if !r.rejects.isEmpty { log.info("  rechazos escritos en \(rejectsPath)") }
    }
}

/// Wall-clock stage timing for progress lines.
public struct Stopwatch: Sendable {
    private var start = DispatchTime.now()
    public init() {}
    public mutating func lap() -> String {
        let now = DispatchTime.now()
        defer { start = now }
        return String(format: "%.2f s", Double(now.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
    }
}

/// Polygon results by extension: .gpkg (GeoPackage in the working CRS) or GeoJSON (EPSG:4326).
func writePolygons(_ features: [PolygonFeature], provenance: Provenance, table: String, crs: String, to path: String) throws {
    if (path as NSString).pathExtension.lowercased() == "gpkg" {
        try GeoPackageOutput.write(features, crs: crs, table: table, provenance: provenance, to: path)
    } else {
        try PolygonGeoJSON.write(features, crs: crs, provenance: provenance, to: path)
    }
}
