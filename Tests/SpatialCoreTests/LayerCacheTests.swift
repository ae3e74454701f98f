import Foundation
import Testing
@testable import SpatialCore
import Primitives
import TestSupport

/// The per-run layer set and the persistent cache of prepared layers: what a warm run reads is
/// what a fresh load builds, field by field and bit for bit; a changed file is a new entry; a
/// damaged entry is ignored and rebuilt. Every test uses its own temporary cache folder.
@Suite struct LayerCacheTests {
    static func tempDir(_ name: String) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("atalaya-layercache-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: d)
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static func entries(_ dir: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).filter { $0.pathExtension == "layer" }
    }

    /// Every coordinate's bits, so that −0.0 ≠ 0.0 and NaN = NaN (== on Double would hide both).
    static func bits(_ shapes: [Polygonal]) -> [UInt64] {
        shapes.flatMap { $0.parts.flatMap { $0.rings.flatMap { $0.flatMap { [$0.x.bitPattern, $0.y.bitPattern] } } } }
    }

    static func expectSame(_ a: PolygonLayer, _ b: PolygonLayer) {
        #expect(a.spec == b.spec)
        #expect(a.path == b.path)
        #expect(a.crs == b.crs)
        #expect(a.ids == b.ids)
        #expect(a.names == b.names)
        #expect(a.polygons.map { $0.parts.map(\.holes.count) } == b.polygons.map { $0.parts.map(\.holes.count) })
        #expect(bits(a.polygons) == bits(b.polygons))
        #expect(a.invalid == b.invalid)
        #expect([a.lonLatExtent.minX, a.lonLatExtent.minY, a.lonLatExtent.maxX, a.lonLatExtent.maxY].map(\.bitPattern)
                == [b.lonLatExtent.minX, b.lonLatExtent.minY, b.lonLatExtent.maxX, b.lonLatExtent.maxY].map(\.bitPattern))
        #expect(a.areasKm2.map(\.bitPattern) == b.areasKm2.map(\.bitPattern))
        #expect(a.geometryTypes == b.geometryTypes)
    }

    static func expectSame(_ a: PointLayer, _ b: PointLayer) {
        #expect(a.spec == b.spec && a.path == b.path && a.crs == b.crs)
        #expect(a.ids == b.ids)
        #expect(a.names == b.names)
        #expect(a.x.map(\.bitPattern) == b.x.map(\.bitPattern))
        #expect(a.y.map(\.bitPattern) == b.y.map(\.bitPattern))
        #expect(a.lonLatExtent == b.lonLatExtent)
        #expect(a.skipped == b.skipped)
    }

    /// Points spread over an envelope (fixed seed), some outside it.
    static func probes(_ e: Envelope, count: Int = 20_000) -> (x: [Double], y: [Double]) {
        var rng = TestRandom(seed: 11)
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<count {
            x.append(Double.random(in: (e.minX - 500)...(e.maxX + 500), using: &rng))
            y.append(Double.random(in: (e.minY - 500)...(e.maxY + 500), using: &rng))
        }
        return (x, y)
    }

    /// A warm set (another process, as far as the cache can tell) reads every prepared object from
    /// the cache and it equals a fresh build: layers field by field, the locator's raster table for
    /// table, the nearest-point index answer for answer.
    @Test func cachedLayersEqualFreshOnes() throws {
        let dir = try Self.tempDir("equal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = try #require(LayerCache(directory: dir.path))
        let catalog = TestLayers.catalog
        let upl = try catalog.spec(named: "upl"), schools = try catalog.spec(named: "colegios")

        let cold = LayerSet(cache: cache)
        _ = cold.locator(for: try cold.polygonLayer(upl, catalog: catalog), cellSize: 8)
        _ = cold.nearestIndex(for: try cold.pointLayer(schools, catalog: catalog))
        #expect(cold.counts == LayerSet.Tally(built: 4, readFromCache: 0))
        #expect(try Self.entries(dir).count >= 4)

        let warm = LayerSet(cache: cache)
        let cachedPolygons = try warm.polygonLayer(upl, catalog: catalog)
        let cachedLocator = warm.locator(for: cachedPolygons, cellSize: 8)
        let cachedPoints = try warm.pointLayer(schools, catalog: catalog)
        let cachedIndex = warm.nearestIndex(for: cachedPoints)
        #expect(warm.counts == LayerSet.Tally(built: 0, readFromCache: 4))

        let memoryOnly = LayerSet()
        let freshPolygons = try memoryOnly.polygonLayer(upl, catalog: catalog)
        let freshPoints = try memoryOnly.pointLayer(schools, catalog: catalog)
        #expect(memoryOnly.counts == LayerSet.Tally(built: 2, readFromCache: 0))
        Self.expectSame(cachedPolygons, freshPolygons)
        Self.expectSame(cachedPoints, freshPoints)
        #expect(freshPolygons.count == 33)   // PROVENANCE.md: 33 UPL

        let freshLocator = PolygonLocator(polygons: freshPolygons.polygons, ids: freshPolygons.ids, cellSize: 8)
        let a = cachedLocator.raster.tables, b = freshLocator.raster.tables
        #expect(Array(a.blocks) == Array(b.blocks))
        #expect(Array(a.fine) == Array(b.fine))
        #expect(Array(a.candidateStart) == Array(b.candidateStart))
        #expect(Array(a.candidateList) == Array(b.candidateList))
        let (px, py) = Self.probes(envelope(freshPolygons.polygons))
        #expect(try cachedLocator.locate(x: px, y: py) == freshLocator.locate(x: px, y: py))

        let freshIndex = NearestPointIndex(x: freshPoints.x, y: freshPoints.y)
        var e = Envelope.empty
        for i in freshPoints.x.indices { e.expand(Point(x: freshPoints.x[i], y: freshPoints.y[i])) }
        let (qx, qy) = Self.probes(e)
        let c = cachedIndex.nearest(x: qx, y: qy), f = freshIndex.nearest(x: qx, y: qy)
        #expect(c.index == f.index)
        #expect(c.distance.map(\.bitPattern) == f.distance.map(\.bitPattern))
    }

    func envelope(_ shapes: [Polygonal]) -> Envelope {
        var e = Envelope.empty
        for s in shapes { e.expand(s.envelope) }
        return e
    }

    /// A layer file changed in place — one coordinate and one name, same size, its modification
    /// time put back — is a new entry: the warm set rebuilds it and sees the new bytes.
    @Test func changedFileInvalidatesItsEntry() throws {
        let dir = try Self.tempDir("changed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let geodata = dir.appendingPathComponent("geodata"), cacheDir = dir.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: geodata, withIntermediateDirectories: true)
        let file = geodata.appendingPathComponent("localidades.geojson")
        try FileManager.default.copyItem(atPath: try TestLayers.catalog.resolve(TestLayers.catalog.spec(named: "localidades")), toPath: file.path)
        // An old file: its hash is remembered by identity (inode, size, times) between runs.
        let old = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)
        let spec = LayerSpec(name: "localidades", file: "localidades.geojson", idField: "LocCodigo", nameField: "nombre", role: .admin, source: "test")
        let catalog = LayerCatalog(manifestPath: "test", layers: [spec], searchPaths: [geodata.path])
        let cache = try #require(LayerCache(directory: cacheDir.path))

        let before = try LayerSet(cache: cache).polygonLayer(spec, catalog: catalog)
        #expect(before.names[1] == "Chapinero")
        let entriesBefore = try Self.entries(cacheDir).count

        var text = try String(contentsOf: file, encoding: .utf8)
        let size = text.utf8.count
        text = text.replacingOccurrences(of: "[-74.011162,4.664585]", with: "[-74.011163,4.664585]")
        text = text.replacingOccurrences(of: "\"nombre\":\"Chapinero\"", with: "\"nombre\":\"Chapinerx\"")
        #expect(text.utf8.count == size)
        let handle = try FileHandle(forWritingTo: file)   // in place: same inode
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)

        let warm = LayerSet(cache: cache)
        let after = try warm.polygonLayer(spec, catalog: catalog)
        #expect(warm.counts == LayerSet.Tally(built: 1, readFromCache: 0))
        #expect(after.names[1] == "Chapinerx")
        // The moved vertex, projected independently.
        let moved = try Projection(from: "EPSG:4326", to: "EPSG:9377").transform(Point(x: -74.011163, y: 4.664585))
        #expect(after.polygons[0].parts[0].exterior[1] == moved)
        #expect(before.polygons[0].parts[0].exterior[1] != moved)
        Self.expectSame(after, try LayerSet().polygonLayer(spec, catalog: catalog))
        #expect(try Self.entries(cacheDir).count > entriesBefore)
    }

    /// Truncated, corrupted and foreign entry files are ignored: the layer is rebuilt (equal to a
    /// fresh one), the entry rewritten whole, and the next set reads it again.
    @Test(arguments: ["truncated", "flipped", "foreign", "empty"])
    func damagedEntryIsIgnoredAndRebuilt(_ damage: String) throws {
        let dir = try Self.tempDir("damaged-\(damage)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = try #require(LayerCache(directory: dir.path))
        let catalog = TestLayers.catalog
        let spec = try catalog.spec(named: "localidades")
        _ = try LayerSet(cache: cache).polygonLayer(spec, catalog: catalog)
        let files = try Self.entries(dir).sorted { $0.path < $1.path }
        #expect(files.count >= 2)
        let sizes = try files.map { try Data(contentsOf: $0).count }
        for (k, f) in files.enumerated() {
            var bytes = try Data(contentsOf: f)
            switch damage {
            case "truncated": bytes = bytes.prefix(bytes.count / 2)
            case "flipped": bytes[bytes.count - 1 - (bytes.count - 64) / 2] ^= 0x10   // a payload byte
            case "foreign": bytes = try Data(contentsOf: files[(k + 1) % files.count])   // another entry's file
            default: bytes = Data()
            }
            try bytes.write(to: f)
        }
        let again = LayerSet(cache: cache)
        let rebuilt = try again.polygonLayer(spec, catalog: catalog)
        #expect(again.counts == LayerSet.Tally(built: 1, readFromCache: 0))
        Self.expectSame(rebuilt, try LayerSet().polygonLayer(spec, catalog: catalog))
        #expect(try files.map { try Data(contentsOf: $0).count } == sizes)   // rewritten whole
        let next = LayerSet(cache: cache)
        Self.expectSame(try next.polygonLayer(spec, catalog: catalog), rebuilt)
        #expect(next.counts == LayerSet.Tally(built: 0, readFromCache: 1))
    }

    /// The extent of the admin layers (where incidents are expected) is the union of their features'
    /// lon/lat envelopes, as a plain JSON reading of the files gives it.
    @Test func studyAreaExtentComesFromTheSet() throws {
        let catalog = TestLayers.catalog
        var expected = Envelope.empty
        for spec in catalog.layers where spec.role == .admin {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: catalog.resolve(spec)))) as! [String: Any]
            for f in json["features"] as! [[String: Any]] {
                let g = f["geometry"] as! [String: Any]
                func walk(_ c: Any) {
                    if let p = c as? [Double], p.count >= 2 { expected.expand(Point(x: p[0], y: p[1])); return }
                    for child in c as? [Any] ?? [] { walk(child) }
                }
                walk(g["coordinates"]!)
            }
        }
        let dir = try Self.tempDir("extent")
        defer { try? FileManager.default.removeItem(at: dir) }
        for set in [LayerSet(), LayerSet(cache: LayerCache(directory: dir.path))] {
            var e = Envelope.empty
            for spec in catalog.layers where spec.role == .admin { e.expand(try set.lonLatExtent(spec, catalog: catalog)) }
            #expect(e == expected)
        }
        #expect(try AssignmentLayers.studyAreaLonLat(catalog: catalog) == expected)
    }

    /// A grid's study-area mask equals the area's answer for the cell centres computed by hand,
    /// and asking again gives the kept mask.
    @Test func cellCentreMaskEqualsPointByPointAnswer() throws {
        let area = try StudyArea.parse("localidades:17,03", catalog: TestLayers.catalog, crs: WorkingCRS.default)
        let e = area.envelope, s = 250.0
        let ox = (e.minX / s).rounded(.down) * s, oy = (e.minY / s).rounded(.down) * s
        let cols = Int(((e.maxX - ox) / s).rounded(.up)), rows = Int(((e.maxY - oy) / s).rounded(.up))
        var x: [Double] = [], y: [Double] = []
        for r in 0..<rows { for c in 0..<cols { x.append(ox + (Double(c) + 0.5) * s); y.append(oy + (Double(r) + 0.5) * s) } }
        let expected = try area.contains(x: x, y: y)
        #expect(expected.contains(true) && expected.contains(false))
        let mask = try area.containsCellCentres(originX: ox, originY: oy, cellSize: s, columns: cols, rows: rows)
        #expect(mask == expected)
        #expect(try area.containsCellCentres(originX: ox, originY: oy, cellSize: s, columns: cols, rows: rows) == expected)
    }

    /// Where the cache lives and when there is none.
    @Test func cacheLocationFollowsTheEnvironment() throws {
        let dir = try Self.tempDir("location")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(LayerCache.directory(["ATALAYA_CACHE_DIR": "/a", "XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/a")
        #expect(LayerCache.directory(["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/atalaya")
        #expect(LayerCache.directory(["HOME": "/h"]) == "/h/.cache/atalaya")
        #expect(LayerCache.directory([:]) == nil)
        let made = dir.appendingPathComponent("new/cache")
        #expect(LayerCache.fromEnvironment(["ATALAYA_CACHE_DIR": made.path])?.directory == made.path)
        #expect(FileManager.default.fileExists(atPath: made.path))
        let off = dir.appendingPathComponent("off")
        #expect(LayerCache.fromEnvironment(["ATALAYA_CACHE_DIR": off.path, "ATALAYA_CACHE": "off"]) == nil)
        #expect(!FileManager.default.fileExists(atPath: off.path))
        // A folder that cannot be created (its parent is a file): no cache, no error.
        let file = dir.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        #expect(LayerCache.fromEnvironment(["ATALAYA_CACHE_DIR": file.appendingPathComponent("cache").path]) == nil)
    }
}
