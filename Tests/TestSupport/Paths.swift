import Foundation

/// Where the tests find the checkout, the real layers, fixtures and the executables the build made.
/// Everything is found from this file's own path (`#filePath`) or the environment, never from one
/// machine's absolute path.
public enum TestPaths {
    /// The checkout: this file is `<root>/Tests/TestSupport/Paths.swift`.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The real layers: `$ATALAYA_GEODATA` when set, else `../shared/geodata` beside the checkout (as CI
    /// lays it out). Whether the folder exists is checked by the tests that read it (a missing file is a
    /// failure naming it, never a silent skip).
    public static let geodata: URL = {
        if let env = ProcessInfo.processInfo.environment["ATALAYA_GEODATA"], !env.isEmpty {
            return URL(fileURLWithPath: env).standardizedFileURL
        }
        return packageRoot.appendingPathComponent("../shared/geodata").standardizedFileURL
    }()

    /// A file inside the real geodata folder, e.g. `incidents/medellin_….csv`.
    public static func geodataFile(_ relative: String) -> URL {
        geodata.appendingPathComponent(relative).standardizedFileURL
    }

    /// `Tests/Fixtures`: small input files and golden values (`golden/`).
    public static let fixtures: URL = packageRoot.appendingPathComponent("Tests/Fixtures")

    /// The JSON Schemas of the outputs.
    public static let schemas: URL = packageRoot.appendingPathComponent("schemas")

    /// An executable of this package built beside the test bundle (`atalaya`, `StoreCrashHelper`): the
    /// bundle sits in `.build/<triple>/<config>/…`, so the executable is in one of its parent folders.
    public static func builtExecutable(_ name: String) -> URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/release/\(name)")
    }
}

/// Temporary folders for tests.
public enum TestFiles {
    private static let counter = Counter()

    /// A fresh, empty folder for one test: `atalaya-<name>-<pid>-<n>` in the temporary directory. The
    /// process id and a per-process counter keep parallel tests (and test targets sharing one process)
    /// from ever sharing a folder.
    public static func tempDir(_ name: String) throws -> URL {
        let d = FileManager.default.temporaryDirectory
            .appendingPathComponent("atalaya-\(name)-\(getpid())-\(counter.next())")
        try? FileManager.default.removeItem(at: d)
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// A counter shared by the test threads; its state is touched only under its lock.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}
