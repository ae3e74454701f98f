// Hotspots suite: `atalaya hotspots` end to end through the Engine (1M rows, 1,000 rows) and the local
// statistics behind `--method gistar|lisa`. See ../../README.md.

import Analysis
import Benchmark
import BenchmarkSupport
import Engine
import Foundation
import Primitives
import SpatialCore

let benchmarks: @Sendable () -> Void = {
    let endToEnd = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
        warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 10)
    let out = Scratch.folder("hotspots")

    // The target: `atalaya hotspots big.csv -o h.geojson` (kde, defaults) under 0.8 s wall.
    Benchmark("hotspots end to end, 1M rows, 57 MB-class CSV, kde, defaults", configuration: endToEnd) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Commands.hotspots(input: SyntheticIncidents.minimalCSV, output: out + "/h.geojson"))
        }
    } setup: { SyntheticIncidents.ensure(); Scratch.create(out) } teardown: { Scratch.remove(out) }

    Benchmark("hotspots end to end, 1,000 rows, kde, defaults", configuration: endToEnd) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Commands.hotspots(input: SyntheticIncidents.smallCSV, output: out + "/h1k.geojson"))
        }
    } setup: { SyntheticIncidents.ensure(); Scratch.create(out) } teardown: { Scratch.remove(out) }

    let stats = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                        warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(15), maxIterations: 20)

    Benchmark("Gi* on 100 m cells from 1M points, counting included", configuration: stats) { benchmark in
        let f = StatisticsFixture.shared
        for _ in benchmark.scaledIterations {
            let g = f.grid100
            let counts = try g.grid.counts(x: f.points.x, y: f.points.y)
            blackHole(GetisOrd.giStarGrid(counts: counts, columns: g.grid.columns, rows: g.grid.rows, mask: g.mask, bandCells: 3))
        }
    } setup: { _ = StatisticsFixture.shared }

    Benchmark("Local Moran, 999 permutations, ~100,000 cells",
              configuration: .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds, warmupIterations: 0,
                                   scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 3)) { benchmark in
        let f = StatisticsFixture.shared
        for _ in benchmark.scaledIterations {
            blackHole(LocalMoran.compute(values: f.lisaCounts, neighbours: f.lisaNeighbours, permutations: 999, seed: 2026))
        }
    } setup: { _ = StatisticsFixture.shared }
}

/// The 1M points and grids over the default study area: 100 m for Gi*, ~100,000 cells for Local Moran.
final class StatisticsFixture: Sendable {
    let points: AnalysisPoints
    let grid100: AnalysisGrid
    let lisaCounts: [Double]
    let lisaNeighbours: [[Int32]]

    static let shared = StatisticsFixture()

    private init() {
        SyntheticIncidents.ensure()
        do {
            let catalog = Geodata.catalog()
            let out = Scratch.folder("hotspots-statistics")
            Scratch.create(out)
            defer { Scratch.remove(out) }
            (points, grid100, _) = try Commands.prepare(input: SyntheticIncidents.minimalCSV, output: out + "/s.geojson", cell: .metres(100))
            let area = try StudyArea.parse(nil, catalog: catalog, crs: WorkingCRS.default)
            let lisaGrid = try AnalysisGrid.make(area: area, cellSize: 92, maxCells: 20_000_000)
            var counts = try lisaGrid.grid.counts(x: points.x, y: points.y)
            for k in counts.indices where !lisaGrid.mask[k] { counts[k] = .nan }
            lisaCounts = counts
            lisaNeighbours = SpatialNeighbours.gridQueen(columns: lisaGrid.grid.columns, rows: lisaGrid.grid.rows, mask: lisaGrid.mask)
        } catch { fatalError("hotspots benchmark setup failed: \(error)") }
    }
}
