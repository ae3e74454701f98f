// Time and store benchmarks (issue: the embedded store and time): ingest, Knox, emerging hot spots.

import Analysis
import Benchmark
import Export
import Foundation
import Incidents
import Mapping
import Simulation
import SpatialCore
import Store
import Temporal

/// Synthetic incidents with times: 50,000 for Knox, and two years for emerging hot spots.
final class TimeFixture: Sendable {
    let knoxX: [Double], knoxY: [Double], knoxDays: [Double]
    let cube: [[Double]]            // [week][cell], two years of weekly counts on 250 m cells
    let neighbours: [[Int32]]

    static let shared = TimeFixture()

    private init() {
        do {
            let catalog = Geodata.catalog()
            let upz = try PolygonLayer.load(catalog.spec(named: "upz"), catalog: catalog)
            let attractors = try Workload.attractors.map { try PointLayer.load(catalog.spec(named: $0), catalog: catalog) }
            let table = try CalibrationTable.load(path: catalog.resolveFile(Workload.calibrationFile), years: Workload.calibrationYears)
            let knox = try Simulator.run(SimulationParameters(count: 50_000, startDay: SimulationParameters.day("2025-01-01")!,
                                                              endDay: SimulationParameters.day("2026-01-01")!, seed: 7),
                                         calibration: table, upz: upz, attractors: attractors)
            knoxX = knox.incidents.map(\.x); knoxY = knox.incidents.map(\.y)
            knoxDays = knox.incidents.map { Double($0.time) / 86_400 }
            let two = try Simulator.run(SimulationParameters(count: 500_000, startDay: SimulationParameters.day("2024-01-01")!,
                                                             endDay: SimulationParameters.day("2026-01-01")!, seed: 8),
                                        calibration: table, upz: upz, attractors: attractors)
            let area = try StudyArea.parse(nil, catalog: catalog, crs: WorkingCRS.default)
            let grid = try AnalysisGrid.make(area: area, cellSize: 250, maxCells: 20_000_000)
            let g = grid.grid
            let cells = (0..<g.cellCount).filter { grid.mask[$0] }
            var location = [Int32](repeating: -1, count: g.cellCount)
            for (k, c) in cells.enumerated() { location[c] = Int32(k) }
            let start = Int64(SimulationParameters.day("2024-01-01")!) * 86_400
            var cube = [[Double]](repeating: [Double](repeating: 0, count: cells.count), count: 104)
            for e in two.incidents {
                guard let c = g.index(x: e.x, y: e.y), location[c] >= 0 else { continue }
                let week = Int((e.time - start) / (7 * 86_400))
                if week < 104 { cube[week][Int(location[c])] += 1 }
            }
            self.cube = cube
            let queen = SpatialNeighbours.gridQueen(columns: g.columns, rows: g.rows, mask: grid.mask)
            neighbours = cells.map { c in queen[c].compactMap { location[Int($0)] >= 0 ? location[Int($0)] : nil } }
        } catch { fatalError("time benchmark setup failed: \(error)") }
    }
}

func registerTimeBenchmarks() {
    let slow = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                       warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(40), maxIterations: 3)

    Benchmark("Knox test, 50,000 events, 999 iterations", configuration: slow) { benchmark in
        let f = TimeFixture.shared
        let bands = KnoxBands(distances: [0, 100, 200, 300, 400, 500], days: [0, 7, 14, 21, 28])
        for _ in benchmark.scaledIterations {
            blackHole(Knox.test(x: f.knoxX, y: f.knoxY, days: f.knoxDays, bands: bands, iterations: 999, seed: 2026))
        }
    } setup: { _ = TimeFixture.shared }

    Benchmark("emerging hot spots, 104 weekly steps, 250 m cells", configuration: slow) { benchmark in
        let f = TimeFixture.shared
        for _ in benchmark.scaledIterations {
            let (z, p) = EmergingHotSpots.spaceTimeGiStar(counts: f.cube, neighbours: f.neighbours, timeWindow: 1)
            let pFDR = p.map { MultipleTesting.benjaminiHochberg($0) }
            blackHole(EmergingHotSpots.classifyCube(z: z, p: pFDR))
        }
    } setup: { _ = TimeFixture.shared }

    let dir = NSTemporaryDirectory() + "atalaya-benchmarks/store-\(ProcessInfo.processInfo.processIdentifier)"
    // `atalaya ingest` of the 1M-row CSV into a new store, end to end: streamed read, validation,
    // projection, assignment, store writes and index builds.
    Benchmark("ingest end to end, 1M-row CSV into a new store (streamed)", configuration: slow) { benchmark in
        let catalog = Geodata.catalog()
        let layers = try IngestPipeline.unitLayers(catalog: catalog, crs: WorkingCRS.default)
        for _ in benchmark.scaledIterations {
            let path = FreshStore.path(in: dir)
            let store = try IncidentStore.open(path: path)
            blackHole(try IngestPipeline.run(IngestRequest(input: Incidents1M.csvPath, rejects: path + ".rejects.csv"),
                                             store: store, layers: layers))
        }
    } setup: {
        Incidents1M.ensureCSV()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } teardown: {
        try? FileManager.default.removeItem(atPath: dir)
    }

    // What `atalaya density --store S --from 2025-06-01 --to 2025-07-01 --category "HURTO A PERSONAS" -o d.tif`
    // does with 5,000,000 incidents stored: study area, SQL query, grid, exact KDE, GeoTIFF.
    let tif = NSTemporaryDirectory() + "atalaya-benchmarks/kde5m-\(ProcessInfo.processInfo.processIdentifier).tif"
    Benchmark("one-month one-category KDE from a store of 5,000,000 incidents",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                                   warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 10)) { benchmark in
        let catalog = Geodata.catalog()
        let filter = IncidentFilter(from: DateParser.parse("2025-06-01"), to: DateParser.parse("2025-07-01"),
                                    categories: ["HURTO A PERSONAS"])
        for _ in benchmark.scaledIterations {
            let area = try StudyArea.parse(nil, catalog: catalog, crs: WorkingCRS.default)
            let points = try AnalysisPoints.load(store: Store5M.path, filter: filter, localidades: [], upz: [], upl: [], cuadrantes: [])
            let (cell, cellSource) = DensityJob.cellSize(.arcgis, extent: area.envelope)
            let grid = try AnalysisGrid.make(area: area, cellSize: cell, maxCells: 20_000_000)
            let bw = try DensityJob.bandwidth(.rule(.arcgis), points: points)
            let density = try DensityJob.run(points: points, grid: grid, kernel: .quartic, bandwidth: bw, cellSource: cellSource,
                                             units: .density, edge: .none)
            try DensityJob.write(density, points: points, classes: 5, to: tif)
        }
    } setup: {
        try Store5M.ensure()
    } teardown: {
        try? FileManager.default.removeItem(atPath: tif)
    }

    // Ingest of the 1M-row CSV into a new store; reading and assignment happen before the measured part.
    Benchmark("ingest 1M validated, assigned rows into a new store (upserts, indexes, R*Tree)", configuration: slow) { benchmark in
        let catalog = Geodata.catalog()
        let layers = try AssignmentLayers.load(catalog: catalog)
        for _ in benchmark.scaledIterations {
            let inc = try ProjectedIncidents.load(path: Incidents1M.csvPath, options: .init(), inputCRS: WorkingCRS.geographic,
                                                  workCRS: WorkingCRS.default)
            let assignment = try Assignment.compute(x: inc.x, y: inc.y, layers: layers)
            benchmark.startMeasurement()
            let store = try IncidentStore.open(path: FreshStore.path(in: dir))
            blackHole(try store.ingest(read: inc.read, x: inc.x, y: inc.y, units: IncidentStore.units(from: assignment, layers: layers),
                                       sourcePath: Incidents1M.csvPath))
            benchmark.stopMeasurement()
        }
    } setup: {
        Incidents1M.ensureCSV()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } teardown: {
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// A store of 5,000,000 synthetic incidents (two years, seed 5), built once and kept in the temporary
/// folder for later runs (rebuilt when missing or incomplete).
enum Store5M {
    static let count = 5_000_000
    static let path = NSTemporaryDirectory() + "atalaya-benchmarks/store-5M-seed5-schema2.sqlite"

    static func ensure() throws {
        if FileManager.default.fileExists(atPath: path), (try? IncidentStore.open(path: path, verify: false).count()) == count { return }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let catalog = Geodata.catalog()
        let csv = NSTemporaryDirectory() + "atalaya-benchmarks/incidentes_5M_seed5.csv"
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

/// A store path not used before in this process. (`scaledIterations` restarts at 0 on every call of a
/// benchmark's closure, so a path built from its index would be re-ingested into, not created.)
enum FreshStore {
    nonisolated(unsafe) private static var next = 0
    static func path(in dir: String) -> String {
        next += 1
        return dir + "/fresh-\(next).sqlite"
    }
}
