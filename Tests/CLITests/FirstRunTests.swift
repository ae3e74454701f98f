import Foundation
import Testing

/// What a new user meets first: layers found with only ATALAYA_GEODATA set (the manifest is built in),
/// messages in Spanish by default and in English with --lang en, no internal names in errors.
@Suite struct FirstRunTests {
    static let sharedGeodata = CLI.packageRoot.appendingPathComponent("../shared/geodata").standardizedFileURL

    /// The binary copied out of the checkout (no geodata/ beside it, no manifest) runs `layers` with only
    /// ATALAYA_GEODATA pointing at the layer files; without it, the error says what is missing and how to fix it.
    @Test func copiedBinaryNeedsOnlyAtalayaGeodata() throws {
        let dir = try CLI.tempDir("firstrun")
        defer { try? FileManager.default.removeItem(at: dir) }
        let exe = dir.appendingPathComponent("atalaya")
        try FileManager.default.copyItem(at: CLI.binary, to: exe)
        func run(_ args: [String], env extra: [String: String]) throws -> CLI.Run {
            let p = Process()
            p.executableURL = exe
            p.arguments = args
            p.currentDirectoryURL = dir
            var env = ProcessInfo.processInfo.environment
            env["ATALAYA_GEODATA"] = nil; env["ATALAYA_LANG"] = "es"
            for (k, v) in extra { env[k] = v }
            p.environment = env
            let out = Pipe(), err = Pipe()
            p.standardOutput = out; p.standardError = err
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return CLI.Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        }
        let ok = try run(["layers"], env: ["ATALAYA_GEODATA": Self.sharedGeodata.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("manifiesto incorporado"))
        #expect(ok.stdout.contains("policia_cuadrantes"))
        let missing = try run(["layers"], env: [:])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("localidades.geojson"))
        #expect(missing.stderr.contains("ATALAYA_GEODATA"))
        #expect(missing.stderr.contains("no se encontró"))
        let english = try run(["--lang", "en", "layers"], env: [:])
        #expect(english.stderr.contains("not found"))
        #expect(!english.stderr.contains("no se encontró"))
    }

    /// `simulate` with the window reversed names the user's flags and dates, never internal fields.
    @Test func simulateErrorsNameFlags() throws {
        let dir = try CLI.tempDir("simflags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["simulate", "--from", "2025-02-01", "--to", "2025-01-01", "-o", dir.appendingPathComponent("s.csv").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--to (2025-01-01) debe ser posterior a --from (2025-02-01)"))
        #expect(!r.stderr.contains("endDay"))
        #expect(!r.stderr.contains("startDay"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.csv").path))
    }

    /// An unknown --lang value is refused with a message in both languages.
    @Test func unknownLanguageRefused() throws {
        let r = try CLI.run(["--lang", "fr", "layers"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--lang 'fr'"))
    }
}
