import Testing
import SpatialCore
import Primitives
import TestSupport

/// Check values from DOMAIN.md §2 (golden/projection-check-values.json).
@Suite struct ProjectionTests {
    struct CheckValue: Decodable { let crs: String; let lon, lat, x, y: Double }
    static func checkValues() throws -> [CheckValue] { try Golden.load("projection-check-values", as: [CheckValue].self) }
    static func checkValue(_ crs: String) throws -> CheckValue {
        try #require(try checkValues().first { $0.crs == crs }, "no check value for \(crs) in the golden file")
    }

    func expectProjects(_ v: CheckValue, to crs: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let p = try Projection(from: "EPSG:4326", to: crs).transform(Point(x: v.lon, y: v.lat))
        #expect(abs(p.x - v.x) < 0.01, "\(crs) x \(p.x)", sourceLocation: sourceLocation)
        #expect(abs(p.y - v.y) < 0.01, "\(crs) y \(p.y)", sourceLocation: sourceLocation)
    }

    @Test func originNacionalCheckValue() throws {
        try expectProjects(Self.checkValue("EPSG:9377"), to: "EPSG:9377")
    }

    @Test func fallbackDefinitionMatchesDatabase() throws {
        try expectProjects(Self.checkValue("EPSG:9377"), to: Projection.originNacionalFallback)
    }

    @Test func bogotaZoneCheckValue() throws {
        try expectProjects(Self.checkValue("EPSG:3116"), to: "EPSG:3116")
    }

    @Test func bogotaUrbanGridTestVector() throws {
        try expectProjects(Self.checkValue("EPSG:6247"), to: "EPSG:6247")
    }

    @Test func inverseRoundTripsAndBatchMatchesSingle() throws {
        var xs = [-74.0721, -74.15, -73.99], ys = [4.7110, 4.55, 4.80]
        let singles = try zip(xs, ys).map { try Projection(from: "EPSG:4326", to: "EPSG:9377").transform(Point(x: $0, y: $1)) }
        try Projection.transformParallel(from: "EPSG:4326", to: "EPSG:9377", x: &xs, y: &ys)
        for i in 0..<3 { #expect(xs[i] == singles[i].x && ys[i] == singles[i].y) }
        try Projection(from: "EPSG:9377", to: "EPSG:4326").transform(x: &xs, y: &ys)
        #expect(abs(xs[0] + 74.0721) < 1e-9 && abs(ys[0] - 4.7110) < 1e-9)
    }

    @Test func unknownCRSIsAnError() {
        #expect(throws: ProjectionError.self) { try Projection(from: "EPSG:4326", to: "EPSG:99999999") }
    }
}
