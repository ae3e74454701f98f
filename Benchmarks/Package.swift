// swift-tools-version: 6.1
// Benchmarks for Atalaya (package-benchmark), one executable target per suite. Run from this folder:
//   swift package --allow-writing-to-package-directory benchmark                 # every suite
//   swift package --allow-writing-to-package-directory benchmark --target Density
// or `make bench` from the repository root. See README.md.
import Foundation
import PackageDescription

// The parent package is `.package(path: "..")`; SwiftPM names a path dependency after its FOLDER,
// which is "main" here but differs in other clones (CI), so derive it instead of hard-coding it.
let parentName = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

// Everything runs through the engine the commands use: the only product of Atalaya linked here.
let engine: Target.Dependency = .product(name: "AtalayaEngine", package: parentName)

/// A suite: `Benchmarks/<name>/`, run by package-benchmark in its own processes.
func suite(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["BenchmarkSupport", engine, .product(name: "Benchmark", package: "benchmark")],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

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
        // Layers, the synthetic workloads (generated, never committed) and the command sequences.
        .target(name: "BenchmarkSupport", dependencies: [engine], path: "Sources/BenchmarkSupport"),
        suite("Assignment"),
        suite("Density"),
        suite("Hotspots"),
        suite("Time"),
        suite("Ingest"),
        suite("StartUp"),
    ]
)
