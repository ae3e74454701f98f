import Foundation
import TestSupport
import Testing

/// The persistent layer cache through the binary: the same bytes out cold, warm and with
/// `ATALAYA_CACHE=off`; `off` writes nothing; two runs building the cache at once both succeed.
/// Each test names its own cache folder (`ATALAYA_CACHE_DIR`).
@Suite struct LayerCacheCommandTests {
    /// Known places (as in AssignCommandTests): Plaza de Bolívar (La Candelaria, 17), Suba, Funza,
    /// Medellín (outside), plus points that land near boundaries.
    static let csv = """
    id,fecha_hecho,delito,latitud,longitud
    1,2025-03-01 10:00:00,HURTO A PERSONAS,4.5981,-74.0760
    2,2025-03-02 11:00:00,HURTO A PERSONAS,4.7420,-74.0830
    3,2025-03-03 12:00:00,LESIONES PERSONALES,4.7070,-74.2050
    4,2025-03-04 13:00:00,HOMICIDIOS,6.2518,-75.5636
    5,2025-03-05 14:00:00,HURTO A PERSONAS,4.6460,-74.0775
    6,2025-03-06 15:00:00,HURTO A PERSONAS,4.6097,-74.0817
    7,2025-03-07 16:00:00,HURTO A PERSONAS,4.6280,-74.0640

    """

    struct Outputs: Equatable {
        let stdout: String
        let files: [String: Data]
    }

    /// `assign` (CSV and provenance) and `layers --json` with the environment given, in `dir`.
    static func outputs(_ dir: URL, _ environment: [String: String?]) throws -> Outputs {
        let input = dir.appendingPathComponent("in.csv")
        if !FileManager.default.fileExists(atPath: input.path) { try Self.csv.write(to: input, atomically: true, encoding: .utf8) }
        let out = dir.appendingPathComponent("out.csv")
        let assign = try CLI.run(["assign", input.path, "-o", out.path, "-q"], environment: environment)
        #expect(assign.status == 0, "\(assign.stderr)")
        let layers = try CLI.run(["layers", "--json"], environment: environment)
        #expect(layers.status == 0, "\(layers.stderr)")
        let density = try CLI.run(["density", input.path, "-o", dir.appendingPathComponent("d.asc").path, "--cell", "200", "-q"],
                                  environment: environment)
        #expect(density.status == 0, "\(density.stderr)")
        return Outputs(stdout: layers.stdout, files: [
            "out.csv": try Data(contentsOf: out),
            "out.provenance.json": try Data(contentsOf: dir.appendingPathComponent("out.provenance.json")),
            "d.asc": try Data(contentsOf: dir.appendingPathComponent("d.asc")),
            "d.provenance.json": try Data(contentsOf: dir.appendingPathComponent("d.provenance.json")),
        ])
    }

    static func cacheFiles(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    @Test func outputsAreTheSameColdWarmAndWithoutCache() throws {
        let dir = try CLI.tempDir("cache-modes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("cache")
        let cold = try Self.outputs(dir, ["ATALAYA_CACHE_DIR": cache.path])
        let written = Self.cacheFiles(cache)
        #expect(written.count >= 10)   // the layers, their indexes, file digests, PROJ answers
        #expect(written.allSatisfy { $0.hasSuffix(".layer") })   // no temporary file left behind
        let warm = try Self.outputs(dir, ["ATALAYA_CACHE_DIR": cache.path])
        #expect(Self.cacheFiles(cache) == written)   // a warm run only reads
        let off = try Self.outputs(dir, ["ATALAYA_CACHE_DIR": cache.path, "ATALAYA_CACHE": "off"])
        #expect(cold == warm)
        #expect(cold == off)
        // And the answers are the known ones.
        let rows = try CLI.readCSV(dir.appendingPathComponent("out.csv"))
        let data = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
        #expect(data[0]["localidad_code"] == "17" && data[0]["upz_code"] == "UPZ94")
        #expect(data[2]["municipio_code"] == "25286" && data[2]["localidad_code"] == "")
        #expect(data[3]["status"] == "outside")
        let layers = try JSONSerialization.jsonObject(with: Data(cold.stdout.utf8)) as! [String: Any]
        let rowsByName = Dictionary(uniqueKeysWithValues: (layers["layers"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
        #expect(rowsByName["upz"]?["features"] as? Int == 116)
        #expect(rowsByName["transmilenio_troncales"]?["geometry"] as? String == "MultiLineString")   // a context layer: listed only
    }

    @Test func cacheOffWritesNothing() throws {
        let dir = try CLI.tempDir("cache-off")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("cache")
        _ = try Self.outputs(dir, ["ATALAYA_CACHE_DIR": cache.path, "ATALAYA_CACHE": "off"])
        #expect(!FileManager.default.fileExists(atPath: cache.path))
        // An existing folder stays empty too.
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        _ = try Self.outputs(dir, ["ATALAYA_CACHE_DIR": cache.path, "ATALAYA_CACHE": "off"])
        #expect(Self.cacheFiles(cache).isEmpty)
    }

    /// Two `assign` runs started together on an empty cache both build and write every entry (the
    /// renames are atomic); both succeed with the same bytes, and a third run reads what they left.
    @Test func twoProcessesBuildingTheCacheAtOnceBothSucceed() throws {
        let dir = try CLI.tempDir("cache-race")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("cache")
        let input = dir.appendingPathComponent("in.csv")
        try Self.csv.write(to: input, atomically: true, encoding: .utf8)
        let results = SendableBox<[Int: CLI.Run]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { k in
            let r = try? CLI.run(["assign", input.path, "-o", dir.appendingPathComponent("out\(k).csv").path, "-q"],
                                 environment: ["ATALAYA_CACHE_DIR": cache.path])
            results.update { $0[k] = r }
        }
        let runs = results.value
        #expect(runs[0]?.status == 0, "\(runs[0]?.stderr ?? "no run")")
        #expect(runs[1]?.status == 0, "\(runs[1]?.stderr ?? "no run")")
        let a = try Data(contentsOf: dir.appendingPathComponent("out0.csv")), b = try Data(contentsOf: dir.appendingPathComponent("out1.csv"))
        #expect(a == b)
        #expect(Self.cacheFiles(cache).allSatisfy { $0.hasSuffix(".layer") })
        let third = try CLI.run(["assign", input.path, "-o", dir.appendingPathComponent("out2.csv").path, "-q"],
                                environment: ["ATALAYA_CACHE_DIR": cache.path])
        #expect(third.status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("out2.csv")) == a)
        let off = try CLI.run(["assign", input.path, "-o", dir.appendingPathComponent("out3.csv").path, "-q"],
                              environment: ["ATALAYA_CACHE": "off"])
        #expect(off.status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("out3.csv")) == a)
    }
}

/// A value shared by concurrent test workers. `@unchecked Sendable`: `value` is read and written
/// only under `lock`.
final class SendableBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ v: T) { stored = v }
    var value: T { lock.withLock { stored } }
    func update(_ f: (inout T) -> Void) { lock.withLock { f(&stored) } }
}
