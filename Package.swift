// swift-tools-version: 6.1
import PackageDescription

// The house rules (README "How it works"; `DependencyRulesTests` fails on a forbidden edge):
// data flow one way, C only behind SpatialCore (GEOS, PROJ) and SQLite (CSQLite), commands in Engine,
// the CLI only parses, calls the Engine and prints.
let package = Package(
    name: "Atalaya",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "atalaya", targets: ["AtalayaCLI"]),
        // The command jobs (request in, result out), for scripts and the benchmarks.
        .library(name: "AtalayaEngine", targets: ["Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 of records and source files (BoringSSL, SHA-NI where the CPU has it).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C at the edge: module maps and shims only.
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev", "proj-data"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Plain values and the one copy of each primitive: geometry, parallel loops. No C, no I/O.
        .target(name: "Primitives"),
        // The language of what people read (Spanish by default, English with --lang en).
        .target(name: "Localization"),
        // Seeded generators (SplitMix64, xoshiro256**) shared by simulation and permutation tests.
        .target(name: "SeededRandom"),

        // The only importer of CGEOS/CPROJ: geometry, projections, layers, spatial indexes, assignment.
        .target(name: "SpatialCore", dependencies: ["CGEOS", "CPROJ", "Primitives", "Localization",
                                                   .product(name: "Crypto", package: "swift-crypto")]),
        // The only importer of CSQLite: connections, statements, transactions, typed errors.
        .target(name: "SQLite", dependencies: ["CSQLite", "Localization"]),

        // Reading and validating incident exports (pure Swift).
        .target(name: "Incidents", dependencies: ["Primitives", "Localization"]),
        // Statistics on grids and polygons: kernels, KDE, Gi*, Local Moran, FDR.
        .target(name: "Analysis", dependencies: ["Primitives", "SeededRandom", "Localization"]),
        // Time: calendars, trends, emerging hot spots, Knox near repeat.
        .target(name: "Temporal", dependencies: ["Primitives", "SeededRandom", "Localization"]),
        // The embedded incident database (no geometry library: units come in as codes).
        .target(name: "Store", dependencies: ["SQLite", "Incidents", "Primitives", "Localization",
                                             .product(name: "Crypto", package: "swift-crypto")]),
        // Writers only: CSV, GeoJSON, GeoPackage, rasters, report text, provenance.
        .target(name: "Formats", dependencies: ["SQLite", "SpatialCore", "Incidents", "Temporal", "Primitives", "Localization"]),
        // Seeded synthetic incidents calibrated to official SDSCJ counts.
        .target(name: "Simulation", dependencies: ["SpatialCore", "SeededRandom", "Incidents", "Primitives", "Localization"]),
        // One job per command: a request in, a result out (CLI, tests and benchmarks alike).
        .target(name: "Engine", dependencies: ["Analysis", "Temporal", "SpatialCore", "Incidents", "Store", "Formats",
                                              "Simulation", "Primitives", "Localization"]),
        .executableTarget(
            name: "AtalayaCLI",
            dependencies: [
                "Engine", "Analysis", "Temporal", "Incidents", "Formats", "Simulation",
                "Primitives", "Localization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Test helpers live under Tests/: support code shared by every test target (package root, real
        // layers, seeded RNG, approximate comparison, temp dirs, CLI runner, golden files), and the
        // executable the crash test kills.
        .target(name: "TestSupport", dependencies: ["SpatialCore", "SeededRandom", "Primitives"], path: "Tests/TestSupport"),
        .executableTarget(name: "StoreCrashHelper", dependencies: ["Store", "Incidents", "SpatialCore", "Primitives"], path: "Tests/StoreCrashHelper"),
        .testTarget(name: "SpatialCoreTests", dependencies: ["TestSupport", "SpatialCore", "Primitives"]),
        .testTarget(name: "IncidentsTests", dependencies: ["TestSupport", "Incidents", "Localization"]),
        .testTarget(name: "StoreTests", dependencies: ["TestSupport", "Store", "SQLite", "Engine", "SpatialCore", "Incidents", "Primitives", "StoreCrashHelper", "Localization",
                                                  .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "SimulationTests", dependencies: ["TestSupport", "Simulation", "SpatialCore", "Primitives"]),
        .testTarget(name: "FormatsTests", dependencies: ["TestSupport", "Formats", "SQLite", "SpatialCore", "Incidents", "Primitives", "Localization"]),
        .testTarget(name: "EngineTests", dependencies: ["TestSupport", "Engine", "Analysis", "Formats", "Store", "Incidents", "SpatialCore", "Primitives",
                                                   .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "AtalayaCLI", "Formats", "Store", "SQLite"]),
        .testTarget(name: "AnalysisTests", dependencies: ["TestSupport", "Analysis", "Primitives", "SeededRandom"]),
        .testTarget(name: "TemporalTests", dependencies: ["TestSupport", "Temporal", "Formats", "SeededRandom"]),
        // The house rules: every import declared in this file, no forbidden edge (reads the sources).
        .testTarget(name: "PackageRulesTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
