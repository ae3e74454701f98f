import Foundation

/// Runs the built `atalaya` binary (it sits beside the test bundle) and captures its output.
enum CLI {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("atalaya")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/release/atalaya")
    }

    /// - Parameter environment: variables set (or, with nil, removed) on top of the defaults.
    static func run(_ args: [String], cwd: URL? = nil, environment: [String: String?] = [:]) throws -> Run {
        var env = ProcessInfo.processInfo.environment
        env["ATALAYA_GEODATA"] = nil
        env["ATALAYA_LANG"] = "es"   // the default language, whatever LANG the machine has
        env["ATALAYA_CACHE"] = nil   // the cache on, whatever the user's environment says
        for (k, v) in environment { env[k] = v }
        return try runProcess(binary, args, cwd: cwd ?? packageRoot, environment: env)
    }

    /// The layer cache the binary uses when a test does not name one: one folder per test process,
    /// shared by its runs (so that most of them start warm, as a user's would), removed when the
    /// test process exits (it grows to ~90 MB).
    static let cacheDirectory: URL = {
        atexit { try? FileManager.default.removeItem(at: CLI.cacheDirectoryPath()) }
        return cacheDirectoryPath()
    }()

    private static func cacheDirectoryPath() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("atalaya-test-cache-\(getpid())")
    }

    /// Runs any program and captures its output through temporary files, not pipes: Foundation's
    /// `readDataToEndOfFile` traps on EINTR, which the many child processes of a parallel test run
    /// make likely.
    static func runProcess(_ executable: URL, _ args: [String], cwd: URL, environment: [String: String]? = nil) throws -> Run {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atalaya-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = cwd
        // Every child gets this test process's layer cache unless the test names one: the suite
        // never reads or fills the user's ~/.cache/atalaya.
        var env = environment ?? ProcessInfo.processInfo.environment
        if env["ATALAYA_CACHE_DIR"] == nil { env["ATALAYA_CACHE_DIR"] = cacheDirectory.path }
        p.environment = env
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close(); try err.close()
        return Run(status: p.terminationStatus, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                   stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// A provenance section with its typed values as the text they were made from (null → "").
    static func textValues(_ d: [String: Any]) -> [String: String] {
        d.mapValues { v in v is NSNull ? "" : (v as? String) ?? "\(v)" }
    }

    /// A fresh temporary folder for one test.
    static func tempDir(_ name: String) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("atalaya-cli-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: d)
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// Minimal RFC 4180 reader for checking outputs.
    static func readCSV(_ url: URL) throws -> [[String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [[String]] = [], row: [String] = [], field = "", inQuotes = false
        var it = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let n = it.next() { if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n } } else { inQuotes = false }
                } else { field.append(c) }
            } else if c == "\"" { inQuotes = true }
            else if c == "," { row.append(field); field = "" }
            else if c == "\n" { row.append(field); rows.append(row); row = []; field = "" }
            else if c != "\r" { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
