import Testing
import SpatialCore
import Primitives

/// Check values from DOMAIN.md §2.
@Suite struct ProjectionTests {
    @Test func originNacionalCheckValue() throws {
        let p = try Projection(from: "EPSG:4326", to: "EPSG:9377").transform(Point(x: -74.0721, y: 4.7110))
        #expect(abs(p.x - 4_881_143.149) < 0.01)
        #expect(abs(p.y - 2_078_651.312) < 0.01)
    }

    @Test func fallbackDefinitionMatchesDatabase() throws {
        let p = try Projection(from: "EPSG:4326", to: Projection.originNacionalFallback).transform(Point(x: -74.0721, y: 4.7110))
        #expect(abs(p.x - 4_881_143.149) < 0.01)
        #expect(abs(p.y - 2_078_651.312) < 0.01)
    }

    @Test func bogotaZoneCheckValue() throws {
        let p = try Projection(from: "EPSG:4326", to: "EPSG:3116").transform(Point(x: -74.0721, y: 4.7110))
        #expect(abs(p.x - 1_000_599.986) < 0.01)
        #expect(abs(p.y - 1_012_694.722) < 0.01)
    }

    @Test func bogotaUrbanGridTestVector() throws {
        let p = try Projection(from: "EPSG:4326", to: "EPSG:6247").transform(Point(x: -74.25, y: 4.8))
        #expect(abs(p.x - 80_859.033) < 0.01)
        #expect(abs(p.y - 122_543.174) < 0.01)
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
