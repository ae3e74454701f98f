import Foundation

/// Runs the built `atalaya` binary (it sits beside the test bundle) and captures its output.
public enum CLI {
    public struct Run: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public static var binary: URL { TestPaths.builtExecutable("atalaya") }

    /// The environment of every `atalaya` child process: the test runner's, in the default language
    /// whatever LANG the machine has, with the layers found as a user's checkout finds them (beside it,
    /// not through a variable the runner may have set), the layer cache on and in this test process's
    /// own folder (never the user's ~/.cache). `extra` is applied last (nil removes a variable).
    public static func environment(_ extra: [String: String?] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["ATALAYA_GEODATA"] = nil
        env["ATALAYA_LANG"] = "es"
        env["ATALAYA_CACHE"] = nil
        env["ATALAYA_CACHE_DIR"] = cacheDirectory.path
        for (k, v) in extra { env[k] = v }
        return env
    }

    public static func run(_ args: [String], cwd: URL? = nil, environment extra: [String: String?] = [:]) throws -> Run {
        try runProcess(binary, args, cwd: cwd ?? TestPaths.packageRoot, environment: environment(extra))
    }

    /// The layer cache the binary uses when a test does not name one: one folder per test process,
    /// shared by its runs (so that most of them start warm, as a user's would), removed when the
    /// test process exits (it grows to ~90 MB).
    public static let cacheDirectory: URL = {
        atexit { try? FileManager.default.removeItem(at: CLI.cacheDirectoryPath()) }
        return cacheDirectoryPath()
    }()

    private static func cacheDirectoryPath() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("atalaya-test-cache-\(getpid())")
    }

    /// Runs any program and captures its output through temporary files, not pipes: Foundation's
    /// `readDataToEndOfFile` traps on EINTR, which the many child processes of a parallel test run
    /// make likely.
    public static func runProcess(_ executable: URL, _ args: [String], cwd: URL = TestPaths.packageRoot,
                                  environment: [String: String]? = nil) throws -> Run {
        let dir = try TestFiles.tempDir("run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
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
    public static func textValues(_ d: [String: Any]) -> [String: String] {
        d.mapValues { v in v is NSNull ? "" : (v as? String) ?? "\(v)" }
    }

    /// A fresh temporary folder for one test.
    public static func tempDir(_ name: String) throws -> URL { try TestFiles.tempDir("cli-" + name) }

    /// Minimal RFC 4180 reader for checking outputs.
    public static func readCSV(_ url: URL) throws -> [[String]] {
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
