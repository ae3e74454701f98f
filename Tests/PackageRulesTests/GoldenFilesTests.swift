import Foundation
import Testing
import TestSupport

/// Every golden file says where its values come from and is read by some test (a golden file nobody
/// loads checks nothing).
@Suite struct GoldenFilesTests {
    struct Anything: Decodable {}

    @Test func everyGoldenFileHasProvenanceAndIsUsed() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Golden.directory.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        #expect(names.count >= 7, "golden files found: \(names)")
        var sources = ""
        let tests = TestPaths.packageRoot.appendingPathComponent("Tests")
        for case let url as URL in FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)!
        where url.pathExtension == "swift" && !url.path.contains("/PackageRulesTests/") {
            sources += try String(contentsOf: url, encoding: .utf8)
        }
        for name in names {
            do {
                _ = try Golden.file(name, as: Anything.self)   // throws on an empty provenance.source
            } catch {
                Issue.record("\(error)")
            }
            let used = sources.contains("Golden.load(\"\(name)\"")
            #expect(used, "golden/\(name).json is loaded by no test")
        }
    }
}
