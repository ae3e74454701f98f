// Time suite: Knox near-repeat test, emerging hot spots through `EmergingJob`, and a one-month,
// one-category density from a store of 5,000,000 incidents. See ../../README.md.

import Analysis
import Benchmark
import BenchmarkSupport
import Engine
import Foundation
import Formats
import Incidents
import Primitives
import Simulation
import SpatialCore
import Store
import Temporal

let benchmarks: @Sendable () -> Void = {
    let slow = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                       warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(40), maxIterations: 3)

    // The statistic `atalaya near-repeat` runs, on the first 50,000 incidents of the workload.
    Benchmark("Knox test, 50,000 events, 999 iterations", configuration: slow) { benchmark in
        let f = TimeFixture.shared
        let bands = KnoxBands(distances: [0, 100, 200, 300, 400, 500], days: [0, 7, 14, 21, 28])
        for _ in benchmark.scaledIterations {
            blackHole(Knox.test(x: f.knoxX, y: f.knoxY, days: f.knoxDays, bands: bands, iterations: 999, seed: 2026))
        }
    } setup: { _ = TimeFixture.shared }

    // What `atalaya emerging in.csv -o e.geojson` does after reading: 250 m grid, weekly steps over a
    // year (`EmergingJob.run`), the cell features and the GeoJSON.
    let out = Scratch.folder("time")
    Benchmark("emerging hot spots, 1M incidents, 52 weekly steps, 250 m cells", configuration: slow) { benchmark in
        let f = TimeFixture.shared
        for _ in benchmark.scaledIterations {
            let result = try EmergingJob.run(points: f.points, grid: f.grid250, period: .week, timeWindow: 1, cells: .all)
            let features = try EmergingJob.features(result, grid: f.grid250)
            let (input, counts) = f.points.provenanceInput()
            var provenance = Provenance(command: "emerging", crs: f.grid250.crs, input: input, counts: counts, layers: [])
            provenance.grid = f.grid250.record
            try PolygonGeoJSON.write(features, crs: f.grid250.crs, provenance: provenance, to: out + "/e.geojson")
        }
    } setup: { _ = TimeFixture.shared; Scratch.create(out) } teardown: { Scratch.remove(out) }

    // What `atalaya density --store S --from 2025-06-01 --to 2025-07-01 --category "HURTO A PERSONAS" -o d.tif`
    // does with 5,000,000 incidents stored: study area, SQL query, grid, exact KDE, GeoTIFF.
    let tif = Scratch.root + "/kde5m-\(ProcessInfo.processInfo.processIdentifier).tif"
    Benchmark("one-month one-category KDE from a store of 5,000,000 incidents",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                   warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
        let catalog = Geodata.catalog()
        let filter = IncidentFilter(from: DateParser.parse("2025-06-01"), to: DateParser.parse("2025-07-01"),
                                    categories: ["HURTO A PERSONAS"])
        let profile = AnalysisProfile.atalaya
        for _ in benchmark.scaledIterations {
            let area = try StudyArea.parse(nil, catalog: catalog, crs: WorkingCRS.default)
            let points = try AnalysisPoints.load(store: Store5M.path, filter: filter, localidades: [], upz: [], upl: [], cuadrantes: [])
            let (cell, cellSource, _) = DensityJob.resolveCell(profile.cell, extent: area.envelope)
            let grid = try AnalysisGrid.make(area: area, cellSize: cell, maxCells: 20_000_000)
            try grid.requireIncidents(points)
            let bw = try DensityJob.bandwidth(profile.bandwidth!, points: points)
            let density = try DensityJob.run(points: points, grid: grid, kernel: .quartic, bandwidth: bw, cellSource: cellSource,
                                             units: .density, edge: .none)
            try DensityJob.write(density, points: points, classes: 5, to: tif)
        }
    } setup: { try Store5M.ensure() } teardown: { try? FileManager.default.removeItem(atPath: tif) }
}

/// The workload's incidents read by the Engine: the first 50,000 for Knox, all of them on a 250 m grid.
final class TimeFixture: Sendable {
    let knoxX: [Double], knoxY: [Double], knoxDays: [Double]
    let points: AnalysisPoints
    let grid250: AnalysisGrid

    static let shared = TimeFixture()

    private init() {
        SyntheticIncidents.ensure()
        do {
            let out = Scratch.folder("time-fixture")
            Scratch.create(out)
            defer { Scratch.remove(out) }
            (points, grid250, _) = try Commands.prepare(input: SyntheticIncidents.minimalCSV, output: out + "/t.geojson", cell: .metres(250))
            let n = 50_000
            knoxX = Array(points.x.prefix(n)); knoxY = Array(points.y.prefix(n))
            knoxDays = points.times.prefix(n).map { Double($0) / 86_400 }
        } catch { fatalError("time benchmark setup failed: \(error)") }
    }
}

/// A store of 5,000,000 synthetic incidents (two years, seed 5) ingested by `IngestPipeline`, built once
/// and kept in the temporary folder for later runs (rebuilt when missing or incomplete).
enum Store5M {
    static let count = 5_000_000
    static let path = Scratch.root + "/store-5M-seed5-v\(AtalayaVersion.current).sqlite"

    static func ensure() throws {
        if FileManager.default.fileExists(atPath: path), (try? IncidentStore.open(path: path, verify: false).count()) == count { return }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let catalog = Geodata.catalog()
        let csv = Scratch.root + "/incidentes_5M_seed5.csv"
        do {
            let upz = try PolygonLayer.load(catalog.spec(named: "upz"), catalog: catalog)
            let attractors = try Workload.attractors.map { try PointLayer.load(catalog.spec(named: $0), catalog: catalog) }
            let table = try CalibrationTable.load(path: catalog.resolveFile(Workload.calibrationFile), years: Workload.calibrationYears)
            let sim = try Simulator.run(SimulationParameters(count: count, startDay: SimulationParameters.day("2024-01-01")!,
                                                             endDay: SimulationParameters.day("2026-01-01")!, seed: 5),
                                        calibration: table, upz: upz, attractors: attractors)
            try Simulator.writeCSV(sim, to: csv)
        }
        let layers = try IngestPipeline.unitLayers(catalog: catalog, crs: WorkingCRS.default)
        _ = try IngestPipeline.run(IngestRequest(input: csv, rejects: csv + ".rejects.csv"),
                                   store: try IncidentStore.open(path: path), layers: layers)
        try? FileManager.default.removeItem(atPath: csv)
    }
}
