import Foundation

/// The targets of `Package.swift` as written (read as text, not evaluated: `swift package dump-package`
/// would need the toolchain and the build lock while the tests run) and the `import` lines of their sources.
struct PackageGraph {
    struct Target {
        enum Kind: String { case target, executableTarget, testTarget, systemLibrary }
        let name: String
        let kind: Kind
        /// Folder relative to the package root (`Sources/<name>`, `Tests/<name>` or the `path:` given).
        let path: String
        /// Declared dependencies, as module names (targets by name, products by their module name).
        let dependencies: Set<String>
    }

    struct Import {
        let target: String
        let module: String
        /// Path relative to the package root, and the 1-based line.
        let file: String
        let line: Int
    }

    let targets: [String: Target]
    /// Targets named by the products (`.executable`, `.library`): what users run and link.
    let productTargets: Set<String>

    /// Parses the target and product declarations of a manifest.
    init(manifest text: String) {
        let code = Self.stripComments(text)
        var targets: [String: Target] = [:]
        let call = try! NSRegularExpression(pattern: #"\.(target|executableTarget|testTarget|systemLibrary)\("#)
        for m in call.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
            let kind = Target.Kind(rawValue: String(code[Range(m.range(at: 1), in: code)!]))!
            let open = code.index(before: Range(m.range, in: code)!.upperBound)
            guard let body = Self.balanced(code, from: open) else { continue }
            guard let name = Self.firstCapture(#"name:\s*"([^"]+)""#, in: body) else { continue }
            let defaultFolder = kind == .testTarget ? "Tests" : "Sources"
            let path = Self.firstCapture(#"path:\s*"([^"]+)""#, in: body) ?? "\(defaultFolder)/\(name)"
            var deps = Set<String>()
            if let r = body.range(of: #"dependencies:\s*\["#, options: .regularExpression),
               let list = Self.balanced(body, from: body.index(before: r.upperBound)) {
                // `.product(name: "Crypto", package: "swift-crypto")` is the module Crypto: drop package names.
                let names = list.replacingOccurrences(of: #"package:\s*"[^"]*""#, with: "", options: .regularExpression)
                deps = Set(Self.allCaptures(#""([^"]+)""#, in: names))
            }
            targets[name] = Target(name: name, kind: kind, path: path, dependencies: deps)
        }
        self.targets = targets
        var roots = Set<String>()
        for list in Self.allCaptures(#"\.(?:executable|library)\(\s*name:\s*"[^"]+"[^\]]*?targets:\s*\[([^\]]*)\]"#, in: code) {
            roots.formUnion(Self.allCaptures(#""([^"]+)""#, in: list))
        }
        productTargets = roots
    }

    /// Targets reachable from the products through declared dependencies.
    var shipped: Set<String> {
        var seen = Set<String>(), stack = Array(productTargets)
        while let t = stack.popLast() {
            guard seen.insert(t).inserted, let target = targets[t] else { continue }
            stack.append(contentsOf: target.dependencies)
        }
        return seen.intersection(targets.keys)
    }

    /// The `import` lines of one source file (any attributes and import kinds: `@testable import X`,
    /// `import struct X.Y`). Lines inside `/* */` comments and `"""` string literals are skipped.
    static func imports(of source: String, target: String, file: String) -> [Import] {
        let pattern = try! NSRegularExpression(pattern:
            #"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?([A-Za-z_][A-Za-z0-9_]*)"#)
        var out: [Import] = []
        var inBlock = false, inString = false
        for (i, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            // Multi-line string literals (e.g. an embedded Python script with its own imports).
            if line.components(separatedBy: "\"\"\"").count % 2 == 0 { inString.toggle(); continue }
            if inString { continue }
            if inBlock { if line.contains("*/") { inBlock = false }; continue }
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("/*") { inBlock = !line.contains("*/"); continue }
            if let m = pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) {
                out.append(Import(target: target, module: String(line[Range(m.range(at: 1), in: line)!]), file: file, line: i + 1))
            }
        }
        return out
    }

    /// Every import of every target's Swift files under `root`.
    func imports(root: URL) throws -> [Import] {
        var out: [Import] = []
        for target in targets.values where target.kind != .systemLibrary {
            let dir = root.appendingPathComponent(target.path)
            guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "swift" {
                let relative = target.path + "/" + url.path.dropFirst(dir.path.count + 1)
                out += Self.imports(of: try String(contentsOf: url, encoding: .utf8), target: target.name, file: relative)
            }
        }
        return out.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
    }

    // MARK: text helpers

    /// The manifest without `//` comments (outside string literals).
    static func stripComments(_ text: String) -> String {
        var out = "", inString = false, previous: Character = " "
        var it = text.makeIterator(), skipping = false
        while let c = it.next() {
            if skipping { if c == "\n" { skipping = false; out.append(c) }; continue }
            if c == "\"" && previous != "\\" { inString.toggle() }
            if !inString && c == "/" && previous == "/" { out.removeLast(); skipping = true; previous = " "; continue }
            out.append(c); previous = c
        }
        return out
    }

    /// The text between the bracket at `open` and its matching closing bracket (strings respected).
    static func balanced(_ s: String, from open: String.Index) -> String? {
        let opener = s[open], closer: Character = opener == "(" ? ")" : "]"
        var depth = 0, inString = false, i = open
        while i < s.endIndex {
            let c = s[i]
            if c == "\"" { inString.toggle() }
            if !inString {
                if c == opener { depth += 1 } else if c == closer {
                    depth -= 1
                    if depth == 0 { return String(s[s.index(after: open)..<i]) }
                }
            }
            i = s.index(after: i)
        }
        return nil
    }

    static func firstCapture(_ pattern: String, in s: String) -> String? { allCaptures(pattern, in: s).first }

    static func allCaptures(_ pattern: String, in s: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return re.matches(in: s, range: NSRange(s.startIndex..., in: s)).map { String(s[Range($0.range(at: 1), in: s)!]) }
    }
}
