// Ingest suite: `atalaya ingest` of the 1M-row CSV into a new store through `IngestPipeline`, and the
// store's own share of it. See ../../README.md.

import Benchmark
import BenchmarkSupport
import Engine
import Foundation
import Incidents
import Primitives
import SpatialCore
import Store

let benchmarks: @Sendable () -> Void = {
    let slow = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                       warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(40), maxIterations: 3)
    let dir = Scratch.folder("ingest")

    // Streamed read, validation, projection, assignment, store writes and index builds.
    Benchmark("ingest end to end, 1M-row CSV into a new store (streamed)", configuration: slow) { benchmark in
        let catalog = Geodata.catalog()
        let layers = try IngestPipeline.unitLayers(catalog: catalog, crs: WorkingCRS.default)
        for _ in benchmark.scaledIterations {
            let path = FreshStore.path(in: dir)
            let store = try IncidentStore.open(path: path)
            blackHole(try IngestPipeline.run(IngestRequest(input: SyntheticIncidents.fullCSV, rejects: path + ".rejects.csv"),
                                             store: store, layers: layers))
        }
    } setup: { SyntheticIncidents.ensure(); Scratch.create(dir) } teardown: { Scratch.remove(dir) }

    // The store's part alone: reading and assignment happen before the measured region.
    Benchmark("ingest 1M validated, assigned rows into a new store (upserts, indexes, R*Tree)", configuration: slow) { benchmark in
        let catalog = Geodata.catalog()
        let layers = try IngestPipeline.unitLayers(catalog: catalog, crs: WorkingCRS.default)
        for _ in benchmark.scaledIterations {
            let inc = try ProjectedIncidents.load(path: SyntheticIncidents.fullCSV, options: ReadOptions(),
                                                  inputCRS: WorkingCRS.geographic, workCRS: WorkingCRS.default)
            let assignment = try Assignment.compute(x: inc.x, y: inc.y, layers: layers)
            benchmark.startMeasurement()
            let store = try IncidentStore.open(path: FreshStore.path(in: dir))
            blackHole(try store.ingest(read: inc.read, x: inc.x, y: inc.y, units: IncidentStore.units(from: assignment, layers: layers),
                                       sourcePath: SyntheticIncidents.fullCSV))
            benchmark.stopMeasurement()
        }
    } setup: { SyntheticIncidents.ensure(); Scratch.create(dir) } teardown: { Scratch.remove(dir) }
}

/// A store path not used before (`scaledIterations` restarts at 0 on every call of a benchmark's
/// closure, so a path built from its index would be re-ingested into, not created).
enum FreshStore {
    static func path(in dir: String) -> String { dir + "/fresh-\(UUID().uuidString).sqlite" }
}
