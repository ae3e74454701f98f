// Density suite: `atalaya density` end to end through the Engine (1M rows from a 57 MB-class and the
// 110 MB `simulate` CSV, 1,000 rows) and the exact KDE kernel alone. See ../../README.md.

import Analysis
import Benchmark
import BenchmarkSupport
import Engine
import Foundation
import Primitives
import SpatialCore

let benchmarks: @Sendable () -> Void = {
    let endToEnd = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal], timeUnits: .milliseconds,
        warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 10)
    let out = Scratch.folder("density")

    // The target: `atalaya density big.csv -o d.tif --cell 50 --bandwidth 400` under 0.5 s wall.
    for (label, path) in [("57 MB-class CSV (id,fecha,lat,lon,categoria)", { SyntheticIncidents.minimalCSV }),
                          ("110 MB simulate CSV", { SyntheticIncidents.fullCSV })] {
        Benchmark("density end to end, 1M rows, \(label), 50 m cells, R 400 m", configuration: endToEnd) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Commands.density(input: path(), output: out + "/d.tif",
                                               cell: .metres(50), bandwidth: .metres(400)))
            }
        } setup: { SyntheticIncidents.ensure(); Scratch.create(out) } teardown: { Scratch.remove(out) }
    }

    // Start-up dominated: 1,000 rows with the default cell and bandwidth rules.
    Benchmark("density end to end, 1,000 rows, defaults", configuration: endToEnd) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Commands.density(input: SyntheticIncidents.smallCSV, output: out + "/d1k.tif"))
        }
    } setup: { SyntheticIncidents.ensure(); Scratch.create(out) } teardown: { Scratch.remove(out) }

    // The kernel alone on points already projected (what `DensityJob.run` spends).
    Benchmark("exact quartic KDE, 1M points, 50 m cells, R 400 m (kernel only)",
              configuration: .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds, warmupIterations: 1,
                                   scalingFactor: .one, maxDuration: .seconds(15), maxIterations: 20)) { benchmark in
        let f = KernelFixture.shared
        for _ in benchmark.scaledIterations {
            blackHole(try DensityJob.run(points: f.points, grid: f.grid, kernel: .quartic, bandwidth: f.bandwidth,
                                         cellSource: "", units: .density, edge: .none))
        }
    } setup: { _ = KernelFixture.shared }
}

/// The 1M points, the default study-area grid at 50 m and R = 400 m, prepared once.
final class KernelFixture: Sendable {
    let points: AnalysisPoints
    let grid: AnalysisGrid
    let bandwidth: ResolvedBandwidth

    static let shared = KernelFixture()

    private init() {
        SyntheticIncidents.ensure()
        do {
            let out = Scratch.folder("density-kernel")
            Scratch.create(out)
            defer { Scratch.remove(out) }
            (points, grid, _) = try Commands.prepare(input: SyntheticIncidents.minimalCSV, output: out + "/k.tif", cell: .metres(50))
            bandwidth = try DensityJob.bandwidth(.metres(400), points: points)
        } catch { fatalError("density benchmark setup failed: \(error)") }
    }
}
