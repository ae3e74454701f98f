import Foundation
import Primitives

/// Polygon neighbours by shared boundary ("queen" contiguity: sharing an edge or a vertex), from GEOS:
/// STRtree candidates, then prepared `intersects`. Self excluded; lists ascending.
public enum Contiguity {
    /// - Complexity: O(n log n + candidate pairs × predicate).
    public static func neighbours(of polygons: [Polygonal]) throws -> [[Int32]] {
        let ctx = GEOSContext()
        let tree = try GEOSSTRtree(context: ctx)
        let geoms = try polygons.map { try GEOSGeometry.polygonal($0, context: ctx) }
        for (i, g) in geoms.enumerated() { tree.insert(g, id: i) }
        return try geoms.enumerated().map { (i, g) in
            let p = try GEOSPreparedGeometry(g)
            return try tree.query(g).filter { $0 != i }.sorted().filter { try p.intersects(geoms[$0]) }.map { Int32($0) }
        }
    }
}
