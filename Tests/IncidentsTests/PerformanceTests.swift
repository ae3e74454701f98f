import Foundation
import Testing
@testable import Incidents

/// Opt-in benchmark: `ATALAYA_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter PerformanceTests`.
@Suite struct PerformanceTests {
    static func benchFile() throws -> (path: String, bytes: Int) {
        var text = "id,fecha_hecho,latitud,longitud,delito,localidad,descripcion\n"
        text.reserveCapacity(110_000_000)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<1_000_000 {
            // 8 decimals, like real exports ("6.27623616").
            let lat = "4.\(UInt32.random(in: 45_000_000..<85_000_000, using: &rng))"
            let lon = "-74.\(UInt32.random(in: 10_000_000..<20_000_000, using: &rng))"
            text += "\(i),2021-0\(i % 9 + 1)-1\(i % 10) 1\(i % 10):3\(i % 6):00,\(lat),\(lon),HURTO A PERSONAS,Usaquén,\"Calle \(i % 200), barrio\"\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).csv").path
        let data = Data(text.utf8)
        try data.write(to: URL(fileURLWithPath: path))
        return (path, data.count)
    }

    static func best(_ runs: Int = 5, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["ATALAYA_BENCH"] != nil))
    func millionRows() throws {
        let (path, size) = try Self.benchFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = ReadOptions(expectedLonLatBox: bogotaBox)
        let raw = try IncidentReader.readFile(path)
        if let mode = ProcessInfo.processInfo.environment["ATALAYA_BENCH_ONLY"] {
            // Profiling aid: one phase only, many times.
            let workers = mode == "seq" ? 1 : nil
            let t = try Self.best(10) { _ = try CSVIncidents.read(utf8: raw, encoding: "", source: path, options: options, maxWorkers: workers) }
            print(String(format: "1M rows parse(%@) %.3f s", mode, t))
            return
        }
        let tRead = try Self.best { _ = try IncidentReader.readFile(path) }
        let tDecode = Self.best { _ = TextEncoding.decode(raw) }
        let tSeq = try Self.best { _ = try CSVIncidents.read(utf8: raw, encoding: "", source: path, options: options, maxWorkers: 1) }
        let tPar = try Self.best { _ = try CSVIncidents.read(utf8: raw, encoding: "", source: path, options: options) }
        var count = 0
        let total = try Self.best { count = try IncidentReader.read(path: path, options: options).table.count }
        print(String(format: "1M rows, %d MB: read %.3f decode %.3f parse(1 worker) %.3f parse(auto) %.3f total %.3f s",
                     size / 1_000_000, tRead, tDecode, tSeq, tPar, total))
        #expect(count == 1_000_000)
        #expect(total < 0.5)
    }
}
