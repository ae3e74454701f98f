import Foundation
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
        // Choosing the operation queries proj.db (10–25 ms per context); the single operation it
        // chose, as a PROJ pipeline proven to give the same bits (`ProjectionMemo`), needs no database.
        if let pipeline = ProjectionMemo.shared.pipeline(source, target), let ctx = proj_context_create() {
            if let pj = ProjectionMemo.createWithoutDatabase(pipeline, in: ctx) {
                context = ctx
                self.pj = pj
                return
            }
            proj_context_destroy(ctx)   // its data folder is gone: choose the operation afresh below
        }
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
        ProjectionMemo.shared.learn(source, target, from: norm, context: ctx)
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
        try x.withUnsafeMutableBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                try transform(x: xb.baseAddress!, y: yb.baseAddress!, count: n, strict: strict, firstIndex: 0)
            }
        }
    }

    /// Transforms `count` points in place; a failed point is reported as #(`firstIndex` + its offset).
    func transform(x: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>, count n: Int,
                   strict: Bool, firstIndex: Int) throws {
        proj_errno_reset(pj)
        _ = proj_trans_generic(pj, PJ_FWD,
                               x, MemoryLayout<Double>.stride, n,
                               y, MemoryLayout<Double>.stride, n,
                               nil, 0, 0, nil, 0, 0)
        if strict {
            for i in 0..<n where !x[i].isFinite || !y[i].isFinite {
                let code = proj_errno(pj)
                let msg = code == 0 ? "coordinate outside the projection's domain" : String(cString: proj_context_errno_string(context, code))
                throw ProjectionError.pointFailed(index: firstIndex + i, x: x[i], y: y[i], message: msg)
            }
        }
    }

    /// Transforms a large batch on several threads, each with its own PROJ context, in place (no copies:
    /// each thread works on its own contiguous slice of the arrays). On error the arrays may be partly transformed.
    public static func transformParallel(from source: String, to target: String,
                                         x: inout [Double], y: inout [Double], strict: Bool = true) throws {
        precondition(x.count == y.count)
        let n = x.count
        let chunks = n < 20_000 ? 1 : ParallelWork.threadCount
        if chunks == 1 { try Projection(from: source, to: target).transform(x: &x, y: &y, strict: strict); return }
        let errors = ErrorBox()
        x.withUnsafeMutableBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                // Each worker writes its own chunk of the arrays only (DisjointWrites' rules).
                let xs = DisjointWrites(xb), ys = DisjointWrites(yb)
                ParallelWork.forEachChunk(count: n, chunks: chunks) { _, range in
                    do {
                        // A PJ is not thread-safe: one per thread, created here so the set-up runs in parallel too.
                        try Projection(from: source, to: target).transform(
                            x: xs.base + range.lowerBound, y: ys.base + range.lowerBound, count: range.count,
                            strict: strict, firstIndex: range.lowerBound)
                    } catch { errors.set(error) }
                }
            }
        }
        if let e = errors.error { throw e }
    }

    /// Whether `crs` is geographic (degrees), e.g. EPSG:4326 or EPSG:4686 (asked of PROJ once per
    /// CRS and PROJ version, `ProjectionMemo`).
    public static func isGeographic(_ crs: String) throws -> Bool {
        try ProjectionMemo.shared.text("geographic", crs) { try isGeographicUncached(crs) ? "1" : "0" } == "1"
    }

    private static func isGeographicUncached(_ crs: String) throws -> Bool {
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

    /// The CRS as WKT: ESRI flavour (for `.prj` files) or WKT2:2019 (asked of PROJ once per CRS and
    /// PROJ version, `ProjectionMemo`).
    public static func wkt(_ crs: String, esri: Bool) throws -> String {
        try ProjectionMemo.shared.text(esri ? "wkt1_esri" : "wkt2_2019", crs) { try wktUncached(crs, esri: esri) }
    }

    private static func wktUncached(_ crs: String, esri: Bool) throws -> String {
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

/// What PROJ answers from its database, kept for the process and in the layer cache (when one is
/// in use) so that a warm run never opens proj.db: the operation between two CRSs as a pipeline,
/// a CRS's WKT and whether it is geographic. Keyed by PROJ's version and its data settings
/// (`LayerCache.Key` adds the versions), so another PROJ asks the database again.
///
/// A pipeline is kept only when it is the whole answer: `proj_as_proj_string` gives none when PROJ
/// chose among several operations by area, and the pipeline rebuilt from the text must transform
/// a spread of points to exactly the same bits as the operation itself (a parameter PROJ prints
/// rounded would fail this, and the database is then asked every time).
///
/// Thread safety (`@unchecked Sendable`): `known` is read and written only under `lock`.
final class ProjectionMemo: @unchecked Sendable {
    static let shared = ProjectionMemo()
    private let lock = NSLock()
    /// Key text → answer ("" for a pair without a pipeline).
    private var known: [String: String] = [:]

    private func key(_ kind: String, _ fields: [(String, String)]) -> LayerCache.Key {
        let env = ProcessInfo.processInfo.environment
        let settings = ["PROJ_DATA", "PROJ_LIB", "PROJ_NETWORK", "PROJ_USER_WRITABLE_DIRECTORY"].map { ($0, env[$0] ?? "") }
        return LayerCache.Key(kind: .projection, fields: [("what", kind)] + fields + settings)
    }

    private func recall(_ key: LayerCache.Key) -> String? {
        if let v = lock.withLock({ known[key.text] }) { return v }
        guard let cache = LayerSet.shared.persistentCache, let v = cache.load(key, { try $0.string() }) else { return nil }
        lock.withLock { known[key.text] = v }
        return v
    }

    private func remember(_ key: LayerCache.Key, _ value: String) {
        lock.withLock { known[key.text] = value }
        if let cache = LayerSet.shared.persistentCache {
            var w = CacheWriter()
            w.string(value)
            cache.store(key, payload: w.bytes)
        }
    }

    /// A CRS fact as text, computed by `make` the first time.
    func text(_ what: String, _ crs: String, _ make: () throws -> String) throws -> String {
        let k = key(what, [("crs", crs)])
        if let v = recall(k) { return v }
        let v = try make()
        remember(k, v)
        return v
    }

    /// The proven pipeline from `source` to `target`, if one was learnt.
    func pipeline(_ source: String, _ target: String) -> String? {
        guard let v = recall(key("pipeline", [("source", source), ("target", target)])), !v.isEmpty else { return nil }
        return v
    }

    /// Records the pipeline of `pj` (made by `proj_create_crs_to_crs` + normalisation in `context`)
    /// when it reproduces `pj` exactly, else that there is none.
    func learn(_ source: String, _ target: String, from pj: OpaquePointer, context: OpaquePointer) {
        let k = key("pipeline", [("source", source), ("target", target)])
        if lock.withLock({ known[k.text] }) != nil { return }
        var answer = ""
        if let text = proj_as_proj_string(context, pj, PJ_PROJ_5, nil).map({ String(cString: $0) }),
           let copyContext = proj_context_create() {
            defer { proj_context_destroy(copyContext) }
            if let copy = Self.createWithoutDatabase(text, in: copyContext) {
                defer { proj_destroy(copy) }
                if Self.sameResults(pj, copy) { answer = text }
            }
        }
        remember(k, answer)
    }

    /// A pipeline made from its PROJ string in `context`, which is pointed at no data folder: PROJ
    /// would otherwise open proj.db and parse its schema (~8 ms) only to read a string that needs
    /// nothing from it. nil when the string does need data (a grid, an init file); `learn` proves
    /// the pipeline made this way. The context then logs nothing (PROJ reports the missing database
    /// on stderr whatever the log level).
    static func createWithoutDatabase(_ pipeline: String, in context: OpaquePointer) -> OpaquePointer? {
        proj_log_func(context, nil) { _, _, _ in }
        var none = [strdup("/nonexistent/atalaya-no-proj-data")]
        defer { free(none[0]) }
        none.withUnsafeMutableBufferPointer { b in
            b.withMemoryRebound(to: UnsafePointer<CChar>?.self) { proj_context_set_search_paths(context, 1, $0.baseAddress) }
        }
        return proj_create(context, pipeline)
    }

    /// Whether two transformations give bit-identical results (and the same failures) on a spread
    /// of inputs: a lon/lat grid over the globe (degrees), the same grid scaled to metres around
    /// the origins of projected CRSs, and points around Bogotá in both.
    private static func sameResults(_ a: OpaquePointer, _ b: OpaquePointer) -> Bool {
        var xs: [Double] = [], ys: [Double] = []
        for i in 0...36 { for j in 0...17 { xs.append(-180 + 10 * Double(i) + 0.123456789); ys.append(-85 + 10 * Double(j) + 0.987654321) } }
        for i in 0..<64 { xs.append(-74.3 + 0.01 * Double(i) + 1e-7 * Double(i * i)); ys.append(4.4 + 0.009 * Double(i)) }
        let n = xs.count
        for k in 0..<n { xs.append(4_000_000 + xs[k] * 20_000); ys.append(1_000_000 + ys[k] * 20_000) }
        for k in 0..<n { xs.append(xs[k] * 1_000); ys.append(ys[k] * 1_000) }
        func run(_ pj: OpaquePointer) -> ([Double], [Double]) {
            var x = xs, y = ys
            proj_errno_reset(pj)
            x.withUnsafeMutableBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { yb in
                    _ = proj_trans_generic(pj, PJ_FWD, xb.baseAddress, MemoryLayout<Double>.stride, xb.count,
                                           yb.baseAddress, MemoryLayout<Double>.stride, yb.count, nil, 0, 0, nil, 0, 0)
                }
            }
            return (x, y)
        }
        let (ax, ay) = run(a), (bx, by) = run(b)
        return zip(ax, bx).allSatisfy { $0.bitPattern == $1.bitPattern } && zip(ay, by).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
