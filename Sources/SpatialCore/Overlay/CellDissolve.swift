import Foundation
import Primitives

/// Dissolving selected grid cells into polygons, exactly: the boundary of each 4-connected set of cells
/// is traced in integer grid coordinates (column, row) and only then is each vertex mapped to the CRS,
/// once, as origin + index·cellSize. Two cells that share an edge therefore always end in the same
/// polygon, for any cell size (unioning rectangles whose corners were computed as y0 + cellSize left
/// slivers of 1 ulp between rows when the cell size was not a whole number of metres, and GEOS kept
/// them apart). These are the hotspot polygons and the isobands of a density map.
public enum CellDissolve {
    /// One connected part: its polygon (in the grid's CRS) and its cells (row-major indexes, ascending).
    public struct Part: Sendable {
        public let shape: Polygonal
        public let cells: [Int]
    }

    /// The grid coordinate of vertex index `i` (a column or row line): origin + i·cellSize, the one
    /// mapping every vertex and cell corner goes through, so equal indexes give bit-identical metres.
    @inline(__always)
    public static func coordinate(origin: Double, index i: Int, cellSize: Double) -> Double {
        origin + Double(i) * cellSize
    }

    /// Cell (column, row) as a closed counter-clockwise square whose corners come from `coordinate`, so
    /// neighbouring cells share their edges exactly.
    public static func square(originX: Double, originY: Double, cellSize: Double, column c: Int, row r: Int) -> Polygonal {
        let x0 = coordinate(origin: originX, index: c, cellSize: cellSize), x1 = coordinate(origin: originX, index: c + 1, cellSize: cellSize)
        let y0 = coordinate(origin: originY, index: r, cellSize: cellSize), y1 = coordinate(origin: originY, index: r + 1, cellSize: cellSize)
        return Polygonal(parts: [Polygon(exterior: [Point(x: x0, y: y0), Point(x: x1, y: y0), Point(x: x1, y: y1),
                                                    Point(x: x0, y: y1), Point(x: x0, y: y0)])])
    }

    /// - Parameters: grid geometry (lower-left origin, square cells, row 0 south) and the selected cells.
    /// - Returns: one single-polygon `Polygonal` per 4-connected part (cells touching only at a corner
    ///   are separate parts), in the order of each part's first cell (row-major).
    public static func polygons(originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int,
                                selected: [Bool]) throws -> [Polygonal] {
        dissolve(originX: originX, originY: originY, cellSize: cellSize, columns: columns, rows: rows, selected: selected).map(\.shape)
    }

    /// The connected parts of the selected cells with their polygons.
    ///
    /// Each part's boundary edges are followed with the part on the left (exterior rings come out
    /// counter-clockwise, holes clockwise). Where two cells of one part meet only at a corner, the
    /// tracer turns right, through the part, so that each ring bounds one connected region of the
    /// complement: rings stay simple and a hole may touch the shell at that vertex (valid OGC).
    /// Collinear vertices are dropped. - Complexity: O(columns × rows).
    public static func dissolve(originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int,
                                selected: [Bool]) -> [Part] {
        precondition(selected.count == columns * rows)
        // 1. 4-connected components (label −1: not selected).
        var label = [Int32](repeating: -1, count: selected.count)
        var members: [[Int]] = []
        var stack: [Int] = []
        for start in 0..<selected.count where selected[start] && label[start] < 0 {
            let id = Int32(members.count)
            var cells: [Int] = []
            label[start] = id; stack.append(start)
            while let k = stack.popLast() {
                cells.append(k)
                let c = k % columns, r = k / columns
                if c > 0, selected[k - 1], label[k - 1] < 0 { label[k - 1] = id; stack.append(k - 1) }
                if c + 1 < columns, selected[k + 1], label[k + 1] < 0 { label[k + 1] = id; stack.append(k + 1) }
                if r > 0, selected[k - columns], label[k - columns] < 0 { label[k - columns] = id; stack.append(k - columns) }
                if r + 1 < rows, selected[k + columns], label[k + columns] < 0 { label[k + columns] = id; stack.append(k + columns) }
            }
            members.append(cells.sorted())
        }
        guard !members.isEmpty else { return [] }

        // 2. Rings. Vertex (x, y) is the corner at column line x, row line y; cell (c, r) has corners
        // (c, r)…(c+1, r+1). A boundary edge heading east from (x, y) is the south side of cell (x, y)
        // with no cell of the same part below it; every ring has at least one such edge, so rings are
        // started from unused ones.
        func inPart(_ c: Int, _ r: Int, _ id: Int32) -> Bool {
            c >= 0 && r >= 0 && c < columns && r < rows && label[r * columns + c] == id
        }
        // Directions: 0 east, 1 north, 2 west, 3 south (counter-clockwise order).
        let dx = [1, 0, -1, 0], dy = [0, 1, 0, -1]
        // Is there a boundary edge leaving (x, y) in direction d with the part on its left?
        func edge(_ x: Int, _ y: Int, _ d: Int, _ id: Int32) -> Bool {
            switch d {
            case 0: return inPart(x, y, id) && !inPart(x, y - 1, id)          // NE in, SE out
            case 1: return inPart(x - 1, y, id) && !inPart(x, y, id)          // NW in, NE out
            case 2: return inPart(x - 1, y - 1, id) && !inPart(x - 1, y, id)  // SW in, NW out
            default: return inPart(x, y - 1, id) && !inPart(x - 1, y - 1, id) // SE in, SW out
            }
        }
        var eastUsed = [Bool](repeating: false, count: selected.count)   // south side of cell k traced
        var rings: [[[(Int, Int)]]] = Array(repeating: [], count: members.count)
        for (p, cells) in members.enumerated() {
            let id32 = Int32(p)
            for k in cells {
                let c = k % columns, r = k / columns
                guard !eastUsed[k], !inPart(c, r - 1, id32) else { continue }
                var ring: [(Int, Int)] = [(c, r)]
                var x = c, y = r, d = 0
                repeat {
                    if d == 0 { eastUsed[y * columns + x] = true }
                    x += dx[d]; y += dy[d]
                    // Right turn first, then straight, then left (never back).
                    let next = [(d + 3) % 4, d, (d + 1) % 4].first { edge(x, y, $0, id32) }!
                    if next != d { ring.append((x, y)) }
                    d = next
                } while !(x == c && y == r && d == 0)
                // Back at the start: drop the repeated vertex, and the start itself when the ring ran
                // straight through it (only turns were recorded elsewhere).
                if ring.last! == ring[0] { ring.removeLast() }
                let (a, b, n) = (ring[ring.count - 1], ring[0], ring[1])
                if (b.0 - a.0) * (n.1 - b.1) == (b.1 - a.1) * (n.0 - b.0) { ring.removeFirst() }
                rings[p].append(ring)
            }
        }

        // 3. Map each vertex once; exterior = the one counter-clockwise ring of the part.
        return members.indices.map { p in
            var exterior: Ring = [], holes: [Ring] = []
            for ring in rings[p] {
                var twiceArea = 0
                for i in ring.indices {
                    let (x0, y0) = ring[i], (x1, y1) = ring[(i + 1) % ring.count]
                    twiceArea += x0 * y1 - x1 * y0
                }
                var pts = ring.map { Point(x: coordinate(origin: originX, index: $0.0, cellSize: cellSize),
                                           y: coordinate(origin: originY, index: $0.1, cellSize: cellSize)) }
                pts.append(pts[0])
                if twiceArea > 0 { exterior = pts } else { holes.append(pts) }
            }
            return Part(shape: Polygonal(parts: [Polygon(exterior: exterior, holes: holes)]), cells: members[p])
        }
    }
}

/// Which features of a polygon layer intersect a given shape (GEOS STRtree + prepared intersects).
///
/// The tree holds each feature's envelope (as a rectangle: the tree only reads envelopes), and a
/// feature becomes a GEOS geometry, prepared, only when a shape's envelope first reaches it; the
/// prepared *feature* is then tested against each shape. Intersects is symmetric, so this is the
/// same answer as preparing the shape, but preparing the shape made GEOS walk every vertex of a
/// large feature (a municipio) again for each shape: most of a `hotspots` run on 1,000 points.
public final class LayerOverlay {
    private let context = GEOSContext()
    private let layer: PolygonLayer
    private let tree: GEOSSTRtree
    private var prepared: [Int: GEOSPreparedGeometry] = [:]

    public init(_ layer: PolygonLayer) throws {
        self.layer = layer
        tree = try GEOSSTRtree(context: context)
        for (i, p) in layer.polygons.enumerated() {
            let e = p.envelope
            guard !e.isEmpty else { continue }   // an empty feature intersects nothing
            let box = [Point(x: e.minX, y: e.minY), Point(x: e.maxX, y: e.minY), Point(x: e.maxX, y: e.maxY),
                       Point(x: e.minX, y: e.maxY), Point(x: e.minX, y: e.minY)]
            tree.insert(try GEOSGeometry.polygon(Polygon(exterior: box), context: context), id: i)
        }
    }

    /// Codes and official names of the features whose polygons intersect `shape`, sorted by code
    /// (byte order), names aligned with codes.
    public func units(intersecting shape: Polygonal) throws -> (codes: [String], names: [String]) {
        let hit = try features(intersecting: shape).sorted { Array(layer.ids[$0].utf8).lexicographicallyPrecedes(Array(layer.ids[$1].utf8)) }
        return (hit.map { layer.ids[$0] }, hit.map { layer.names[$0] })
    }

    private func features(intersecting shape: Polygonal) throws -> [Int] {
        let g = try GEOSGeometry.polygonal(shape, context: context)
        return try tree.query(g).sorted().filter { try feature($0).intersects(g) }
    }

    private func feature(_ i: Int) throws -> GEOSPreparedGeometry {
        if let p = prepared[i] { return p }
        let p = try GEOSPreparedGeometry(GEOSGeometry.polygonal(layer.polygons[i], context: context))
        prepared[i] = p
        return p
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
