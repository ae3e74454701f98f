import Foundation
import Primitives
import SpatialCore

/// The real layers (the project's `geodata/manifest.json`, files from `TestPaths.geodata`), each loaded
/// at most once per test process.
public enum TestLayers {
    /// The manifest of the checkout with the real layer files; explicit folders rather than
    /// `LayerCatalog.defaultSearchPaths`, which derives `../shared/geodata` from the `.build` folder (a
    /// custom `--scratch-path` has none).
    public static let catalog: LayerCatalog = try! catalog(searchingFirst: [])

    /// The catalog with the folders `first` searched before the real layers (an edited copy of a layer).
    public static func catalog(searchingFirst first: [String]) throws -> LayerCatalog {
        let root = TestPaths.packageRoot.path
        return try LayerCatalog.load(manifest: root + "/geodata/manifest.json",
                                     searchPaths: first + [TestPaths.geodata.path, root + "/geodata"])
    }

    public static func polygons(_ name: String) -> PolygonLayer {
        cache.value("polygons:" + name) { loaded(name) { try PolygonLayer.load(catalog.spec(named: name), catalog: catalog) } }
    }

    public static func points(_ name: String) -> PointLayer {
        cache.value("points:" + name) { loaded(name) { try PointLayer.load(catalog.spec(named: name), catalog: catalog) } }
    }

    /// A layer the tests cannot do without: when it cannot be read the run stops with the folder searched
    /// and how to point the tests at the layers (never a test that passes without them).
    private static func loaded<T>(_ name: String, _ load: () throws -> T) -> T {
        do { return try load() } catch {
            fatalError("""
                the real layer '\(name)' could not be read from \(TestPaths.geodata.path) (set ATALAYA_GEODATA or \
                put the layers in ../shared/geodata beside the checkout): \(error)
                """)
        }
    }

    public static func locator(_ name: String) -> PolygonLocator {
        let layer = polygons(name)
        return cache.value("locator:" + name) { PolygonLocator(polygons: layer.polygons, ids: layer.ids) }
    }

    /// lon/lat (EPSG:4326) to the working CRS (EPSG:9377).
    public static func project(lon: Double, lat: Double) -> Point {
        try! Projection(from: WorkingCRS.geographic, to: WorkingCRS.default).transform(Point(x: lon, y: lat))
    }

    private static let cache = Cache()

    /// Loaded layers by key, read, built and stored under the lock (so parallel tests wait for one
    /// build instead of each making its own). `make` must not call back into the cache.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String: Any] = [:]
        func value<T>(_ key: String, _ make: () -> T) -> T {
            lock.lock(); defer { lock.unlock() }
            if let v = values[key] as? T { return v }
            let made = make()
            values[key] = made
            return made
        }
    }
}
