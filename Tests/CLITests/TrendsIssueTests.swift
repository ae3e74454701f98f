import Foundation
import Testing
import TestSupport

/// `trends` on a window cut mid-period, with the exact test of two counts and every unit of the layer, through the binary.
@Suite(.serialized) struct TrendsIssueTests {
    /// Chapinero (every point at 4.6480, -74.0620) and Kennedy (4.6300, -74.1500), both checked in `TimeCommandTests`.
    static func trendsCSV(_ dir: URL) throws -> URL {
        var text = "id,fecha_hecho,delito,latitud,longitud\n"
        var id = 0
        func add(_ n: Int, _ date: String, chapinero: Bool) {
            for _ in 0..<n {
                id += 1
                text += "\(id),\(date) 10:00:00,HURTO A PERSONAS,\(chapinero ? "4.6480,-74.0620" : "4.6300,-74.1500")\n"
            }
        }
        // 2025-W01 = 30 Dec – 5 Jan, W02 = 6–12 Jan, W03 = 13–19 Jan, W04 = 20–26 Jan.
        add(1, "2025-01-07", chapinero: true); add(4, "2025-01-14", chapinero: true); add(5, "2025-01-21", chapinero: true)
        add(3, "2025-01-01", chapinero: false); add(10, "2025-01-15", chapinero: false)
        let url = dir.appendingPathComponent("trends.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A window from Wednesday 1 January to Wednesday 22 January 2025: weeks W01 and W04 are cut by it. Only W03 is
    /// compared (with W02); the partial W04 (5 incidents after 4) shows no change. 1 → 4 is +300 % but p = 0.375
    /// (Bin(5, ½): (1 + 5 + 5 + 1)/32); 0 → 10 has no percentage but p = 2/2¹⁰. Every localidad has its four rows.
    @Test func trendsNeverCompareAPartialPeriod() throws {
        let dir = try TestFiles.tempDir("trends-partial")
        let input = try Self.trendsCSV(dir)
        let args = ["trends", input.path, "--period", "week", "--from", "2025-01-01", "--to", "2025-01-22", "-q"]
        let r = try CLI.run(args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["rows"] as! [[String: Any]]
        #expect(rows.count == 20 * 4)
        func row(_ unit: String, _ week: String) throws -> [String: Any] {
            try #require(rows.first { $0["unit"] as? String == unit && $0["period"] as? String == week })
        }
        let w04 = try row("02", "2025-W04")
        #expect(w04["count"] as? Int == 5 && w04["partial"] as? Bool == true)
        for key in ["previous", "change_vs_previous", "p_vs_previous", "significant_vs_previous", "same_last_year"] {
            #expect(w04[key] is NSNull, "\(key)")
        }
        let w03 = try row("02", "2025-W03")
        #expect(w03["previous"] as? Int == 1 && w03["change_vs_previous"] as? Double == 3)
        #expect(abs((try #require(w03["p_vs_previous"] as? Double)) - 0.375) < 1e-12 && w03["significant_vs_previous"] as? Bool == false)
        #expect(try row("02", "2025-W02")["previous"] is NSNull)                  // W01 is partial
        let kennedy = try row("08", "2025-W03")
        #expect(kennedy["count"] as? Int == 10 && kennedy["previous"] as? Int == 0 && kennedy["change_vs_previous"] is NSNull)
        #expect(abs((try #require(kennedy["p_vs_previous"] as? Double)) - 2.0 / 1024) < 1e-12 && kennedy["significant_vs_previous"] as? Bool == true)
        #expect(try row("08", "2025-W01")["count"] as? Int == 3)
        // Units without a single incident are there with zeros.
        #expect(rows.filter { $0["unit"] as? String == "20" }.map { $0["count"] as? Int } == [0, 0, 0, 0])
        #expect(try row("20", "2025-W01")["unit_name"] as? String == "Sumapaz")
        #expect(w03["start"] as? String == "2025-01-13T00:00:00-05:00" && w03["end"] as? String == "2025-01-20T00:00:00-05:00")
        #expect(w03["unitName"] == nil)
        // The table marks what is significant, and only that.
        let table = try CLI.run(args)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        let tw03 = try #require(lines.first { $0.hasPrefix("02\t") && $0.contains("2025-W03") })
        #expect(tw03.contains("+300,0 %") && !tw03.contains("*"))
        let tw04 = try #require(lines.first { $0.hasPrefix("02\t") && $0.contains("2025-W04") })
        #expect(tw04.contains("\tsí\t") && !tw04.contains("%"))
        let k03 = try #require(lines.first { $0.hasPrefix("08\t") && $0.contains("2025-W03") })
        #expect(k03.contains("**"))
        #expect(table.stdout.contains("* p < 0,05 · ** p < 0,01"))
    }
}
