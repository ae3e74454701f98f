import Foundation
import Primitives

/// The layers an incident is placed against, loaded and indexed once: admin and patrol polygons
/// (each with its exact locator) and infrastructure points (each with a nearest-point index).
public struct AssignmentLayers: Sendable {
    public let crs: String
    public let polygonLayers: [PolygonLayer]
    public let locators: [PolygonLocator]
    public let pointLayers: [PointLayer]
    public let nearest: [NearestPointIndex]

    /// Loads every admin, patrol and infrastructure layer of the manifest (or only `names`).
    /// - Parameter cellSize: finest raster cell of the polygon indexes (metres); a layer spanning
    ///   a large region (municipios) gets a coarser cell (`PolygonLocator.cellSize(for:minimum:)`).
    public static func load(catalog: LayerCatalog, crs: String = WorkingCRS.default, names: [String]? = nil,
                            cellSize: Double = 4) throws -> AssignmentLayers {
        let wanted = try names.map { try $0.map { try catalog.spec(named: $0) } }
            ?? catalog.layers.filter { $0.role != .context }
        let polygonSpecs = wanted.filter { $0.role == .admin || $0.role == .patrol }
        let pointSpecs = wanted.filter { $0.role == .infrastructure }
        // Layers are independent: load and index them on all cores.
        let polys = SharedBuffer<Result<(PolygonLayer, PolygonLocator), Error>?>(repeating: nil, count: polygonSpecs.count)
        let points = SharedBuffer<Result<(PointLayer, NearestPointIndex), Error>?>(repeating: nil, count: pointSpecs.count)
        let jobs = polygonSpecs.count + pointSpecs.count
        DispatchQueue.concurrentPerform(iterations: jobs) { j in
            if j < polygonSpecs.count {
                polys[j] = Result {
                    let layer = try PolygonLayer.load(polygonSpecs[j], catalog: catalog, crs: crs)
                    let cell = PolygonLocator.cellSize(for: layer.polygons, minimum: cellSize)
                    return (layer, LayerSet.shared.locator(for: layer, cellSize: cell))
                }
            } else {
                let k = j - polygonSpecs.count
                points[k] = Result {
                    let layer = try PointLayer.load(pointSpecs[k], catalog: catalog, crs: crs)
                    return (layer, LayerSet.shared.nearestIndex(for: layer))
                }
            }
        }
        let p = try polys.toArray().map { try $0!.get() }
        let q = try points.toArray().map { try $0!.get() }
        return AssignmentLayers(crs: crs, polygonLayers: p.map(\.0), locators: p.map(\.1),
                                pointLayers: q.map(\.0), nearest: q.map(\.1))
    }

    /// A polygon layer and its locator by layer name.
    public func polygonLayer(named name: String) -> (layer: PolygonLayer, locator: PolygonLocator)? {
        polygonLayers.firstIndex { $0.spec.name == name }.map { (polygonLayers[$0], locators[$0]) }
    }

    /// A point layer and its nearest-point index by layer name.
    public func pointLayer(named name: String) -> (layer: PointLayer, index: NearestPointIndex)? {
        pointLayers.firstIndex { $0.spec.name == name }.map { (pointLayers[$0], nearest[$0]) }
    }

    /// Union of the admin layers' lon/lat extents, from the layer set (`LayerSet.lonLatExtent`:
    /// the prepared layers' envelopes; no file is read twice in a run).
    public static func studyAreaLonLat(catalog: LayerCatalog, crs: String = WorkingCRS.default) throws -> Envelope {
        var e = Envelope.empty
        for spec in catalog.layers where spec.role == .admin {
            e.expand(try LayerSet.shared.lonLatExtent(spec, catalog: catalog, crs: crs))
        }
        return e
    }

    /// Union of the admin layers' lon/lat extents: where incidents are expected (swap detection).
    public var studyAreaLonLat: Envelope {
        var e = Envelope.empty
        for l in polygonLayers where l.spec.role == .admin { e.expand(l.lonLatExtent) }
        return e
    }
}

/// Whether an incident fell inside any admin polygon. Outside points are kept, never deleted.
public enum AssignmentStatus: String, Sendable {
    case ok
    case outside
}

/// Where each incident falls: per polygon layer the feature index (−1 none), per point layer the
/// nearest feature and its distance in metres.
public struct Assignment: Sendable {
    public let polygonIndex: [[Int32]]
    public let nearestIndex: [[Int32]]
    public let nearestDistance: [[Double]]
    public let status: [AssignmentStatus]
    public var count: Int { status.count }

    /// - Complexity: O(n) with a small constant per layer; GEOS is called only for points in
    ///   raster cells that a boundary crosses.
    public static func compute(x: [Double], y: [Double], layers: AssignmentLayers) throws -> Assignment {
        let polygonIndex = try layers.locators.map { try $0.locate(x: x, y: y) }
        let nearest = layers.nearest.map { $0.nearest(x: x, y: y) }
        let adminLayers = layers.polygonLayers.indices.filter { layers.polygonLayers[$0].spec.role == .admin }
        let status: [AssignmentStatus] = (0..<x.count).map { i in
            adminLayers.contains { polygonIndex[$0][i] >= 0 } ? .ok : .outside
        }
        return Assignment(polygonIndex: polygonIndex, nearestIndex: nearest.map(\.index),
                          nearestDistance: nearest.map(\.distance), status: status)
    }

    /// Incidents per feature of polygon layer `layer` (index into `polygonLayers`); `unassigned` counts −1.
    public func counts(layer: Int, featureCount: Int) -> (perFeature: [Int], unassigned: Int) {
        var c = [Int](repeating: 0, count: featureCount), none = 0
        for v in polygonIndex[layer] { if v >= 0 { c[Int(v)] += 1 } else { none += 1 } }
        return (c, none)
    }
}
