// Density and hotspot benchmarks (issue: kernel density and hotspot maps): exact KDE, Gi*, Local
// Moran and `atalaya hotspots` end to end, on the same 1M synthetic incidents.

import Analysis
import Benchmark
import Export
import Foundation
import Mapping
import SpatialCore

/// The default study area (localidades without Sumapaz) and grids over it.
final class MappingFixture: Sendable {
    let area: StudyArea
    let grid50: AnalysisGrid     // 50 m: 660,858 cells
    let grid100: AnalysisGrid    // 100 m
    let lisaGrid: AnalysisGrid   // ~100,000 cells in the study area
    let lisaCounts: [Double]
    let lisaNeighbours: [[Int32]]

    static let shared = MappingFixture()

    private init() {
        do {
            let catalog = Geodata.catalog()
            area = try StudyArea.parse(nil, catalog: catalog, crs: WorkingCRS.default)
            grid50 = try AnalysisGrid.make(area: area, cellSize: 50, maxCells: 20_000_000)
            grid100 = try AnalysisGrid.make(area: area, cellSize: 100, maxCells: 20_000_000)
            lisaGrid = try AnalysisGrid.make(area: area, cellSize: 92, maxCells: 20_000_000)
            let f = KernelFixture.shared
            var counts = try lisaGrid.grid.counts(x: f.x, y: f.y)
            for k in counts.indices where !lisaGrid.mask[k] { counts[k] = .nan }
            lisaCounts = counts
            lisaNeighbours = SpatialNeighbours.gridQueen(columns: lisaGrid.grid.columns, rows: lisaGrid.grid.rows, mask: lisaGrid.mask)
        } catch { fatalError("mapping benchmark setup failed: \(error)") }
    }
}

func registerMappingBenchmarks() {
    let config = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                         warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(15), maxIterations: 20)

    Benchmark("exact quartic KDE, 1M points, 50 m cells (660,858), R 400 m", configuration: config) { benchmark in
        let f = KernelFixture.shared, m = MappingFixture.shared
        let request = DensityRequest(grid: m.grid50.grid, mask: m.grid50.mask, kernel: .quartic, bandwidth: 400)
        for _ in benchmark.scaledIterations { blackHole(try KernelDensity.exact(x: f.x, y: f.y, request: request)) }
    } setup: { _ = MappingFixture.shared }

    Benchmark("Gi* on 100 m cells from 1M points, counting included", configuration: config) { benchmark in
        let f = KernelFixture.shared, g = MappingFixture.shared.grid100
        for _ in benchmark.scaledIterations {
            let counts = try g.grid.counts(x: f.x, y: f.y)
            blackHole(GetisOrd.giStarGrid(counts: counts, columns: g.grid.columns, rows: g.grid.rows, mask: g.mask, bandCells: 3))
        }
    } setup: { _ = MappingFixture.shared }

    Benchmark("Local Moran, 999 permutations, ~100,000 cells",
              configuration: .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds, warmupIterations: 0,
                                   scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 3)) { benchmark in
        let m = MappingFixture.shared
        for _ in benchmark.scaledIterations {
            blackHole(LocalMoran.compute(values: m.lisaCounts, neighbours: m.lisaNeighbours, permutations: 999, seed: 2026))
        }
    } setup: { _ = MappingFixture.shared }

    // What `atalaya hotspots in.csv -o out.geojson` does (method kde, default area, cell and bandwidth rules).
    let outputDir = NSTemporaryDirectory() + "atalaya-benchmarks/hotspots-\(ProcessInfo.processInfo.processIdentifier)"
    Benchmark("hotspots end to end, 1M-row CSV",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                   warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 5)) { benchmark in
        let catalog = Geodata.catalog()
        for _ in benchmark.scaledIterations {
            let area = try StudyArea.parse(nil, catalog: catalog, crs: WorkingCRS.default)
            let box = try AssignmentLayers.studyAreaLonLat(catalog: catalog)
            let points = try AnalysisPoints.load(path: Incidents1M.csvPath, options: .init(), inputCRS: WorkingCRS.geographic,
                                                 workCRS: WorkingCRS.default, filter: IncidentFilter(), weightColumn: nil, studyAreaLonLat: box)
            let (cell, cellSource) = DensityJob.cellSize(.arcgis, extent: area.envelope)
            let grid = try AnalysisGrid.make(area: area, cellSize: cell, maxCells: 20_000_000)
            let bw = try DensityJob.bandwidth(.rule(.arcgis), points: points)
            let density = try DensityJob.run(points: points, grid: grid, kernel: .quartic, bandwidth: bw, cellSource: cellSource,
                                             units: .density, edge: .none)
            let out = try HotspotJob.kde(points: points, density: density, topPercent: 5, touched: TouchedLayers(catalog: catalog, crs: WorkingCRS.default))
            try PolygonGeoJSON.write(out.features, provenance: DensityJob.provenance(density, points: points, command: "hotspots"),
                                     to: outputDir + "/hotspots.geojson")
        }
    } setup: {
        Incidents1M.ensureCSV()
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
    } teardown: {
        try? FileManager.default.removeItem(atPath: outputDir)
    }
}
