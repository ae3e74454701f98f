// What every suite shares: where the layers are, the synthetic incident files (generated on first use,
// never committed) and the parameters of the workload. Nothing here is measured: suites touch these
// from their `setup` closures.

import Engine
import Foundation
import Incidents
import Primitives
import Simulation
import SpatialCore

/// Parameters of the synthetic workload (README "Workload").
public enum Workload {
    public static let incidentCount = 1_000_000
    public static let smallCount = 1_000
    public static let seed: UInt64 = 2026
    public static let from = "2025-01-01", to = "2026-01-01"   // one year, [from, to)
    public static let calibrationFile = "incidents/bogota_delitos_alto_impacto_upz_2018_2021.csv"
    public static let calibrationYears = [2018, 2019, 2020, 2021]
    public static let attractors = ["transmilenio_estaciones", "parques_escenarios_idrd"]
    /// The polygon layers located in bulk.
    public static let polygonLayers = ["localidades", "upz", "upl", "policia_cuadrantes"]
    /// The point layers searched in bulk.
    public static let pointLayers = ["transmilenio_estaciones", "policia_cai", "colegios"]
}

/// The layer catalog, found as the commands find it.
public enum Geodata {
    /// <repo>: this file is <repo>/Benchmarks/Sources/BenchmarkSupport/Workload.swift.
    public static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `$ATALAYA_GEODATA` (if set), then <repo>/geodata, then <repo>/../shared/geodata.
    public static let searchPaths: [String] = {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["ATALAYA_GEODATA"], !env.isEmpty { paths.append(env) }
        paths.append(repository + "/geodata")
        paths.append(repository + "/../shared/geodata")
        return paths.map { ($0 as NSString).standardizingPath }
    }()

    /// The layers as the commands find them, with the process set up as `atalaya` sets it up (the
    /// persistent layer cache on, as a user's runs have it).
    public static let layers: LayerSource = {
        Engine.prepareProcess()
        return LayerSource(directory: searchPaths.first { FileManager.default.fileExists(atPath: $0 + "/manifest.json") }
                           ?? searchPaths.first { FileManager.default.fileExists(atPath: $0) })
    }()

    public static func catalog() -> LayerCatalog {
        do { return try LayerCatalog.load(searchPaths: searchPaths) } catch {
            fatalError("benchmark setup: no layer manifest in \(searchPaths): \(error)")
        }
    }
}

/// Temporary folders of the benchmarks (`$TMPDIR/atalaya-benchmarks`).
public enum Scratch {
    public static let root: String = {
        let dir = NSTemporaryDirectory() + "atalaya-benchmarks"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// The path of a folder of this process: made by `create` (from a benchmark's setup), removed by
    /// `remove` (from its teardown).
    public static func folder(_ name: String) -> String {
        root + "/\(name)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    public static func create(_ dir: String) {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    public static func remove(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }
}

/// The synthetic incidents: `Simulator.run` (what `atalaya simulate` runs: seed 2026, 2025, SDSCJ
/// calibration, attractors) and the CSV files made from it, written once and reused by later benchmark
/// processes. File names carry the workload and the Atalaya version; delete the folder to force a rewrite.
public enum SyntheticIncidents {
    static var stem: String {
        "\(Scratch.root)/incidentes_\(Workload.incidentCount)_seed\(Workload.seed)_v\(AtalayaVersion.current)"
    }
    /// `atalaya simulate`'s CSV: id,fecha_hecho,delito,latitud,longitud,fuente (≈ 110 MB).
    public static var fullCSV: String { stem + ".csv" }
    /// The same incidents with minimal columns id,fecha,lat,lon,categoria and a short id (≈ 60 MB), the
    /// shape of the 57 MB file.
    public static var minimalCSV: String { stem + "_minimal.csv" }
    /// The first `Workload.smallCount` rows of `minimalCSV`.
    public static var smallCSV: String { "\(Scratch.root)/incidentes_\(Workload.smallCount)_seed\(Workload.seed)_v\(AtalayaVersion.current).csv" }

    /// Simulates the 1M incidents.
    /// - Parameter upzLocator: a locator already built over `upz` (saves rebuilding it).
    public static func simulate(catalog: LayerCatalog, upz: PolygonLayer, upzLocator: PolygonLocator? = nil,
                                attractors: [PointLayer]) throws -> SimulationResult {
        let table = try CalibrationTable.load(path: catalog.resolveFile(Workload.calibrationFile),
                                              years: Workload.calibrationYears)
        let p = SimulationParameters(count: Workload.incidentCount,
                                     startDay: SimulationParameters.day(Workload.from)!,
                                     endDay: SimulationParameters.day(Workload.to)!,
                                     seed: Workload.seed, calibrationYears: Workload.calibrationYears)
        return try Simulator.run(p, calibration: table, upz: upz, attractors: attractors, locator: upzLocator)
    }

    /// Writes the three CSV files when missing (`make` is called only then). Files are written atomically,
    /// so two benchmark processes building them at once both end with whole files.
    public static func writeIfMissing(_ make: () throws -> SimulationResult) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: fullCSV) { try Simulator.writeCSV(make(), to: fullCSV) }
        if !fm.fileExists(atPath: minimalCSV) || !fm.fileExists(atPath: smallCSV) {
            let (minimal, small) = try minimalColumns(of: Array(Data(contentsOf: URL(fileURLWithPath: fullCSV))))
            try AtomicFile.write(minimal, to: minimalCSV)
            try AtomicFile.write(small, to: smallCSV)
        }
    }

    /// Ensures the files exist without keeping anything resident afterwards (end-to-end benchmarks
    /// measure peak RSS, so their process must not hold the simulation).
    public static func ensure() {
        do {
            try writeIfMissing {
                let catalog = Geodata.catalog()
                let upz = try PolygonLayer.load(catalog.spec(named: "upz"), catalog: catalog)
                let attractors = try Workload.attractors.map { try PointLayer.load(catalog.spec(named: $0), catalog: catalog) }
                return try simulate(catalog: catalog, upz: upz, attractors: attractors)
            }
        } catch {
            fatalError("benchmark setup: writing the synthetic incidents to \(Scratch.root) failed: \(error)")
        }
    }

    /// `id,fecha_hecho,delito,latitud,longitud,fuente` rows → `id,fecha,lat,lon,categoria` with the row
    /// number as id (the simulator writes no quoted field: checked), plus the first `smallCount` rows alone.
    static func minimalColumns(of full: [UInt8]) throws -> (all: [UInt8], small: [UInt8]) {
        precondition(!full.contains(0x22), "the simulated CSV has a quoted field; this conversion does not handle it")
        let header = Array("id,fecha,lat,lon,categoria\n".utf8)
        var out = header, small = header
        out.reserveCapacity(full.count * 6 / 10)
        var row = 0
        var start = full.firstIndex(of: 0x0A)! + 1   // after the header
        while start < full.count {
            let end = full[start...].firstIndex(of: 0x0A) ?? full.count
            let f = full[start..<end].split(separator: 0x2C, omittingEmptySubsequences: false)
            row += 1
            out.append(contentsOf: Array(String(row).utf8)); out.append(0x2C)
            out.append(contentsOf: f[1]); out.append(0x2C)   // fecha_hecho
            out.append(contentsOf: f[3]); out.append(0x2C)   // latitud
            out.append(contentsOf: f[4]); out.append(0x2C)   // longitud
            out.append(contentsOf: f[2]); out.append(0x0A)   // delito
            if row == Workload.smallCount { small = out }
            start = end + 1
        }
        return (out, small)
    }
}
