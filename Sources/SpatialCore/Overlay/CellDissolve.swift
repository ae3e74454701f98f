import Foundation

/// Dissolving selected grid cells into polygons with GEOS (unary union), then splitting the result
/// into its connected parts: the hotspot polygons and isobands of a density map.
public enum CellDissolve {
    /// - Parameters: grid geometry (lower-left origin, square cells, row 0 south) and the selected cells.
    /// - Returns: one `Polygonal` (a single Polygon, holes kept) per connected part, in the grid's CRS,
    ///   ordered by GEOS's output.
    public static func polygons(originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int,
                                selected: [Bool]) throws -> [Polygonal] {
        precondition(selected.count == columns * rows)
        // Runs of selected cells along each row become rectangles; GEOS unions them.
        var parts: [Polygon] = []
        for r in 0..<rows {
            var c = 0
            while c < columns {
                guard selected[r * columns + c] else { c += 1; continue }
                let start = c
                while c < columns && selected[r * columns + c] { c += 1 }
                let x0 = originX + Double(start) * cellSize, x1 = originX + Double(c) * cellSize
                let y0 = originY + Double(r) * cellSize, y1 = y0 + cellSize
                parts.append(Polygon(exterior: [Point(x: x0, y: y0), Point(x: x1, y: y0), Point(x: x1, y: y1),
                                                Point(x: x0, y: y1), Point(x: x0, y: y0)]))
            }
        }
        guard !parts.isEmpty else { return [] }
        let ctx = GEOSContext()
        let collection = try GEOSGeometry.polygonal(Polygonal(parts: parts), context: ctx)
        let union = try collection.unaryUnion()
        return try union.polygonalParts().map { Polygonal(parts: [$0]) }
    }

    /// Area in the CRS's square units (GEOS).
    public static func area(_ shape: Polygonal) throws -> Double {
        try GEOSGeometry.polygonal(shape, context: GEOSContext()).area()
    }
}

/// Which features of a polygon layer intersect a given shape (GEOS STRtree + prepared intersects).
public final class LayerOverlay {
    private let context = GEOSContext()
    private let layer: PolygonLayer
    private let tree: GEOSSTRtree
    private var prepared: [Int: GEOSPreparedGeometry] = [:]
    private var geometries: [GEOSGeometry] = []

    public init(_ layer: PolygonLayer) throws {
        self.layer = layer
        tree = try GEOSSTRtree(context: context)
        for (i, p) in layer.polygons.enumerated() {
            let g = try GEOSGeometry.polygonal(p, context: context)
            geometries.append(g)
            tree.insert(g, id: i)
        }
    }

    /// Ids (codes) of the features whose polygons intersect `shape`, in layer order.
    public func codes(intersecting shape: Polygonal) throws -> [String] {
        let g = try GEOSGeometry.polygonal(shape, context: context)
        let p = try GEOSPreparedGeometry(g)
        return try tree.query(g).sorted().filter { try p.intersects(geometries[$0]) }.map { layer.ids[$0] }
    }
}

extension Polygonal {
    /// The same shape in another CRS (PROJ, one batch).
    public func projected(from source: String, to target: String) throws -> Polygonal {
        try Polygonal.project([self], from: source, to: target)[0]
    }

    /// Several shapes in another CRS, in one PROJ batch.
    public static func project(_ shapes: [Polygonal], from source: String, to target: String) throws -> [Polygonal] {
        var xs: [Double] = [], ys: [Double] = []
        for s in shapes { for r in s.allRings { for p in r { xs.append(p.x); ys.append(p.y) } } }
        try Projection.transformParallel(from: source, to: target, x: &xs, y: &ys)
        var k = 0
        return shapes.map { s in s.mapPoints { _ in defer { k += 1 }; return Point(x: xs[k], y: ys[k]) } }
    }
}
