import Foundation
import SpatialCore
import Primitives
import Synchronization

/// Shared fixtures: the real layers from ../shared/geodata, loaded once per test process.
enum Fixtures {
    static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    static let catalog: LayerCatalog = {
        let paths = LayerCatalog.defaultSearchPaths(environment: [:], currentDirectory: packageRoot)
        return try! LayerCatalog.load(searchPaths: paths)
    }()

    private static let polygonCache = Mutex<[String: PolygonLayer]>([:])
    private static let locatorCache = Mutex<[String: PolygonLocator]>([:])

    static func polygons(_ name: String) -> PolygonLayer {
        polygonCache.withLock { cache in
            if let l = cache[name] { return l }
            let l = try! PolygonLayer.load(catalog.spec(named: name), catalog: catalog)
            cache[name] = l
            return l
        }
    }

    static func locator(_ name: String) -> PolygonLocator {
        let layer = polygons(name)
        return locatorCache.withLock { cache in
            if let l = cache[name] { return l }
            let l = PolygonLocator(polygons: layer.polygons, ids: layer.ids)
            cache[name] = l
            return l
        }
    }

    static func project(lon: Double, lat: Double) -> Point {
        try! Projection(from: "EPSG:4326", to: "EPSG:9377").transform(Point(x: lon, y: lat))
    }
}

/// SplitMix64: a small seeded generator so test points are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
