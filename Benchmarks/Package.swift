// swift-tools-version: 6.1
// Benchmarks for Atalaya (package-benchmark). Run from this folder:
//   swift package --allow-writing-to-package-directory benchmark
// or `make bench` from the repository root. See README.md.
import Foundation
import PackageDescription

// The parent package is `.package(path: "..")`; SwiftPM names a path dependency after its FOLDER,
// which is "main" here but differs in other clones (CI), so derive it instead of hard-coding it.
let parentName = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "AtalayaBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        // Default traits pull swift-runtime-interposer (Linux + Swift 6.3), which is not mirrored:
        // keep only the malloc interposer (mallocCount* metrics).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "AssignmentBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SpatialCore", package: parentName),
                .product(name: "Incidents", package: parentName),
                .product(name: "Simulation", package: parentName),
                .product(name: "Export", package: parentName),
                .product(name: "Analysis", package: parentName),
                .product(name: "Mapping", package: parentName),
                .product(name: "Temporal", package: parentName),
                .product(name: "Store", package: parentName),
            ],
            path: "Benchmarks/AssignmentBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
