import CPROJ
import Primitives
import Synchronization

public enum ProjectionError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownCRS(String, message: String)
    case transformFailed(source: String, target: String, message: String)
    case pointFailed(index: Int, x: Double, y: Double, message: String)

    public var description: String {
        switch self {
        case let .unknownCRS(crs, msg): return "PROJ does not know the CRS '\(crs)': \(msg)"
        case let .transformFailed(s, t, msg): return "PROJ cannot transform \(s) → \(t): \(msg)"
        case let .pointFailed(i, x, y, msg): return "PROJ failed on point #\(i) (\(x), \(y)): \(msg)"
        }
    }
}

/// A coordinate transformation between two CRSs with axes normalised to x/y (lon/lat) order.
///
/// One instance owns its own PROJ context and is not shared between threads; make one per thread.
public final class Projection {
    public let source: String
    public let target: String
    private let context: OpaquePointer
    private let pj: OpaquePointer

    /// EPSG:9377 (MAGNA-SIRGAS 2018 / Origen-Nacional) for PROJ databases that lack it (DOMAIN.md §2).
    public static let originNacionalFallback =
        "+proj=tmerc +lat_0=4 +lon_0=-73 +k=0.9992 +x_0=5000000 +y_0=2000000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs"

    /// - Parameters: `source`, `target`: "EPSG:4326", "EPSG:9377", or any PROJ string / WKT.
    public init(from source: String, to target: String) throws {
        self.source = source
        self.target = target
        guard let ctx = proj_context_create() else { throw ProjectionError.transformFailed(source: source, target: target, message: "no PROJ context") }
        proj_log_level(ctx, PJ_LOG_NONE)  // report through errors, not stderr
        func resolve(_ crs: String) -> String {
            // Older proj.db lack EPSG:9377: keep the definition from DOMAIN.md as a fallback.
            if crs.uppercased() == "EPSG:9377" {
                if let probe = proj_create(ctx, crs) { proj_destroy(probe); return crs }
                return Projection.originNacionalFallback
            }
            return crs
        }
        let s = resolve(source), t = resolve(target)
        guard let raw = proj_create_crs_to_crs(ctx, s, t, nil) else {
            let msg = String(cString: proj_context_errno_string(ctx, proj_context_errno(ctx)))
            proj_context_destroy(ctx)
            throw ProjectionError.transformFailed(source: source, target: target, message: msg)
        }
        // Authority axis order (lat/lon for EPSG:4326) becomes x/y, lon/lat.
        guard let norm = proj_normalize_for_visualization(ctx, raw) else {
            proj_destroy(raw); proj_context_destroy(ctx)
            throw ProjectionError.transformFailed(source: source, target: target, message: "normalize_for_visualization failed")
        }
        proj_destroy(raw)
        context = ctx
        pj = norm
    }

    deinit {
        // The transform is destroyed before its context.
        proj_destroy(pj)
        proj_context_destroy(context)
    }

    /// Transforms one point.
    public func transform(_ p: Point) throws -> Point {
        var x = [p.x], y = [p.y]
        try transform(x: &x, y: &y)
        return Point(x: x[0], y: y[0])
    }

    /// Transforms in place. Points PROJ cannot transform become `.infinity`; `strict` turns them into an error.
    public func transform(x: inout [Double], y: inout [Double], strict: Bool = true) throws {
        precondition(x.count == y.count)
        let n = x.count
        guard n > 0 else { return }
        proj_errno_reset(pj)
        x.withUnsafeMutableBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                _ = proj_trans_generic(pj, PJ_FWD,
                                       xb.baseAddress, MemoryLayout<Double>.stride, n,
                                       yb.baseAddress, MemoryLayout<Double>.stride, n,
                                       nil, 0, 0, nil, 0, 0)
            }
        }
        if strict {
            for i in 0..<n where !x[i].isFinite || !y[i].isFinite {
                let code = proj_errno(pj)
                let msg = code == 0 ? "coordinate outside the projection's domain" : String(cString: proj_context_errno_string(context, code))
                throw ProjectionError.pointFailed(index: i, x: x[i], y: y[i], message: msg)
            }
        }
    }

    /// Transforms a large batch on several threads, each with its own PROJ context.
    public static func transformParallel(from source: String, to target: String,
                                         x: inout [Double], y: inout [Double], strict: Bool = true) throws {
        let n = x.count
        let chunks = n < 20_000 ? 1 : ParallelWork.threadCount
        if chunks == 1 { try Projection(from: source, to: target).transform(x: &x, y: &y, strict: strict); return }
        // A PROJ context is not thread-safe: each chunk has its own, used by that chunk's worker only. Chunk 0's is
        // made here, so that an unknown CRS fails before any work starts, and handed over through the mutex.
        let first = Mutex<Projection?>(try Projection(from: source, to: target))
        let errors = ErrorBox()
        let xb = SharedBuffer(copying: x), yb = SharedBuffer(copying: y)
        ParallelWork.forEachChunk(count: n, chunks: chunks) { chunk, range in
            var cx = range.map { xb[$0] }, cy = range.map { yb[$0] }
            do {
                let projection = try (chunk == 0 ? first.withLock { $0.take() } : nil) ?? Projection(from: source, to: target)
                try projection.transform(x: &cx, y: &cy, strict: strict)
            } catch let ProjectionError.pointFailed(i, px, py, msg) {
                errors.set(ProjectionError.pointFailed(index: i + range.lowerBound, x: px, y: py, message: msg))
            } catch { errors.set(error) }
            for (k, i) in range.enumerated() { xb[i] = cx[k]; yb[i] = cy[k] }
        }
        if let e = errors.error { throw e }
        x = xb.toArray(); y = yb.toArray()
    }

    /// Whether `crs` is geographic (degrees), e.g. EPSG:4326 or EPSG:4686.
    public static func isGeographic(_ crs: String) throws -> Bool {
        guard let ctx = proj_context_create() else { throw ProjectionError.unknownCRS(crs, message: "no PROJ context") }
        defer { proj_context_destroy(ctx) }
        proj_log_level(ctx, PJ_LOG_NONE)
        guard let pj = proj_create(ctx, crs) else {
            throw ProjectionError.unknownCRS(crs, message: String(cString: proj_context_errno_string(ctx, proj_context_errno(ctx))))
        }
        defer { proj_destroy(pj) }
        let t = proj_get_type(pj)
        return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS || t == PJ_TYPE_GEOGRAPHIC_CRS
    }

    /// The CRS as WKT: ESRI flavour (for `.prj` files) or WKT2:2019.
    public static func wkt(_ crs: String, esri: Bool) throws -> String {
        guard let ctx = proj_context_create() else { throw ProjectionError.unknownCRS(crs, message: "no PROJ context") }
        defer { proj_context_destroy(ctx) }
        proj_log_level(ctx, PJ_LOG_NONE)
        // Prefer the database's EPSG:9377; fall back to the DOMAIN.md definition when it lacks it.
        guard let pj = proj_create(ctx, crs) ?? (crs.uppercased() == "EPSG:9377" ? proj_create(ctx, originNacionalFallback) : nil) else {
            throw ProjectionError.unknownCRS(crs, message: String(cString: proj_context_errno_string(ctx, proj_context_errno(ctx))))
        }
        defer { proj_destroy(pj) }
        guard let text = proj_as_wkt(ctx, pj, esri ? PJ_WKT1_ESRI : PJ_WKT2_2019, nil) else {
            throw ProjectionError.unknownCRS(crs, message: "no WKT representation")
        }
        return String(cString: text)
    }

    /// Version of the linked PROJ library.
    public static var version: String { String(cString: proj_info().version) }
}
