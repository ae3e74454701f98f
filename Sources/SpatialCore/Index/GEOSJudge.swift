import Foundation
import Primitives

/// Decides point-in-polygon with GEOS's exact predicates, for one thread.
///
/// Boundary rule (deterministic, documented in README): a point in the interior of exactly one
/// polygon gets that polygon. A point in several interiors (overlapping features) or in none but on
/// the boundary of one or more (e.g. a shared edge) gets the one of lowest `rank`, that is the
/// smallest feature id in byte order, then the earliest in the file.
final class GEOSJudge {
    let context = GEOSContext()
    private let polygons: [Polygonal]
    private let rank: [Int32]
    private var prepared: [GEOSPreparedGeometry?]

    init(polygons: [Polygonal], rank: [Int32]) {
        self.polygons = polygons
        self.rank = rank
        prepared = Array(repeating: nil, count: polygons.count)
    }

    private func preparedGeometry(_ i: Int) throws -> GEOSPreparedGeometry {
        if let p = prepared[i] { return p }
        let g = try GEOSGeometry.polygonal(polygons[i], context: context)
        let p = try GEOSPreparedGeometry(g)
        prepared[i] = p
        return p
    }

    /// The polygon for (x, y) among `candidates`, or -1.
    func locate<C: Collection<Int32>>(x: Double, y: Double, candidates: C) throws -> Int32 {
        guard !candidates.isEmpty else { return -1 }
        let point = try GEOSGeometry.point(x: x, y: y, context: context)
        var best: Int32 = -1
        for c in candidates where try preparedGeometry(Int(c)).contains(point) {
            if best < 0 || rank[Int(c)] < rank[Int(best)] { best = c }
        }
        if best >= 0 { return best }
        for c in candidates where try preparedGeometry(Int(c)).intersects(point) {
            if best < 0 || rank[Int(c)] < rank[Int(best)] { best = c }
        }
        return best
    }
}

/// GEOS alone: an STRtree of polygon envelopes and prepared predicates. The reference that the
/// raster accelerator must agree with, point for point.
final class GEOSReferenceLocator {
    private let judge: GEOSJudge
    private let tree: GEOSSTRtree

    init(polygons: [Polygonal], rank: [Int32]) throws {
        judge = GEOSJudge(polygons: polygons, rank: rank)
        tree = try GEOSSTRtree(context: judge.context)
        for (i, p) in polygons.enumerated() {
            tree.insert(try GEOSGeometry.polygonal(p, context: judge.context), id: i)
        }
    }

    func locate(x: Double, y: Double) throws -> Int32 {
        let point = try GEOSGeometry.point(x: x, y: y, context: judge.context)
        return try judge.locate(x: x, y: y, candidates: tree.query(point).map { Int32($0) })
    }
}
