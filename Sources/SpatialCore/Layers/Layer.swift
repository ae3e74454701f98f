import Foundation
import Primitives

/// How one feature's geometry was checked by GEOS.
public struct FeatureValidity: Sendable, Hashable {
    public let feature: Int       // 1-based position in the file
    public let id: String
    public let reason: String     // GEOS's isValidReason
    public let repaired: Bool     // replaced by GEOSMakeValid_r's polygonal result
}

/// A polygon layer in the working CRS, validated and repaired through GEOS.
public struct PolygonLayer: Sendable {
    public let spec: LayerSpec
    public let path: String
    public let crs: String
    public let ids: [String]
    public let names: [String]
    public let polygons: [Polygonal]
    /// Features that were invalid, with GEOS's reason and whether they were repaired.
    public let invalid: [FeatureValidity]
    /// Extent in lon/lat degrees.
    public let lonLatExtent: Envelope
    /// Area of each feature in km² (GEOS, working CRS).
    public let areasKm2: [Double]
    public var count: Int { ids.count }
    public var geometryTypes: [String]

    /// What the layer set keys this layer's prepared data by (nil: built outside a set).
    let key: LayerCache.Key?

    /// Loads, projects to `crs`, validates and repairs — once per run and content (`LayerSet`);
    /// later runs read the prepared layer from the persistent cache when one is enabled.
    public static func load(_ spec: LayerSpec, catalog: LayerCatalog, crs: String = WorkingCRS.default) throws -> PolygonLayer {
        try LayerSet.shared.polygonLayer(spec, catalog: catalog, crs: crs)
    }

    /// The same layer as another manifest entry or file with the same bytes names it.
    func with(spec: LayerSpec, path: String, key: LayerCache.Key?) -> PolygonLayer {
        PolygonLayer(spec: spec, path: path, crs: crs, ids: ids, names: names, polygons: polygons, invalid: invalid,
                     lonLatExtent: lonLatExtent, areasKm2: areasKm2, geometryTypes: geometryTypes, key: key)
    }

    /// Parses, projects to `crs`, validates and repairs (what `load` does on a miss).
    static func build(_ raw: [RawFeature], spec: LayerSpec, path: String, crs: String) throws -> PolygonLayer {
        var ids: [String] = [], names: [String] = [], shapes: [Polygonal] = [], types = Set<String>()
        var extent = Envelope.empty
        for f in raw {
            guard case let .polygonal(shape) = f.shape else {
                if case let .none(t) = f.shape { throw LayerError.wrongGeometry(path: path, feature: f.index, expected: "Polygon/MultiPolygon", found: t) }
                throw LayerError.wrongGeometry(path: path, feature: f.index, expected: "Polygon/MultiPolygon", found: "Point")
            }
            guard let id = f.properties[spec.idField], !id.isEmpty else {
                throw LayerError.missingField(path: path, feature: f.index, field: spec.idField)
            }
            types.insert(f.type)
            extent.expand(shape.envelope)
            ids.append(id)
            names.append(spec.nameField.flatMap { f.properties[$0] } ?? "")
            shapes.append(shape)
        }
        let projected = try project(shapes, to: crs)
        // Validate and repair with GEOS; areas from GEOS.
        let ctx = GEOSContext()
        var invalid: [FeatureValidity] = [], areas: [Double] = [], result: [Polygonal] = []
        for (i, shape) in projected.enumerated() {
            var g = try GEOSGeometry.polygonal(shape, context: ctx)
            var final = shape
            let (valid, reason) = try g.validity()
            if !valid {
                let repaired = try g.makeValid()
                let parts = try repaired.polygonalParts()
                invalid.append(FeatureValidity(feature: i + 1, id: ids[i], reason: reason ?? "invalid", repaired: !parts.isEmpty))
                if !parts.isEmpty { final = Polygonal(parts: parts); g = try GEOSGeometry.polygonal(final, context: ctx) }
            }
            areas.append(try g.area() / 1e6)
            result.append(final)
        }
        return PolygonLayer(spec: spec, path: path, crs: crs, ids: ids, names: names, polygons: result,
                            invalid: invalid, lonLatExtent: extent, areasKm2: areas, geometryTypes: types.sorted(), key: nil)
    }

    /// Projects every vertex of every shape in one PROJ batch.
    static func project(_ shapes: [Polygonal], to crs: String) throws -> [Polygonal] {
        try Polygonal.project(shapes, from: WorkingCRS.geographic, to: crs)
    }

    /// The union of the features (GEOS unary union) and its area in km².
    public func unionAreaKm2() throws -> Double {
        let ctx = GEOSContext()
        let all = Polygonal(parts: polygons.flatMap(\.parts))
        let g = try GEOSGeometry.polygonal(all, context: ctx)
        return try g.unaryUnion().area() / 1e6
    }
}

/// A point layer (infrastructure) in the working CRS.
public struct PointLayer: Sendable {
    public let spec: LayerSpec
    public let path: String
    public let crs: String
    public let ids: [String]
    public let names: [String]
    public let x: [Double]
    public let y: [Double]
    public let lonLatExtent: Envelope
    /// Features without a usable point geometry (1-based positions), reported, not used.
    public let skipped: [Int]
    public var count: Int { ids.count }

    /// What the layer set keys this layer's prepared data by (nil: built outside a set).
    let key: LayerCache.Key?

    /// Loads and projects to `crs` — once per run and content (`LayerSet`); later runs read the
    /// prepared layer from the persistent cache when one is enabled.
    public static func load(_ spec: LayerSpec, catalog: LayerCatalog, crs: String = WorkingCRS.default) throws -> PointLayer {
        try LayerSet.shared.pointLayer(spec, catalog: catalog, crs: crs)
    }

    /// The same layer as another manifest entry or file with the same bytes names it.
    func with(spec: LayerSpec, path: String, key: LayerCache.Key?) -> PointLayer {
        PointLayer(spec: spec, path: path, crs: crs, ids: ids, names: names, x: x, y: y, lonLatExtent: lonLatExtent,
                   skipped: skipped, key: key)
    }

    /// Parses and projects to `crs` (what `load` does on a miss).
    static func build(_ raw: [RawFeature], spec: LayerSpec, path: String, crs: String) throws -> PointLayer {
        var ids: [String] = [], names: [String] = [], xs: [Double] = [], ys: [Double] = [], skipped: [Int] = []
        var extent = Envelope.empty
        for f in raw {
            guard case let .point(p) = f.shape else {
                if case .polygonal = f.shape { throw LayerError.wrongGeometry(path: path, feature: f.index, expected: "Point", found: "Polygon") }
                skipped.append(f.index); continue
            }
            guard let id = f.properties[spec.idField], !id.isEmpty else {
                throw LayerError.missingField(path: path, feature: f.index, field: spec.idField)
            }
            extent.expand(p)
            ids.append(id)
            names.append(spec.nameField.flatMap { f.properties[$0] } ?? "")
            xs.append(p.x); ys.append(p.y)
        }
        try Projection.transformParallel(from: WorkingCRS.geographic, to: crs, x: &xs, y: &ys)
        return PointLayer(spec: spec, path: path, crs: crs, ids: ids, names: names, x: xs, y: ys, lonLatExtent: extent,
                          skipped: skipped, key: nil)
    }
}
