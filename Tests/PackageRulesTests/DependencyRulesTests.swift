import Foundation
import Testing
import TestSupport

/// The house rules (README "How it works"): which module may import which. Read from `Package.swift` and
/// the `import` lines of every target, so that a new edge is a failing test naming the file and line.
enum HouseRules {
    static let cModules: Set<String> = ["CGEOS", "CPROJ", "CSQLite"]
    /// Plain Swift: no C, and nothing above them in the data flow.
    static let pure: Set<String> = ["Primitives", "Localization", "SeededRandom", "Incidents", "Analysis", "Temporal"]
    /// Modules that come with the toolchain or the OS; anything else must be a declared dependency.
    static let system: Set<String> = ["Foundation", "FoundationEssentials", "FoundationNetworking", "FoundationXML",
                                      "Dispatch", "Glibc", "Musl", "Darwin", "Android", "WinSDK", "os", "Synchronization",
                                      "_Concurrency", "RegexBuilder", "Observation", "Testing", "XCTest"]

    /// Why `target` may not depend on `module`, or nil when it may.
    static func forbidden(_ target: String, _ module: String) -> String? {
        if (module == "CGEOS" || module == "CPROJ") && target != "SpatialCore" {
            return "solo SpatialCore importa GEOS/PROJ (\(module))"
        }
        if module == "CSQLite" && target != "SQLite" { return "solo SQLite importa CSQLite" }
        if pure.contains(target), cModules.contains(module)
            || ["SpatialCore", "SQLite", "Store", "Formats", "Engine", "Simulation", "AtalayaCLI"].contains(module) {
            return "\(target) es Swift puro: no importa módulos C ni \(module)"
        }
        if target == "Store", ["SpatialCore", "CGEOS", "CPROJ"].contains(module) {
            return "Store no enlaza GEOS/PROJ: las unidades le llegan como códigos (\(module))"
        }
        if target == "Formats", ["Engine", "Store", "AtalayaCLI"].contains(module) {
            return "Formats solo escribe: no importa \(module)"
        }
        if target == "Engine", module == "AtalayaCLI" { return "Engine no importa la CLI" }
        if target == "AtalayaCLI", cModules.contains(module) || ["SQLite", "SpatialCore", "Store"].contains(module) {
            return "la CLI no importa módulos C, SQLite, SpatialCore ni Store (\(module)): analiza la orden, llama a un trabajo del Engine e imprime"
        }
        return nil
    }

    struct Violation: CustomStringConvertible {
        let file: String?, line: Int?, message: String
        var description: String { file.map { "\($0):\(line ?? 1): \(message)" } ?? "Package.swift: \(message)" }
    }

    /// Every rule broken by the declared graph and the imports.
    static func violations(_ graph: PackageGraph, _ imports: [PackageGraph.Import]) -> [Violation] {
        var out: [Violation] = []
        let packageModules = Set(graph.targets.keys).union(graph.targets.values.flatMap(\.dependencies))
        let testSide = Set(graph.targets.values.filter { $0.path.hasPrefix("Tests/") }.map(\.name))
        // Declared edges.
        for t in graph.targets.values.sorted(by: { $0.name < $1.name }) {
            for d in t.dependencies.sorted() {
                if let why = forbidden(t.name, d) { out.append(Violation(file: nil, line: nil, message: "\(t.name) → \(d): \(why)")) }
                if !t.path.hasPrefix("Tests/"), testSide.contains(d) {
                    out.append(Violation(file: nil, line: nil, message: "\(t.name) → \(d): el código de Sources/ no depende de ayudas de prueba"))
                }
            }
        }
        // Test helpers live under Tests/: a target under Sources/ that no product reaches is a helper.
        let shipped = graph.shipped
        for t in graph.targets.values where t.kind != .systemLibrary && t.kind != .testTarget
            && !t.path.hasPrefix("Tests/") && !shipped.contains(t.name) {
            out.append(Violation(file: nil, line: nil,
                                 message: "\(t.name) está en \(t.path) pero ningún producto lo usa: las ayudas de prueba van en Tests/"))
        }
        // Imports: declared, and not forbidden.
        for i in imports {
            if let why = forbidden(i.target, i.module) {
                out.append(Violation(file: i.file, line: i.line, message: "import \(i.module) en \(i.target): \(why)"))
            }
            if i.module == i.target || system.contains(i.module) { continue }
            if !packageModules.contains(i.module) {
                out.append(Violation(file: i.file, line: i.line, message: "import \(i.module): módulo desconocido (ni del paquete ni del sistema)"))
            } else if graph.targets[i.target]?.dependencies.contains(i.module) != true {
                out.append(Violation(file: i.file, line: i.line,
                                     message: "import \(i.module) no está declarado en las dependencias de \(i.target) en Package.swift"))
            }
        }
        return out
    }
}

@Suite struct DependencyRulesTests {
    static let root = TestPaths.packageRoot

    func graph() throws -> PackageGraph {
        try PackageGraph(manifest: String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8))
    }

    /// Records each violation at the offending file and line (so the test output points there).
    func record(_ violations: [HouseRules.Violation]) {
        for v in violations {
            let file = v.file ?? "Package.swift"
            Issue.record(Comment(rawValue: v.description),
                         sourceLocation: SourceLocation(fileID: "Atalaya/" + (file as NSString).lastPathComponent,
                                                        filePath: Self.root.appendingPathComponent(file).path,
                                                        line: v.line ?? 1, column: 1))
        }
    }

    /// The manifest read as the rules expect it: the layered targets are all there.
    @Test func manifestIsUnderstood() throws {
        let g = try graph()
        for name in ["Primitives", "SpatialCore", "SQLite", "Store", "Formats", "Engine", "AtalayaCLI", "CGEOS", "CSQLite", "TestSupport"] {
            #expect(g.targets[name] != nil, "\(name) not found in Package.swift")
        }
        #expect(g.targets["SpatialCore"]?.dependencies.isSuperset(of: ["CGEOS", "CPROJ"]) == true)
        #expect(g.targets["Store"]?.dependencies.contains("Crypto") == true)   // a product dependency
        #expect(g.targets["StoreCrashHelper"]?.path == "Tests/StoreCrashHelper")
        #expect(g.productTargets == ["AtalayaCLI", "Engine"])
        let imports = try g.imports(root: Self.root)
        #expect(imports.contains { $0.target == "SpatialCore" && $0.module == "CGEOS" })
        #expect(imports.filter { $0.file.hasPrefix("Sources/") }.count > 100)
    }

    @Test("every import is declared in Package.swift and no module imports one it may not")
    func sourcesFollowTheHouseRules() throws {
        let g = try graph()
        record(HouseRules.violations(g, try g.imports(root: Self.root)))
    }

    /// The checker itself fails on each kind of violation (a synthetic manifest and sources).
    @Test func checkerCatchesViolations() {
        let manifest = """
        let package = Package(name: "X",
            products: [.executable(name: "x", targets: ["AtalayaCLI"])],
            targets: [
                .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3"), // a comment with "Quotes" and .target(
                .target(name: "Analysis", dependencies: ["Incidents"]),
                .target(name: "Incidents"),
                .target(name: "Store", dependencies: ["SpatialCore", .product(name: "Crypto", package: "swift-crypto")]),
                .target(name: "SpatialCore"),
                .target(name: "Helper", dependencies: ["Store"]),
                .executableTarget(name: "AtalayaCLI", dependencies: ["Store", "Analysis"]),
            ])
        """
        let g = PackageGraph(manifest: manifest)
        #expect(g.targets["Store"]?.dependencies == ["SpatialCore", "Crypto"])
        let imports = PackageGraph.imports(of: "import Foundation\n@testable import CSQLite\n", target: "Analysis", file: "Sources/Analysis/A.swift")
            + PackageGraph.imports(of: "/*\nimport Engine\n*/\nimport struct Crypto.SHA256\nimport Incidents", target: "Store", file: "Sources/Store/S.swift")
            + PackageGraph.imports(of: "import Store\nimport SQLite\nlet py = \"\"\"\nimport json\n\"\"\"", target: "AtalayaCLI",
                                   file: "Sources/AtalayaCLI/C.swift")
        let text = HouseRules.violations(g, imports).map(\.description)
        func has(_ s: String) -> Bool { text.contains { $0.contains(s) } }
        #expect(has("Sources/Analysis/A.swift:2: import CSQLite en Analysis"))     // forbidden C import
        #expect(has("Sources/Analysis/A.swift:2: import CSQLite no está declarado")) // and undeclared
        #expect(has("Store → SpatialCore"))                                          // forbidden declared edge
        #expect(has("Sources/Store/S.swift:5: import Incidents no está declarado"))
        #expect(!has("import Crypto") && !has("import Engine") && !has("import json")) // declared product; comment; string
        #expect(has("Sources/AtalayaCLI/C.swift:2: import SQLite en AtalayaCLI"))
        #expect(has("Sources/AtalayaCLI/C.swift:1: import Store en AtalayaCLI"))     // the CLI goes through the Engine
        #expect(has("AtalayaCLI → Store"))
        #expect(has("Helper está en Sources/Helper"))                                // a helper outside Tests/
        #expect(text.count == 9, "\(text)")
    }
}
