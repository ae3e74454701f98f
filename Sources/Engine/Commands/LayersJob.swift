import Foundation
import Localization
import Primitives
import SpatialCore

/// `atalaya layers`: what the layers are and whether GEOS finds them valid.
public enum LayersJob {
    public struct Row: Encodable, Sendable {
        public var name: String, role: String, features: Int, geometry: String, invalid: Int, repaired: Int
        public var extent: [Double], areaKm2: Double?, file: String, source: String
        public var invalidFeatures: [String]
        enum CodingKeys: String, CodingKey { case name, role, features, geometry, invalid, repaired, extent, areaKm2, file, source, invalidFeatures }
        public func encode(to encoder: Encoder) throws {   // every key present, null for no area
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(role, forKey: .role); try c.encode(features, forKey: .features)
            try c.encode(geometry, forKey: .geometry); try c.encode(invalid, forKey: .invalid); try c.encode(repaired, forKey: .repaired)
            try c.encode(extent, forKey: .extent); try c.encode(areaKm2, forKey: .areaKm2); try c.encode(file, forKey: .file)
            try c.encode(source, forKey: .source); try c.encode(invalidFeatures, forKey: .invalidFeatures)
        }
    }
    /// `schemas/layers.schema.json`.
    public struct Document: Encodable, Sendable {
        public var schemaVersion = 1
        public var manifest: String, workCrs: String
        public var layers: [Row]
        public init(manifest: String, workCrs: String, layers: [Row]) { self.manifest = manifest; self.workCrs = workCrs; self.layers = layers }
    }

    /// Each layer of the manifest (or only `names`): features, geometry, GEOS validity and repairs, extent, area, file.
    public static func run(names: [String], layers source: LayerSource) throws -> (LayerCatalog, [Row]) {
        let catalog = try source.catalog()
        let specs = names.isEmpty ? catalog.layers : try names.map { try catalog.spec(named: $0) }
        var rows: [Row] = []
        for spec in specs {
            let probe = try GeoJSONProbe.kind(of: catalog.resolve(spec))
            if probe == "Point" {
                let l = try PointLayer.load(spec, catalog: catalog, crs: source.workCRS)
                rows.append(Row(name: spec.name, role: spec.role.rawValue, features: l.count, geometry: "Point", invalid: 0, repaired: 0,
                                extent: env(l.lonLatExtent), areaKm2: nil, file: l.path, source: spec.source,
                                invalidFeatures: l.skipped.map { tr("elemento \($0): sin geometría de punto", "feature \($0): no point geometry") }))
            } else if probe == "Polygon" {
                let l = try PolygonLayer.load(spec, catalog: catalog, crs: source.workCRS)
                rows.append(Row(name: spec.name, role: spec.role.rawValue, features: l.count, geometry: l.geometryTypes.joined(separator: "/"),
                                invalid: l.invalid.count, repaired: l.invalid.filter(\.repaired).count,
                                extent: env(l.lonLatExtent), areaKm2: l.areasKm2.reduce(0, +), file: l.path, source: spec.source,
                                invalidFeatures: l.invalid.map { tr("elemento \($0.feature) (\($0.id)): \($0.reason)", "feature \($0.feature) (\($0.id)): \($0.reason)") }))
            } else {
                rows.append(Row(name: spec.name, role: spec.role.rawValue, features: try GeoJSONProbe.count(catalog.resolve(spec)),
                                geometry: probe, invalid: 0, repaired: 0, extent: [], areaKm2: nil,
                                file: try catalog.resolve(spec), source: spec.source, invalidFeatures: []))
            }
        }
        return (catalog, rows)
    }

    private static func env(_ e: Envelope) -> [Double] { [e.minX, e.minY, e.maxX, e.maxY] }
}

/// Peeks at a GeoJSON file's geometry kind without building geometries (the layer set's summary:
/// parsed once per run, cached between runs).
enum GeoJSONProbe {
    static func summary(_ path: String) throws -> GeoJSONSummary {
        do { return try LayerSet.shared.summary(path: path) } catch LayerError.malformed(_, nil, _) {
            throw LayerError.malformed(path: path, feature: nil, reason: tr("no es un FeatureCollection de GeoJSON", "not a GeoJSON FeatureCollection"))
        }
    }
    static func kind(of path: String) throws -> String {
        let types = Set(try summary(path).types)
        if types.isSubset(of: ["Point"]) { return "Point" }
        if types.isSubset(of: ["Polygon", "MultiPolygon"]) { return "Polygon" }
        return types.sorted().joined(separator: "/")
    }
    static func count(_ path: String) throws -> Int { try summary(path).count }
}
