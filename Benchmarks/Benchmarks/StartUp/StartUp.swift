// Start-up suite: what a command pays before its first incident (loading, validating, projecting and
// indexing layers), alone and inside `atalaya assign` of 1,000 rows. See ../../README.md.

import Benchmark
import BenchmarkSupport
import Engine
import Foundation
import Primitives
import SpatialCore

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                         warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(15), maxIterations: 20)

    // `assign` and `ingest` start here: every admin, patrol and infrastructure layer, indexed.
    Benchmark("load and index every layer of the manifest (AssignmentLayers.load)", configuration: config) { benchmark in
        let catalog = Geodata.catalog()
        for _ in benchmark.scaledIterations { blackHole(try AssignmentLayers.load(catalog: catalog)) }
    }

    // `density` and `hotspots` start here: the default study area and the lon/lat box for swapped coordinates;
    // `hotspots` also lists the units each polygon touches.
    Benchmark("default study area, its lon/lat box and the touched layers of hotspots", configuration: config) { benchmark in
        let catalog = Geodata.catalog()
        for _ in benchmark.scaledIterations {
            blackHole(try StudyArea.parse(nil, catalog: catalog, crs: WorkingCRS.default))
            blackHole(try AssignmentLayers.studyAreaLonLat(catalog: catalog))
            blackHole(try TouchedLayers(catalog: catalog, crs: WorkingCRS.default))
        }
    }

    // The target for any command on 1,000 points: under 50 ms with a warm layer cache.
    let out = Scratch.folder("startup")
    Benchmark("assign end to end, 1,000 rows", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try AssignPipeline.run(AssignRequest(input: SyntheticIncidents.smallCSV, output: out + "/a1k.csv"),
                                             layers: Geodata.layers, summary: nil))
        }
    } setup: { SyntheticIncidents.ensure(); Scratch.create(out) } teardown: { Scratch.remove(out) }
}
