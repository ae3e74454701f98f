// Assignment benchmarks: where 1M incidents fall (polygon layers), how far the nearest
// infrastructure is (point layers), and the whole `atalaya assign` on a 1M-row CSV.
//
// package-benchmark runs every benchmark in its own process, so the fixtures below are lazy
// globals that only the benchmarks needing them touch, from their `setup` closures (never inside
// the measured region). See ../../README.md for how to run and the targets.

import Benchmark
import Export
import Foundation
import Incidents
import Simulation
import SpatialCore

// MARK: - Workload parameters

enum Workload {
    static let incidentCount = 1_000_000
    static let geosOnlyCount = 100_000
    static let seed: UInt64 = 2026
    static let from = "2025-01-01", to = "2026-01-01"   // one year, [from, to)
    static let calibrationFile = "incidents/bogota_delitos_alto_impacto_upz_2018_2021.csv"
    static let calibrationYears = [2018, 2019, 2020, 2021]
    static let attractors = ["transmilenio_estaciones", "parques_escenarios_idrd"]
    /// Benchmark 1: the polygon layers located in bulk.
    static let polygonLayers = ["localidades", "upz", "upl", "policia_cuadrantes"]
    /// Benchmark 2: the point layers searched in bulk.
    static let pointLayers = ["transmilenio_estaciones", "policia_cai", "colegios"]
}

// MARK: - Layer catalog

enum Geodata {
    /// <repo>: this file is <repo>/Benchmarks/Benchmarks/AssignmentBenchmarks/AssignmentBenchmarks.swift.
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `$ATALAYA_GEODATA` (if set), then <repo>/geodata, then <repo>/../shared/geodata.
    static let searchPaths: [String] = {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["ATALAYA_GEODATA"], !env.isEmpty { paths.append(env) }
        paths.append(repository + "/geodata")
        paths.append(repository + "/../shared/geodata")
        return paths.map { ($0 as NSString).standardizingPath }
    }()

    static func catalog() -> LayerCatalog {
        do { return try LayerCatalog.load(searchPaths: searchPaths) } catch {
            fatalError("benchmark setup: no layer manifest in \(searchPaths): \(error)")
        }
    }
}

// MARK: - Synthetic incidents

enum Incidents1M {
    /// Simulates the 1M synthetic incidents (deterministic: seed 2026, 2025, SDSCJ calibration).
    /// - Parameter upzLocator: a locator already built over `upz` (saves rebuilding it).
    static func simulate(catalog: LayerCatalog, upz: PolygonLayer, upzLocator: PolygonLocator?,
                         attractors: [PointLayer]) throws -> SimulationResult {
        let table = try CalibrationTable.load(path: catalog.resolveFile(Workload.calibrationFile),
                                              years: Workload.calibrationYears)
        let p = SimulationParameters(count: Workload.incidentCount,
                                     startDay: SimulationParameters.day(Workload.from)!,
                                     endDay: SimulationParameters.day(Workload.to)!,
                                     seed: Workload.seed, calibrationYears: Workload.calibrationYears)
        return try Simulator.run(p, calibration: table, upz: upz, attractors: attractors, locator: upzLocator)
    }

    /// The incidents as a CSV (`Simulator.writeCSV`), written once per build of this executable
    /// and reused by later benchmark processes (the name carries the executable's mtime).
    static let csvPath: String = {
        let exe = Bundle.main.executablePath ?? "/proc/self/exe"
        let attributes = (try? FileManager.default.attributesOfItem(atPath: exe)) ?? [:]
        let stamp = (attributes[.modificationDate] as? Date).map { String(Int($0.timeIntervalSince1970)) } ?? "0"
        let dir = NSTemporaryDirectory() + "atalaya-benchmarks"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return "\(dir)/incidentes_\(Workload.incidentCount)_seed\(Workload.seed)_\(stamp).csv"
    }()

    static func writeCSVIfMissing(_ make: () throws -> SimulationResult) throws {
        guard !FileManager.default.fileExists(atPath: csvPath) else { return }
        try Simulator.writeCSV(make(), to: csvPath)
    }

    /// Ensures the CSV exists without keeping anything resident afterwards (the end-to-end
    /// benchmark measures peak RSS, so its process must not hold the simulation in memory).
    static func ensureCSV() {
        do {
            try writeCSVIfMissing {
                let catalog = Geodata.catalog()
                let upz = try PolygonLayer.load(catalog.spec(named: "upz"), catalog: catalog)
                let attractors = try Workload.attractors.map { try PointLayer.load(catalog.spec(named: $0), catalog: catalog) }
                return try simulate(catalog: catalog, upz: upz, upzLocator: nil, attractors: attractors)
            }
        } catch {
            fatalError("benchmark setup: writing \(csvPath) failed: \(error)")
        }
    }
}

// MARK: - Kernel fixture (benchmarks 1, 2 and the GEOS reference)

/// Layers loaded and indexed once, plus the 1M incident coordinates in EPSG:9377.
final class KernelFixture: Sendable {
    let locators: [PolygonLocator]         // Workload.polygonLayers order
    let nearest: [NearestPointIndex]       // Workload.pointLayers order
    let x: [Double], y: [Double]
    let geosX: [Double], geosY: [Double]   // first 100k points
    let cuadrantes: PolygonLocator

    static let shared = KernelFixture()

    private init() {
        do {
            let catalog = Geodata.catalog()
            let wanted = Workload.polygonLayers + Array(Set(Workload.pointLayers + Workload.attractors)).sorted()
            let layers = try AssignmentLayers.load(catalog: catalog, names: wanted)
            func polygon(_ name: String) -> Int { layers.polygonLayers.firstIndex { $0.spec.name == name }! }
            func point(_ name: String) -> Int { layers.pointLayers.firstIndex { $0.spec.name == name }! }
            locators = Workload.polygonLayers.map { layers.locators[polygon($0)] }
            nearest = Workload.pointLayers.map { layers.nearest[point($0)] }
            cuadrantes = layers.locators[polygon("policia_cuadrantes")]

            let upz = polygon("upz")
            let result = try Incidents1M.simulate(catalog: catalog, upz: layers.polygonLayers[upz],
                                                  upzLocator: layers.locators[upz],
                                                  attractors: Workload.attractors.map { layers.pointLayers[point($0)] })
            precondition(result.incidents.count == Workload.incidentCount)
            x = result.incidents.map(\.x)
            y = result.incidents.map(\.y)
            geosX = Array(x.prefix(Workload.geosOnlyCount))
            geosY = Array(y.prefix(Workload.geosOnlyCount))
            try Incidents1M.writeCSVIfMissing { result }
        } catch {
            fatalError("benchmark setup failed: \(error)")
        }
    }
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    // Bulk kernels: a few seconds of iterations, reported in milliseconds per 1M-point call.
    let kernel = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 30
    )

    // 1. Polygon assignment: localidades, UPZ, UPL, cuadrantes (locators prebuilt).
    Benchmark("assign 1M points to localidades, UPZ, UPL, cuadrantes", configuration: kernel) { benchmark in
        let f = KernelFixture.shared
        for _ in benchmark.scaledIterations {
            for locator in f.locators {
                blackHole(try locator.locate(x: f.x, y: f.y))
            }
        }
    } setup: {
        _ = KernelFixture.shared
    }

    // 2. Nearest infrastructure: TransMilenio stations, CAI, colegios (indexes prebuilt).
    Benchmark("nearest TransMilenio, CAI, colegios for 1M points", configuration: kernel) { benchmark in
        let f = KernelFixture.shared
        for _ in benchmark.scaledIterations {
            for index in f.nearest {
                blackHole(index.nearest(x: f.x, y: f.y))
            }
        }
    } setup: {
        _ = KernelFixture.shared
    }

    // Reference: GEOS alone (STRtree + prepared predicates, one thread) on the first 100k points.
    // The reference index is built inside `locateWithGEOSOnly`, so its construction is measured too.
    Benchmark(
        "GEOS alone: 100k points, cuadrantes",
        configuration: .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds,
                             warmupIterations: 0, scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 5)
    ) { benchmark in
        let f = KernelFixture.shared
        for _ in benchmark.scaledIterations {
            blackHole(try f.cuadrantes.locateWithGEOSOnly(x: f.geosX, y: f.geosY))
        }
    } setup: {
        _ = KernelFixture.shared
    }

    // 3. End to end, what `atalaya assign in.csv -o out.csv` does: load and index every layer of
    // the manifest, read/validate/project the CSV, assign, write the enriched CSV + provenance + rejects.
    let outputDir = NSTemporaryDirectory() + "atalaya-benchmarks/out-\(ProcessInfo.processInfo.processIdentifier)"
    Benchmark(
        "assign end to end, 1M-row CSV",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .peakMemoryResidentDelta,
                                       .mallocCountTotal],
                             timeUnits: .milliseconds, warmupIterations: 0, scalingFactor: .one,
                             maxDuration: .seconds(30), maxIterations: 5)
    ) { benchmark in
        let catalog = Geodata.catalog()
        for _ in benchmark.scaledIterations {
            let layers = try AssignmentLayers.load(catalog: catalog)
            let report = try AssignPipeline.run(AssignRequest(input: Incidents1M.csvPath,
                                                              output: outputDir + "/incidentes_asignados.csv"),
                                                layers: layers)
            precondition(report.read.table.count == Workload.incidentCount,
                         "accepted \(report.read.table.count) of \(Workload.incidentCount) rows")
            blackHole(report)
        }
    } setup: {
        Incidents1M.ensureCSV()
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
    } teardown: {
        try? FileManager.default.removeItem(atPath: outputDir)
    }

    registerMappingBenchmarks()
    registerTimeBenchmarks()
}
