// Assignment suite: where 1M incidents fall (polygon layers), how far the nearest infrastructure is
// (point layers), and `atalaya assign` end to end through `AssignPipeline`. See ../../README.md.

import Benchmark
import BenchmarkSupport
import Engine
import Foundation
import Incidents
import Primitives
import SpatialCore

let benchmarks: @Sendable () -> Void = {
    // Bulk kernels: a few seconds of iterations, reported in milliseconds per 1M-point call.
    let kernel = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds, warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 30)

    // Polygon assignment: localidades, UPZ, UPL, cuadrantes (locators prebuilt).
    Benchmark("assign 1M points to localidades, UPZ, UPL, cuadrantes", configuration: kernel) { benchmark in
        let f = AssignmentFixture.shared
        for _ in benchmark.scaledIterations {
            for locator in f.locators { blackHole(try locator.locate(x: f.x, y: f.y)) }
        }
    } setup: { _ = AssignmentFixture.shared }

    // Nearest infrastructure: TransMilenio stations, CAI, colegios (indexes prebuilt).
    Benchmark("nearest TransMilenio, CAI, colegios for 1M points", configuration: kernel) { benchmark in
        let f = AssignmentFixture.shared
        for _ in benchmark.scaledIterations {
            for index in f.nearest { blackHole(index.nearest(x: f.x, y: f.y)) }
        }
    } setup: { _ = AssignmentFixture.shared }

    // Reference: GEOS alone (STRtree + prepared predicates, one thread) on the first 100k points; the
    // reference index is built inside `locateWithGEOSOnly`, so its construction is measured too.
    Benchmark("GEOS alone: 100k points, cuadrantes",
              configuration: .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds, warmupIterations: 0,
                                   scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 5)) { benchmark in
        let f = AssignmentFixture.shared
        let x = Array(f.x.prefix(100_000)), y = Array(f.y.prefix(100_000))
        for _ in benchmark.scaledIterations { blackHole(try f.cuadrantes.locateWithGEOSOnly(x: x, y: y)) }
    } setup: { _ = AssignmentFixture.shared }

    // What `atalaya assign in.csv -o out.csv` does: load and index every layer of the manifest, then
    // `AssignPipeline.run` (read, validate, project, assign, write the enriched CSV, provenance, rejects).
    let out = Scratch.folder("assign")
    Benchmark("assign end to end, 1M-row CSV",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .peakMemoryResidentDelta, .mallocCountTotal],
                                   timeUnits: .milliseconds, warmupIterations: 0, scalingFactor: .one,
                                   maxDuration: .seconds(30), maxIterations: 5)) { benchmark in
        let catalog = Geodata.catalog()
        for _ in benchmark.scaledIterations {
            let layers = try AssignmentLayers.load(catalog: catalog)
            let report = try AssignPipeline.run(AssignRequest(input: SyntheticIncidents.fullCSV,
                                                              output: out + "/incidentes_asignados.csv"), layers: layers)
            precondition(report.read.table.count == Workload.incidentCount,
                         "accepted \(report.read.table.count) of \(Workload.incidentCount) rows")
            blackHole(report)
        }
    } setup: { SyntheticIncidents.ensure(); Scratch.create(out) } teardown: { Scratch.remove(out) }
}

/// Layers loaded and indexed once, plus the 1M incident coordinates in EPSG:9377 (read and projected
/// by the Engine, as `assign` reads them).
final class AssignmentFixture: Sendable {
    let locators: [PolygonLocator]         // Workload.polygonLayers order
    let nearest: [NearestPointIndex]       // Workload.pointLayers order
    let cuadrantes: PolygonLocator
    let x: [Double], y: [Double]

    static let shared = AssignmentFixture()

    private init() {
        SyntheticIncidents.ensure()
        do {
            let catalog = Geodata.catalog()
            let layers = try AssignmentLayers.load(catalog: catalog, names: Workload.polygonLayers + Workload.pointLayers)
            func polygon(_ name: String) -> Int { layers.polygonLayers.firstIndex { $0.spec.name == name }! }
            func point(_ name: String) -> Int { layers.pointLayers.firstIndex { $0.spec.name == name }! }
            locators = Workload.polygonLayers.map { layers.locators[polygon($0)] }
            nearest = Workload.pointLayers.map { layers.nearest[point($0)] }
            cuadrantes = layers.locators[polygon("policia_cuadrantes")]
            let incidents = try ProjectedIncidents.load(path: SyntheticIncidents.fullCSV, options: ReadOptions(),
                                                        inputCRS: WorkingCRS.geographic, workCRS: WorkingCRS.default)
            precondition(incidents.x.count == Workload.incidentCount)
            x = incidents.x; y = incidents.y
        } catch { fatalError("assignment benchmark setup failed: \(error)") }
    }
}
