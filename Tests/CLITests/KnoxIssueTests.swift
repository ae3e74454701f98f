import Foundation
import Testing
import TestSupport

/// `nearrepeat`: same-place same-day duplicates and the summary options, through the binary.
@Suite(.serialized) struct KnoxIssueTests {
    /// The 900-incident file of `TimeCommandTests` repeats place and day for incidents i and i + 630 with i ≡ 0
    /// (mod 3), i < 270 (both in Chapinero with the same i mod 7 and the same day i mod 90, 630 = lcm(3, 7, 90)):
    /// 90 groups of two, 90 extra incidents, 90 pairs. Counting them once leaves 810 incidents.
    @Test func knoxReportsSamePlaceSameDayDuplicates() throws {
        let dir = try TestFiles.tempDir("knox-duplicates")
        let input = try TimeCommandTests.csv(dir)
        let base = ["nearrepeat", input.path, "--iterations", "19", "--distances", "0,100,500", "--days", "0,7,30", "-q"]
        let kept = try CLI.run(base)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stdout.contains("90 incidentes repiten el lugar y el día de otro, en 90 grupos; forman 90 pares a 0 m en el mismo día"))
        #expect(kept.stdout.contains("use --count-duplicates-once"))
        let json = dir.appendingPathComponent("k.json")
        let once = try CLI.run(base + ["--count-duplicates-once", "-o", json.path])
        #expect(once.status == 0, "\(once.stderr)")
        #expect(once.stdout.contains("Se contó una vez cada grupo (--count-duplicates-once): 90 descartados"))
        let k = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        #expect(k["events"] as? Int == 810)
        let analysis = CLI.textValues((try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("k.provenance.json"))) as! [String: Any])["analysis"] as! [String: Any])
        #expect(analysis["incidents_used"] == "810" && analysis["same_place_same_day_pairs"] == "90")
        // Help text is wrapped to the terminal: compare with line breaks as spaces.
        func unwrapped(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let help = unwrapped(try CLI.run(["nearrepeat", "--help"]).stdout)
        #expect(help.contains("--min-ratio") && help.contains("no se intenta la paridad exacta en float32"))
        let english = unwrapped(try CLI.run(["--lang", "en", "nearrepeat", "--help"]).stdout)
        #expect(english.contains("float32 parity is not attempted"))
    }
}
