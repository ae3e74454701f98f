import Crypto
import Foundation
import Primitives

/// The layers of one run: each layer file is read, parsed, validated/repaired (GEOS) and projected
/// (PROJ) at most once per process, whichever command step asks for it and however many times,
/// and so is each locator and nearest-point index built on it. With a persistent `LayerCache`
/// (the `atalaya` executable enables it, see `usePersistentCache`), what a run prepares is written
/// to disk and later runs read it instead of building it.
///
/// Everything is keyed by the SHA-256 of the layer file's bytes (never by its name or time), the
/// CRS and the manifest fields that change the result (id and name fields), so two manifest entries
/// or paths with the same bytes share one preparation, and a changed file is a new key. A file's
/// hash is reused while its identity (inode, size, times) is unchanged and settled
/// (`FileIdentity.settled`); otherwise the file is hashed again.
///
/// `PolygonLayer.load`, `PointLayer.load`, `AssignmentLayers.load`, `AssignmentLayers.studyAreaLonLat`
/// and `StudyArea.parse` all go through `LayerSet.shared`.
///
/// Thread safety (`@unchecked Sendable`): the mutable state — `cache`, `digests`, `extents`, `raw`
/// and the `slots` table — is read and written only while `lock` is held, and no other lock is taken
/// while holding it. Each slot's value is read and written only under that slot's own lock, held
/// while the value is built, so that two threads asking for the same layer build it once (the
/// second waits) while different layers build in parallel. A slot's build takes no slot lock
/// (a locator's build is handed the already built layer), so the locks cannot deadlock.
public final class LayerSet: @unchecked Sendable {
    /// The process's set.
    public static let shared = LayerSet()

    private let lock = NSLock()
    private var cache: LayerCache?
    /// Path → (identity when hashed, SHA-256 of the bytes), only for settled identities.
    private var digests: [String: (FileIdentity, [UInt8])] = [:]
    /// Content digest (hex) → union of its polygonal features' lon/lat envelopes.
    private var extents: [String: Envelope] = [:]
    /// Content digest (hex) → parsed features, kept from a read that did not build a layer (e.g. an
    /// extent) until a layer is built from them, so the file is not parsed twice.
    private var raw: [String: [GeoJSONParser.Feature]] = [:]
    private var slots: [String: AnyObject] = [:]
    private var tally = Tally()

    /// How this set obtained its layers and indexes (for tests and diagnostics).
    struct Tally: Equatable {
        var built = 0, readFromCache = 0
    }

    var counts: Tally { lock.withLock { tally } }

    private func count<T>(_ value: T?, fromCache: Bool) -> T? {
        if value != nil { lock.withLock { if fromCache { tally.readFromCache += 1 } else { tally.built += 1 } } }
        return value
    }

    /// A set with `cache` as its persistent store (nil: memory only).
    public init(cache: LayerCache? = nil) { self.cache = cache }

    /// Makes the set read and write prepared layers in `cache` from now on (nil: memory only).
    public func usePersistentCache(_ cache: LayerCache?) { lock.withLock { self.cache = cache } }

    /// The persistent cache in use, if any.
    public var persistentCache: LayerCache? { lock.withLock { cache } }

    // MARK: Layers

    /// A polygon layer (see `PolygonLayer.load`).
    public func polygonLayer(_ spec: LayerSpec, catalog: LayerCatalog, crs: String = WorkingCRS.default) throws -> PolygonLayer {
        let path = try catalog.resolve(spec)
        var file = try self.file(path)
        let key = LayerCache.Key(kind: .polygons, fields: layerFields(file.digest, spec: spec, crs: crs))
        let layer = try once(key) { cache -> PolygonLayer in
            if let c = cache, let l = count(c.load(key, { try Self.decodePolygons(&$0, crs: crs) }), fromCache: true) { return l }
            let built = try PolygonLayer.build(try self.features(&file), spec: spec, path: path, crs: crs)
            _ = count(built, fromCache: false)
            if let c = cache, file.trusted {
                c.store(key, payload: Self.encode(built))
                c.store(Self.extentKey(file.digest), payload: Self.encode(built.lonLatExtent))
            }
            return built
        }
        lock.withLock { extents[hex(file.digest)] = layer.lonLatExtent }
        return layer.with(spec: spec, path: path, key: key)
    }

    /// A point layer (see `PointLayer.load`).
    public func pointLayer(_ spec: LayerSpec, catalog: LayerCatalog, crs: String = WorkingCRS.default) throws -> PointLayer {
        let path = try catalog.resolve(spec)
        var file = try self.file(path)
        let key = LayerCache.Key(kind: .points, fields: layerFields(file.digest, spec: spec, crs: crs))
        let layer = try once(key) { cache -> PointLayer in
            if let c = cache, let l = count(c.load(key, { try Self.decodePoints(&$0, crs: crs) }), fromCache: true) { return l }
            let built = try PointLayer.build(try self.features(&file), spec: spec, path: path, crs: crs)
            _ = count(built, fromCache: false)
            if let c = cache, file.trusted { c.store(key, payload: Self.encode(built)) }
            return built
        }
        return layer.with(spec: spec, path: path, key: key)
    }

    /// The exact locator over `layer`'s polygons, or over `features` of them (ids `layer.ids` of
    /// those), with raster cells of `cellSize` — built once per run and content.
    public func locator(for layer: PolygonLayer, features: [Int]? = nil, cellSize: Double = 4) -> PolygonLocator {
        let polygons = features.map { $0.map { layer.polygons[$0] } } ?? layer.polygons
        let ids = features.map { $0.map { layer.ids[$0] } } ?? layer.ids
        guard let layerKey = layer.key else { return PolygonLocator(polygons: polygons, ids: ids, cellSize: cellSize) }
        let key = LayerCache.Key(kind: .locator, fields: [
            ("layer", hex(layerKey.digest)), ("cell", String(cellSize.bitPattern, radix: 16)),
            ("features", features.map { $0.map(String.init).joined(separator: ",") } ?? "all"),
        ])
        return once(key) { cache in
            if let c = cache, let raster = count(c.loadMapped(key, { try CellRaster.decode(&$0, mapping: $1, polygonCount: polygons.count) }),
                                                 fromCache: true) {
                return PolygonLocator(polygons: polygons, ids: ids, raster: raster)
            }
            let built = PolygonLocator(polygons: polygons, ids: ids, cellSize: cellSize)
            _ = count(built, fromCache: false)
            if let c = cache {
                var w = CacheWriter()
                built.raster.encode(&w)
                c.store(key, payload: w.bytes)
            }
            return built
        }
    }

    /// The nearest-point index of `layer`, built once per run and content.
    public func nearestIndex(for layer: PointLayer) -> NearestPointIndex {
        guard let layerKey = layer.key else { return NearestPointIndex(x: layer.x, y: layer.y) }
        let key = LayerCache.Key(kind: .nearest, fields: [("layer", hex(layerKey.digest))])
        return once(key) { cache in
            if let c = cache, let index = count(c.load(key, { try NearestPointIndex.decode(&$0, count: layer.count) }), fromCache: true) {
                return index
            }
            let built = NearestPointIndex(x: layer.x, y: layer.y)
            _ = count(built, fromCache: false)
            if let c = cache {
                var w = CacheWriter()
                built.encode(&w)
                c.store(key, payload: w.bytes)
            }
            return built
        }
    }

    /// The mask of a study area over a grid's cell centres (`StudyArea.containsCellCentres`), made
    /// by `make` once per area and grid; kept as bits in the layer cache.
    func cellMask(of area: StudyArea, grid g: (originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int),
                  _ make: () throws -> [Bool]) throws -> [Bool] {
        guard let layerKey = area.layer.key else { return try make() }
        let n = g.columns * g.rows
        let key = LayerCache.Key(kind: .mask, fields: [
            ("layer", hex(layerKey.digest)), ("features", area.features.map(String.init).joined(separator: ",")),
            ("grid", [g.originX.bitPattern, g.originY.bitPattern, g.cellSize.bitPattern, UInt64(g.columns), UInt64(g.rows)]
                .map { String($0, radix: 16) }.joined(separator: ",")),
        ])
        return try once(key) { cache in
            if let c = cache, let mask = count(c.load(key, { r -> [Bool] in
                let bits = try r.array(UInt8.self)
                guard bits.count == (n + 7) / 8 else { throw CacheReader.Corrupt() }
                return (0..<n).map { bits[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
            }), fromCache: true) { return mask }
            let mask = try make()
            _ = count(mask, fromCache: false)
            if let c = cache {
                var bits = [UInt8](repeating: 0, count: (n + 7) / 8)
                for i in 0..<n where mask[i] { bits[i >> 3] |= 1 << UInt8(i & 7) }
                var w = CacheWriter()
                w.array(bits)
                c.store(key, payload: w.bytes)
            }
            return mask
        }
    }

    /// The union of the lon/lat envelopes of the polygonal features of `spec`'s file (non-polygonal
    /// features ignored). From the prepared layer when this run or the cache has it; else from the
    /// file's features alone (no projection, no validation), kept for a later build.
    public func lonLatExtent(_ spec: LayerSpec, catalog: LayerCatalog, crs: String = WorkingCRS.default) throws -> Envelope {
        let path = try catalog.resolve(spec)
        var file = try self.file(path)
        let digest = hex(file.digest)
        if let e = lock.withLock({ extents[digest] }) { return e }
        let cache = persistentCache, key = Self.extentKey(file.digest)
        if let cache, let e = cache.load(key, { try $0.envelope() }) {
            lock.withLock { extents[digest] = e }
            return e
        }
        var e = Envelope.empty
        // With a persistent cache, preparing the layer now pays in every later run; a layer that
        // cannot be prepared (e.g. a feature without id) still has an extent, read below.
        if cache != nil, let layer = try? polygonLayer(spec, catalog: catalog, crs: crs) { e = layer.lonLatExtent } else {
            for f in try GeoJSONReader.features(try parsed(&file, keep: true), path: path) {
                if case let .polygonal(shape) = f.shape { e.expand(shape.envelope) }
            }
        }
        lock.withLock { extents[digest] = e }
        if let cache, file.trusted { cache.store(key, payload: Self.encode(e)) }
        return e
    }

    /// The entry holding a file's lon/lat extent (its polygonal features').
    private static func extentKey(_ digest: [UInt8]) -> LayerCache.Key {
        LayerCache.Key(kind: .extent, fields: [("sha256", hex(digest))])
    }

    private static func encode(_ e: Envelope) -> [UInt8] {
        var w = CacheWriter()
        w.envelope(e)
        return w.bytes
    }

    /// What kinds of geometry a GeoJSON file holds and how many features, without building any
    /// geometry (what `atalaya layers` shows for every layer).
    public func summary(path: String) throws -> GeoJSONSummary {
        var file = try self.file(path)
        let key = LayerCache.Key(kind: .summary, fields: [("sha256", hex(file.digest))])
        return try once(key) { cache in
            if let c = cache, let s = c.load(key, { r in GeoJSONSummary(types: try r.strings(), count: try r.int()) }) { return s }
            let features = try self.parsed(&file, keep: true)
            let s = GeoJSONSummary(types: Set(features.compactMap { $0.geometry?.type }).sorted(), count: features.count)
            if let c = cache, file.trusted {
                var w = CacheWriter()
                w.strings(s.types); w.int(s.count)
                c.store(key, payload: w.bytes)
            }
            return s
        }
    }

    // MARK: Files and digests

    /// A layer file: its path, the SHA-256 of its bytes, and the bytes when they had to be read.
    struct LayerFile {
        let path: String
        var digest: [UInt8]
        var bytes: [UInt8]?
        /// False when the bytes read for building differ from those hashed (the file changed
        /// meanwhile): the result is then used but not stored under the old digest.
        var trusted = true
    }

    /// SHA-256 of a layer file's bytes, lower-case hex: the digest this set already keys the layer by
    /// (hashed at most once per run, or reused from the persistent cache while the file is unchanged).
    public func sha256(path: String) throws -> String { hex(try file(path).digest) }

    /// The file's digest: reused while its settled identity is unchanged (this run, or a digest
    /// record in the persistent cache), else read and hashed.
    func file(_ path: String) throws -> LayerFile {
        let identity = FileIdentity(path: path)
        let (known, cache) = lock.withLock { (digests[path], self.cache) }
        if let identity, let known, known.0 == identity { return LayerFile(path: path, digest: known.1) }
        let recordKey = LayerCache.Key(kind: .fileDigest, fields: [("path", path)])
        if let identity, let cache, let record = cache.load(recordKey, { r -> (FileIdentity, [UInt8]) in
            (try FileIdentity.decode(&r), try r.elements(UInt8.self, count: 32))
        }), record.0 == identity {
            lock.withLock { digests[path] = record }
            return LayerFile(path: path, digest: record.1)
        }
        guard let bytes = LayerCache.readFile(path) else { throw GeoJSONReader.unreadable(path) }
        let digest = Array(SHA256.hash(data: bytes))
        if let identity, identity.settled, identity.size == Int64(bytes.count), FileIdentity(path: path) == identity {
            lock.withLock { digests[path] = (identity, digest) }
            if let cache {
                var w = CacheWriter()
                identity.encode(&w)
                for b in digest { w.u8(b) }
                cache.store(recordKey, payload: w.bytes)
            }
        }
        return LayerFile(path: path, digest: digest, bytes: bytes)
    }

    /// The file's parsed features: kept from an earlier read of the same bytes, else parsed now
    /// (and kept for a later build when `keep`).
    private func parsed(_ file: inout LayerFile, keep: Bool) throws -> [GeoJSONParser.Feature] {
        let digest = hex(file.digest)
        if let f = lock.withLock({ keep ? raw[digest] : raw.removeValue(forKey: digest) }) { return f }
        if file.bytes == nil {
            guard let bytes = LayerCache.readFile(file.path) else { throw GeoJSONReader.unreadable(file.path) }
            if !SHA256.hash(data: bytes).elementsEqual(file.digest) { file.trusted = false }
            file.bytes = bytes
        }
        let features = try GeoJSONReader.parse(file.bytes!, path: file.path)
        if keep && file.trusted { lock.withLock { raw[digest] = features } }
        return features
    }

    /// Checked features for a build (the kept parse is handed over and dropped).
    private func features(_ file: inout LayerFile) throws -> [RawFeature] {
        try GeoJSONReader.features(try parsed(&file, keep: false), path: file.path)
    }

    private func layerFields(_ digest: [UInt8], spec: LayerSpec, crs: String) -> [(String, String)] {
        [("sha256", hex(digest)), ("crs", crs), ("id_field", spec.idField),
         ("name_field", spec.nameField.map { "1" + $0 } ?? "0")]
    }

    // MARK: Slots

    /// Holds one prepared value. `value` is read and written only while `lock` is held.
    private final class Slot<Value>: @unchecked Sendable {
        let lock = NSLock()
        var value: Value?
    }

    /// The value for `key`: this run's, else `build`'s (given the persistent cache, if any).
    /// A failed build stores nothing, so the next caller tries again and gets the same error.
    private func once<Value>(_ key: LayerCache.Key, _ build: (LayerCache?) throws -> Value) rethrows -> Value {
        let (slot, persistent) = lock.withLock { () -> (Slot<Value>, LayerCache?) in
            if let s = slots[key.text] as? Slot<Value> { return (s, self.cache) }
            let s = Slot<Value>()
            slots[key.text] = s
            return (s, self.cache)
        }
        slot.lock.lock()
        defer { slot.lock.unlock() }
        if let v = slot.value { return v }
        let v = try build(persistent)
        slot.value = v
        return v
    }

    // MARK: Payloads

    static func encode(_ l: PolygonLayer) -> [UInt8] {
        var w = CacheWriter()
        w.strings(l.ids); w.strings(l.names); w.strings(l.geometryTypes)
        w.envelope(l.lonLatExtent)
        w.array(l.areasKm2)
        w.int(l.invalid.count)
        for v in l.invalid { w.int(v.feature); w.string(v.id); w.string(v.reason); w.u8(v.repaired ? 1 : 0) }
        w.polygons(l.polygons)
        return w.bytes
    }

    static func decodePolygons(_ r: inout CacheReader, crs: String) throws -> PolygonLayer {
        let ids = try r.strings(), names = try r.strings(), types = try r.strings()
        let extent = try r.envelope()
        let areas = try r.array(Double.self)
        let n = try r.int()
        var invalid: [FeatureValidity] = []
        for _ in 0..<n {
            invalid.append(FeatureValidity(feature: try r.int(), id: try r.string(), reason: try r.string(), repaired: try r.u8() != 0))
        }
        let polygons = try r.polygons()
        guard names.count == ids.count, areas.count == ids.count, polygons.count == ids.count else { throw CacheReader.Corrupt() }
        // spec and path are the caller's (`with(spec:path:key:)`).
        return PolygonLayer(spec: LayerSpec(name: "", file: "", idField: "", nameField: nil, role: .context, source: ""),
                            path: "", crs: crs, ids: ids, names: names, polygons: polygons, invalid: invalid,
                            lonLatExtent: extent, areasKm2: areas, geometryTypes: types, key: nil)
    }

    static func encode(_ l: PointLayer) -> [UInt8] {
        var w = CacheWriter()
        w.strings(l.ids); w.strings(l.names)
        w.envelope(l.lonLatExtent)
        w.array(l.x); w.array(l.y)
        w.array(l.skipped.map(Int64.init))
        return w.bytes
    }

    static func decodePoints(_ r: inout CacheReader, crs: String) throws -> PointLayer {
        let ids = try r.strings(), names = try r.strings()
        let extent = try r.envelope()
        let x = try r.array(Double.self), y = try r.array(Double.self)
        let skipped = try r.array(Int64.self).map { Int($0) }
        guard names.count == ids.count, x.count == ids.count, y.count == ids.count else { throw CacheReader.Corrupt() }
        return PointLayer(spec: LayerSpec(name: "", file: "", idField: "", nameField: nil, role: .context, source: ""),
                          path: "", crs: crs, ids: ids, names: names, x: x, y: y, lonLatExtent: extent,
                          skipped: skipped, key: nil)
    }
}

/// The geometry types a GeoJSON file declares (features with a geometry; sorted) and its feature count.
public struct GeoJSONSummary: Sendable, Hashable {
    public let types: [String]
    public let count: Int
}
