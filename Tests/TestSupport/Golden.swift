import Foundation

/// Where a golden file's values come from: the published source or the script and library versions
/// that produced them. Required: a golden value without its origin cannot be checked again.
public struct GoldenProvenance: Decodable, Sendable {
    /// What produced the values (a library and its version, a published table, a hand computation).
    public let source: String
    /// The script or command that reproduces them, when there is one.
    public let script: String?
    /// Anything a reader needs to rerun it (inputs, settings).
    public let notes: String?
}

/// A golden file `Tests/Fixtures/golden/NAME.json`: `{"provenance": {...}, "cases": ...}`.
public struct GoldenFile<Cases: Decodable>: Decodable {
    public let provenance: GoldenProvenance
    public let cases: Cases
}

public enum GoldenError: Error, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case noProvenance(path: String)

    public var description: String {
        switch self {
        case .missing(let path): return "golden file missing: \(path)"
        case .unreadable(let path, let reason): return "golden file \(path) unreadable: \(reason)"
        case .noProvenance(let path): return "golden file \(path) has an empty provenance.source"
        }
    }
}

public enum Golden {
    public static let directory: URL = TestPaths.fixtures.appendingPathComponent("golden")

    /// The cases of `golden/NAME.json` decoded as `Cases`; a missing file, a decoding error or an empty
    /// provenance is an error naming the file (never an empty set of cases that passes).
    public static func load<Cases: Decodable>(_ name: String, as: Cases.Type = Cases.self) throws -> Cases {
        try file(name, as: Cases.self).cases
    }

    public static func file<Cases: Decodable>(_ name: String, as: Cases.Type = Cases.self) throws -> GoldenFile<Cases> {
        let url = directory.appendingPathComponent(name.hasSuffix(".json") ? name : name + ".json")
        guard FileManager.default.fileExists(atPath: url.path) else { throw GoldenError.missing(path: url.path) }
        let g: GoldenFile<Cases>
        do {
            g = try JSONDecoder().decode(GoldenFile<Cases>.self, from: Data(contentsOf: url))
        } catch {
            throw GoldenError.unreadable(path: url.path, reason: "\(error)")
        }
        guard !g.provenance.source.trimmingCharacters(in: .whitespaces).isEmpty else { throw GoldenError.noProvenance(path: url.path) }
        return g
    }
}
