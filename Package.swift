// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Atalaya",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "atalaya", targets: ["AtalayaCLI"]),
        .library(name: "SpatialCore", targets: ["SpatialCore"]),
        .library(name: "Incidents", targets: ["Incidents"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "Export", targets: ["Export"]),
        .library(name: "Mapping", targets: ["Mapping"]),
        .library(name: "Analysis", targets: ["Analysis"]),
        .library(name: "Temporal", targets: ["Temporal"]),
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

        // The language of what people read (Spanish by default, English with --lang en).
        .target(name: "Localization"),
        // The only importer of CGEOS/CPROJ: geometry, projections, layers, spatial indexes, assignment.
        .target(name: "SpatialCore", dependencies: ["CGEOS", "CPROJ", "Localization", .product(name: "Crypto", package: "swift-crypto")]),
        // Reading and validating incident exports (pure Swift).
        .target(name: "Incidents", dependencies: ["Localization"]),
        .target(name: "Temporal", dependencies: ["SeededRandom", "Localization"]),
        // Embedded SQLite incident store (the only importer of CSQLite).
        .target(name: "Store", dependencies: ["CSQLite", "Incidents", "SpatialCore", "Localization",
                                             .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(name: "StoreCrashHelper", dependencies: ["Store", "Incidents", "SpatialCore"]),
        // Seeded generators (SplitMix64, xoshiro256**) shared by simulation and permutation tests.
        .target(name: "SeededRandom"),
        .target(name: "Analysis", dependencies: ["SeededRandom", "Localization"]),
        // Seeded synthetic incidents calibrated to official SDSCJ counts.
        // Incidents for the atomic writer and the sidecar naming rule (Simulation must not depend on Export).
        .target(name: "Simulation", dependencies: ["SpatialCore", "SeededRandom", "Incidents", "Localization"]),
        // Writing results: enriched CSV/GeoJSON, provenance, summaries.
        .target(name: "Export", dependencies: ["SpatialCore", "Incidents", "Store", "Localization"]),
        // Density surfaces and hotspot maps: points + study area + grid → rasters and polygons.
        .target(name: "Mapping", dependencies: ["Analysis", "SpatialCore", "Incidents", "Export", "Store", "Temporal", "Localization"]),
        .executableTarget(
            name: "AtalayaCLI",
            dependencies: [
                "SpatialCore", "Incidents", "Simulation", "Export", "Mapping", "Store", "Temporal", "Analysis", "Localization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "SpatialCoreTests", dependencies: ["SpatialCore"]),
        .testTarget(name: "IncidentsTests", dependencies: ["Incidents", "Localization"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Incidents", "SpatialCore", "StoreCrashHelper", "Localization",
                                                  .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "SpatialCore"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "SpatialCore", "Store", "Incidents", "Localization"]),
        .testTarget(name: "CLITests", dependencies: ["AtalayaCLI", "Store"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "SeededRandom"]),
        .testTarget(name: "TemporalTests", dependencies: ["Temporal", "SeededRandom"]),
    ],
    swiftLanguageModes: [.v5]
)
