import Foundation
import Primitives

/// Exact point-in-polygon assignment for one polygon layer, fast in bulk.
///
/// The `CellRaster` answers for points whose cell no boundary crosses; GEOS's prepared predicates
/// decide the rest. The answer always equals GEOS's (see `GEOSJudge` for the boundary rule);
/// the raster only accelerates.
public final class PolygonLocator: Sendable {
    public struct Statistics: Sendable {
        public let cellSize: Double
        public let fineBlocks: Int
        public let memoryBytes: Int
    }

    /// Result code for a point in no polygon.
    public static let none: Int32 = -1

    private let polygons: [Polygonal]
    private let rank: [Int32]
    let raster: CellRaster
    private let judges = JudgePool()

    /// - Parameters:
    ///   - polygons: in a metric CRS.
    ///   - ids: feature ids, used by the boundary rule (smallest id wins ties).
    ///   - cellSize: raster cell side in the polygons' units; smaller → fewer GEOS calls, more memory.
    public init(polygons: [Polygonal], ids: [String], cellSize: Double = 4) {
        precondition(polygons.count == ids.count)
        self.polygons = polygons
        rank = Self.rank(ids)
        raster = CellRaster(polygons: polygons, cellSize: cellSize)
    }

    /// A locator over a raster read back from the layer cache (built for these polygons).
    init(polygons: [Polygonal], ids: [String], raster: CellRaster) {
        precondition(polygons.count == ids.count)
        self.polygons = polygons
        rank = Self.rank(ids)
        self.raster = raster
    }

    /// Each feature's place in the boundary rule's order: id in byte order, then file order.
    private static func rank(_ ids: [String]) -> [Int32] {
        let order = ids.indices.sorted { a, b in
            let ua = Array(ids[a].utf8), ub = Array(ids[b].utf8)
            return ua == ub ? a < b : ua.lexicographicallyPrecedes(ub)
        }
        var rank = [Int32](repeating: 0, count: ids.count)
        for (r, i) in order.enumerated() { rank[i] = Int32(r) }
        return rank
    }

    /// A raster cell for these polygons: `minimum`, or 1/20,000 of the extent's diagonal when that
    /// is larger, which bounds the raster's memory for region-wide layers.
    public static func cellSize(for polygons: [Polygonal], minimum: Double) -> Double {
        var e = Envelope.empty
        for p in polygons { e.expand(p.envelope) }
        guard !e.isEmpty else { return minimum }
        let diagonal = (e.width * e.width + e.height * e.height).squareRoot()
        return max(minimum, diagonal / 20_000)
    }

    public var statistics: Statistics {
        Statistics(cellSize: raster.cellSize, fineBlocks: raster.fineBlockCount, memoryBytes: raster.memoryBytes)
    }

    /// Index of the polygon containing (x, y), or `PolygonLocator.none`.
    public func locate(x: Double, y: Double) throws -> Int32 {
        let judge = judges.take { GEOSJudge(polygons: polygons, rank: rank) }
        defer { judges.put(judge) }
        return try locate(x: x, y: y, judge: judge)
    }

    @inline(__always)
    private func locate(x: Double, y: Double, judge: GEOSJudge) throws -> Int32 {
        var fb = 0
        let v = raster.lookup(x: x, y: y, fineBlock: &fb)
        if v != CellRaster.ambiguous { return v }
        return try judge.locate(x: x, y: y, candidates: raster.candidates(inFineBlock: fb))
    }

    /// Bulk location on all cores. `result[i]` is a polygon index or `none`.
    public func locate(x: [Double], y: [Double]) throws -> [Int32] {
        precondition(x.count == y.count)
        let n = x.count
        let out = SharedBuffer<Int32>(repeating: -1, count: n)
        let errors = ErrorBox()
        ParallelWork.forEachChunk(count: n, chunks: n < 10_000 ? 1 : ParallelWork.threadCount * 4) { _, range in
            let judge = judges.take { GEOSJudge(polygons: polygons, rank: rank) }
            defer { judges.put(judge) }
            x.withUnsafeBufferPointer { xs in
                y.withUnsafeBufferPointer { ys in
                    do {
                        for i in range { out[i] = try locate(x: xs[i], y: ys[i], judge: judge) }
                    } catch { errors.set(error) }
                }
            }
        }
        if let e = errors.error { throw e }
        return out.toArray()
    }

    /// The same answer computed by GEOS alone (STRtree + prepared predicates), one thread:
    /// the reference for tests and benchmarks.
    public func locateWithGEOSOnly(x: [Double], y: [Double]) throws -> [Int32] {
        let reference = try GEOSReferenceLocator(polygons: polygons, rank: rank)
        return try zip(x, y).map { try reference.locate(x: $0, y: $1) }
    }
}

/// Reuses GEOS judges (each with its own context and prepared geometries, not thread-safe) across calls.
/// Safe to share: `free` is only touched under `lock`, and a judge is either in `free` or held by the one
/// thread that took it until it puts it back (the compiler cannot follow that hand-over, hence unchecked).
private final class JudgePool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [GEOSJudge] = []
    func take(_ make: () -> GEOSJudge) -> GEOSJudge {
        lock.lock(); defer { lock.unlock() }
        return free.popLast() ?? make()
    }
    func put(_ j: GEOSJudge) { lock.lock(); free.append(j); lock.unlock() }
}
