import Foundation
import Testing
import TestSupport

/// `emerging`: no invented trends (comparable steps, full periods), the cells choice and Spanish categories, through the binary.
@Suite(.serialized) struct EmergingIssueTests {
    /// Emerging features as dictionaries, and the provenance's analysis section.
    static func emerging(_ args: [String]) throws -> (features: [[String: Any]], analysis: [String: String], stderr: String) {
        let r = try CLI.run(["emerging"] + args)
        #expect(r.status == 0, "\(r.stderr)")
        let out = URL(fileURLWithPath: args[args.firstIndex(of: "-o")! + 1])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        let features = try #require(doc["features"] as? [[String: Any]]).compactMap { $0["properties"] as? [String: Any] }
        let analysis = CLI.textValues(try #require((doc["atalaya"] as? [String: Any])?["analysis"] as? [String: Any]))
        return (features, analysis, r.stderr)
    }

    /// `simulate` has no trend by construction (each day uniform in the window; a near-repeat follows its original
    /// by Exponential(5 days) and one falling past the end is redrawn uniformly). On such data, significant rising
    /// and falling trends of hot spots must be equally likely. For each of 8 runs (seeds 11–14, without and with
    /// near-repeats, 200,000 incidents in 2025, `emerging` with its defaults — weekly — and monthly), d = (I − D)/√(I + D)
    /// for I intensifying and D diminishing hot spots is the imbalance in binomial standard deviations. The cells'
    /// trends are not independent (neighbouring cells share most of their neighbourhood, and every cell shares the
    /// random total of each step), so a single run spreads more than Binomial(n, ½): over 20 seeds after the fix
    /// the sd of d was 2.2 weekly and 2.1 monthly, with no systematic sign. The test is therefore on the 8 runs
    /// together: |mean d| ≤ t₇(0.995)·sd(d)/√8 = 3.5·sd/√8 (a 1 % two-sided one-sample t bound). Before the fix
    /// every run had I > D: monthly d = 13.0–17.3 (e.g. 321 against 8), t = 33.6; weekly d = 1.7–6.7, t = 7.1.
    @Test func noInventedTrendsOnStationarySimulations() throws {
        let dir = try TestFiles.tempDir("emerging-stationary")
        var imbalance: [String: [Double]] = ["week": [], "month": []]
        for seed in 11...14 {
            for share in ["0", "0.12"] {
                let csv = dir.appendingPathComponent("s\(seed)-\(share).csv")
                let sim = try CLI.run(["simulate", "--count", "200000", "--from", "2025-01-01", "--to", "2026-01-01",
                                       "--seed", String(seed), "--repeat-share", share, "-o", csv.path, "-q"])
                #expect(sim.status == 0, "\(sim.stderr)")
                // No trend in the data: the two halves of the year (182 and 183 days) agree within 3 Poisson sd.
                let dates = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst()
                let firstHalf = dates.filter { $0.split(separator: ",")[1] < "2025-07-02" }.count
                #expect(abs(Double(firstHalf) - 200_000 * 182 / 365) <= 3 * 200_000.0.squareRoot(), "\(firstHalf)")
                for period in ["week", "month"] {
                    let out = dir.appendingPathComponent("e-\(seed)-\(share)-\(period).geojson").path
                    let (features, analysis, _) = try Self.emerging([csv.path, "-o", out, "-q"] + (period == "week" ? [] : ["--period", "month"]))
                    #expect(analysis["period"] == period)
                    let i = features.filter { $0["category_en"] as? String == "intensifying hot spot" }.count
                    let d = features.filter { $0["category_en"] as? String == "diminishing hot spot" }.count
                    #expect(i + d > 40, "\(seed) \(share) \(period): too few trending hot spots to judge")
                    imbalance[period]!.append(Double(i - d) / Double(max(1, i + d)).squareRoot())
                }
            }
        }
        for (period, d) in imbalance {
            let k = Double(d.count), mean = d.reduce(0, +) / k
            let sd = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (k - 1)).squareRoot()
            #expect(abs(mean) <= 3.5 * sd / k.squareRoot(), "\(period): d = \(d)")
        }
    }

    /// A window ending on Thursday 27 March cuts 2025-W13 (24–30 March): that week is trimmed, so the cube, the
    /// series and the categories are exactly those of the window ending on Monday 24 March; the output names the
    /// trimmed week and the incidents left out (the file has ten a day: 24–26 March is 30).
    @Test func emergingTrimsAPartialFinalStep() throws {
        let dir = try TestFiles.tempDir("emerging-partial")
        let input = try TimeCommandTests.csv(dir)
        let common = [input.path, "--period", "week", "--area", "localidades:02,08", "--from", "2025-01-06"]
        let cut = try Self.emerging(common + ["--to", "2025-03-27", "-o", dir.appendingPathComponent("cut.geojson").path])
        let whole = try Self.emerging(common + ["--to", "2025-03-24", "-o", dir.appendingPathComponent("whole.geojson").path])
        #expect(cut.analysis["trimmed_partial_steps"] == "2025-W13" && cut.analysis["trimmed_incidents"] == "30")
        #expect(cut.stderr.contains("periodos parciales descartados (no son pasos): 2025-W13 · 30 incidentes fuera del cubo"))
        #expect(whole.analysis["trimmed_partial_steps"] == "" && cut.analysis["steps"] == whole.analysis["steps"])
        #expect(cut.analysis["steps"]!.hasSuffix(",2025-W12"))
        // January to March 2025 holds no full year: nothing to analyse, and the error says why.
        let year = try CLI.run(["emerging", input.path, "--period", "year", "-o", dir.appendingPathComponent("y.geojson").path, "-q"])
        #expect(year.status != 0 && year.stderr.contains("necesita al menos 3 pasos comparables: la ventana tiene 0 periodos completos (parciales descartados: 1)"))
        #expect(cut.features.count == whole.features.count)
        for (a, b) in zip(cut.features, whole.features) {
            #expect(a["cell"] as? Int == b["cell"] as? Int && a["category"] as? String == b["category"] as? String)
            #expect(a["counts"] as? [Int] == b["counts"] as? [Int])
        }
    }

    static let spanish: [String: String] = [
        "no pattern": "sin patrón detectado",
        "new hot spot": "nuevo punto caliente", "consecutive hot spot": "punto caliente consecutivo",
        "intensifying hot spot": "punto caliente en intensificación", "persistent hot spot": "punto caliente persistente",
        "diminishing hot spot": "punto caliente en disminución", "sporadic hot spot": "punto caliente esporádico",
        "oscillating hot spot": "punto caliente oscilante", "historical hot spot": "punto caliente histórico",
        "new cold spot": "nuevo punto frío", "consecutive cold spot": "punto frío consecutivo",
        "intensifying cold spot": "punto frío en intensificación", "persistent cold spot": "punto frío persistente",
        "diminishing cold spot": "punto frío en disminución", "sporadic cold spot": "punto frío esporádico",
        "oscillating cold spot": "punto frío oscilante", "historical cold spot": "punto frío histórico",
    ]

    /// `--cells with-data` keeps only the cells with an incident (as ArcGIS without a mask); the default keeps every
    /// study-area cell. Categories are in Spanish, with ArcGIS's English name beside them.
    @Test func emergingCellsChoiceAndSpanishCategories() throws {
        let dir = try TestFiles.tempDir("emerging-cells")
        let input = try TimeCommandTests.csv(dir)
        let common = [input.path, "--period", "week", "--area", "localidades:02,08"]
        let all = try Self.emerging(common + ["-o", dir.appendingPathComponent("all.geojson").path])
        let data = try Self.emerging(common + ["--cells", "with-data", "-o", dir.appendingPathComponent("data.geojson").path])
        #expect(all.analysis["cells"]!.hasPrefix("all") && data.analysis["cells"]!.hasPrefix("with-data"))
        func cubeCells(_ stderr: String) -> Int? {
            guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("cubo: ") }) else { return nil }
            return Int(line.dropFirst(6).prefix { $0.isNumber })
        }
        // With data only, the cube is exactly the cells written (those with an incident); by default it is larger.
        #expect(cubeCells(data.stderr) == data.features.count && data.features.count == all.features.count)
        #expect(cubeCells(all.stderr)! > all.features.count)
        for f in all.features + data.features {
            let en = try #require(f["category_en"] as? String)
            #expect(Self.spanish[en] == f["category"] as? String, "\(en)")
        }
        let bad = try CLI.run(["emerging", input.path, "--cells", "some", "-o", dir.appendingPathComponent("x.geojson").path])
        #expect(bad.status == 64)
    }
}
