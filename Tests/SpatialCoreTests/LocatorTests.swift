import Testing
import SpatialCore
import Primitives
import TestSupport

@Suite struct LocatorTests {
    /// Named places, with the localidad and UPZ confirmed by an independent ray-casting check in Python
    /// on the same files (golden/named-places.json).
    struct Place: Decodable, Sendable, CustomTestStringConvertible {
        let place: String; let lon, lat: Double; let localidad, upz: String
        var testDescription: String { place }
    }
    static func places() throws -> [Place] { try Golden.load("named-places", as: [Place].self) }

    /// The argument list below cannot silently shrink to nothing.
    @Test func namedPlacesAreAllThere() throws {
        #expect(try Self.places().count == 6)
    }

    @Test(arguments: try places())
    func namedPlaces(_ named: Place) throws {
        let (place, lon, lat, localidad, upz) = (named.place, named.lon, named.lat, named.localidad, named.upz)
        let p = TestLayers.project(lon: lon, lat: lat)
        let loc = TestLayers.polygons("localidades"), upzLayer = TestLayers.polygons("upz")
        let li = try TestLayers.locator("localidades").locate(x: p.x, y: p.y)
        let ui = try TestLayers.locator("upz").locate(x: p.x, y: p.y)
        #expect(li >= 0 && loc.ids[Int(li)] == localidad, "\(place)")
        #expect(ui >= 0 && upzLayer.ids[Int(ui)] == upz, "\(place)")
    }

    @Test func farAwayPointIsInNoPolygon() throws {
        let p = TestLayers.project(lon: -75.5636, lat: 6.2518)  // Medellín
        #expect(try TestLayers.locator("localidades").locate(x: p.x, y: p.y) == PolygonLocator.none)
    }

    /// Random points over each layer's extent and points on and next to the boundaries:
    /// the raster-accelerated answer equals GEOS's, point for point.
    @Test(arguments: ["localidades", "upz", "upl", "policia_cuadrantes"])
    func agreesWithGEOS(_ name: String) throws {
        let layer = TestLayers.polygons(name)
        var rng = TestRandom(seed: 2026)
        var xs: [Double] = [], ys: [Double] = []
        var e = Envelope.empty
        for p in layer.polygons { e.expand(p.envelope) }
        for _ in 0..<3000 {
            xs.append(Double.random(in: e.minX...e.maxX, using: &rng))
            ys.append(Double.random(in: e.minY...e.maxY, using: &rng))
        }
        // Vertices, edge midpoints and points a few millimetres to centimetres off them.
        for poly in layer.polygons.prefix(60) {
            let ring = poly.parts[0].exterior
            for k in stride(from: 0, to: ring.count - 1, by: max(1, ring.count / 12)) {
                let a = ring[k], b = ring[k + 1]
                xs.append(a.x); ys.append(a.y)
                xs.append((a.x + b.x) / 2); ys.append((a.y + b.y) / 2)
                for d in [0.001, -0.001, 0.05, -0.05, 2.0, -3.0] {
                    xs.append((a.x + b.x) / 2 + d); ys.append((a.y + b.y) / 2 - d)
                }
            }
        }
        let fast = try TestLayers.locator(name).locate(x: xs, y: ys)
        let reference = try TestLayers.locator(name).locateWithGEOSOnly(x: xs, y: ys)
        let disagreements = zip(fast, reference).filter { $0 != $1 }.count
        #expect(disagreements == 0)
        #expect(fast.contains { $0 >= 0 })
    }

    /// A shared edge between two squares: the point on it goes to the smaller id, whatever the order.
    @Test func sharedBoundaryRule() throws {
        func square(_ x0: Double) -> Polygonal {
            Polygonal(parts: [Polygon(exterior: [Point(x: x0, y: 0), Point(x: x0 + 100, y: 0), Point(x: x0 + 100, y: 100),
                                                 Point(x: x0, y: 100), Point(x: x0, y: 0)])])
        }
        let a = PolygonLocator(polygons: [square(0), square(100)], ids: ["B", "A"], cellSize: 4)
        #expect(try a.locate(x: 100, y: 50) == 1)  // "A" < "B"
        #expect(try a.locate(x: 99.999, y: 50) == 0)
        #expect(try a.locate(x: 100.001, y: 50) == 1)
        #expect(try a.locate(x: 0, y: 50) == 0)     // outer boundary: still the polygon
        #expect(try a.locate(x: -0.001, y: 50) == PolygonLocator.none)
        let b = PolygonLocator(polygons: [square(0), square(100)], ids: ["A", "B"], cellSize: 4)
        #expect(try b.locate(x: 100, y: 50) == 0)
    }

    /// A hole is not part of its polygon; a MultiPolygon's second part is.
    @Test func holesAndMultiPolygons() throws {
        let outer: Ring = [Point(x: 0, y: 0), Point(x: 1000, y: 0), Point(x: 1000, y: 1000), Point(x: 0, y: 1000), Point(x: 0, y: 0)]
        let hole: Ring = [Point(x: 400, y: 400), Point(x: 400, y: 600), Point(x: 600, y: 600), Point(x: 600, y: 400), Point(x: 400, y: 400)]
        let island: Ring = [Point(x: 2000, y: 0), Point(x: 2100, y: 0), Point(x: 2100, y: 100), Point(x: 2000, y: 100), Point(x: 2000, y: 0)]
        let inHole: Ring = [Point(x: 450, y: 450), Point(x: 550, y: 450), Point(x: 550, y: 550), Point(x: 450, y: 550), Point(x: 450, y: 450)]
        let shapes = [
            Polygonal(parts: [Polygon(exterior: outer, holes: [hole]), Polygon(exterior: island)]),
            Polygonal(parts: [Polygon(exterior: inHole)]),
        ]
        let l = PolygonLocator(polygons: shapes, ids: ["P", "Q"], cellSize: 8)
        let xs = [100.0, 420, 500, 2050, 1500, 600, 700]
        let ys = [100.0, 420, 500, 50, 50, 500, 700]
        #expect(try l.locate(x: xs, y: ys) == [0, -1, 1, 0, -1, 0, 0])
        #expect(try l.locate(x: xs, y: ys) == l.locateWithGEOSOnly(x: xs, y: ys))
    }

    /// Overlapping features: the point in both goes to the smaller id.
    @Test func overlapsFollowTheRule() throws {
        func sq(_ x0: Double, _ s: Double) -> Polygonal {
            Polygonal(parts: [Polygon(exterior: [Point(x: x0, y: 0), Point(x: x0 + s, y: 0), Point(x: x0 + s, y: s), Point(x: x0, y: s), Point(x: x0, y: 0)])])
        }
        let l = PolygonLocator(polygons: [sq(0, 2000), sq(500, 300)], ids: ["Z", "Y"], cellSize: 4)
        #expect(try l.locate(x: 600, y: 100) == 1)
        #expect(try l.locate(x: 1500, y: 1500) == 0)
    }
}
