import Foundation
import Testing
import TestSupport

/// `ingest`, `trends`, `nearrepeat` and `emerging` through the built binary.
@Suite(.serialized) struct TimeCommandTests {
    /// 900 incidents over 90 days in Kennedy and Chapinero; ids 1…900.
    static func csv(_ dir: URL) throws -> URL {
        var text = "id,fecha_hecho,delito,latitud,longitud\n"
        for i in 0..<900 {
            let day = i % 90, month = day < 31 ? 1 : (day < 59 ? 2 : 3)
            let dom = day < 31 ? day + 1 : (day < 59 ? day - 30 : day - 58)
            let (lat, lon) = i % 3 == 0 ? (4.6480 + Double(i % 7) * 0.0004, -74.0620) : (4.6300 + Double(i % 11) * 0.0004, -74.1500)
            text += "\(i + 1),2025-\(String(format: "%02d", month))-\(String(format: "%02d", dom)) 12:00:00,HURTO A PERSONAS,\(lat),\(lon)\n"
        }
        let url = dir.appendingPathComponent("time.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func ingestIsIdempotentAndTrendsCountEveryIncident() throws {
        let dir = try TestFiles.tempDir("ingest")
        let input = try Self.csv(dir)
        let store = dir.appendingPathComponent("s.sqlite").path
        let first = try CLI.run(["ingest", input.path, "--store", store])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("insertados 900"))
        let second = try CLI.run(["ingest", input.path, "--store", store])
        #expect(second.status == 0 && second.stderr.contains("insertados 0") && second.stderr.contains("sin cambios 900"))
        // A bad row is reported by reason and written to the rejects file beside the store; the rest is kept.
        let withBad = dir.appendingPathComponent("bad.csv")
        try (try String(contentsOf: input, encoding: .utf8) + "901,2025-03-31 10:00:00,HURTO A PERSONAS,,-74.1\n")
            .write(to: withBad, atomically: true, encoding: .utf8)
        let third = try CLI.run(["ingest", withBad.path, "--store", store, "--block-mb", "1"])
        #expect(third.status == 0 && third.stderr.contains("rechazadas 1") && third.stderr.contains("rechazo missing_coordinate: 1"))
        let rejects = try String(contentsOf: dir.appendingPathComponent("bad.rejects.csv"), encoding: .utf8)
        #expect(rejects.hasPrefix("line,reason,field,detail,record\n902,missing_coordinate,latitud,"))
        let zero = try CLI.run(["ingest", input.path, "--store", store, "--block-mb", "0"])
        #expect(zero.status == 64 && zero.stderr.contains("--block-mb"))
        let trends = try CLI.run(["trends", "--store", store, "--unit", "localidades", "--period", "month", "--json", "-q"])
        #expect(trends.status == 0, "\(trends.stderr)")
        let rows = (try JSONSerialization.jsonObject(with: Data(trends.stdout.utf8)) as! [String: Any])["rows"] as! [[String: Any]]
        #expect(rows.reduce(0) { $0 + ($1["count"] as! Int) } == 900)
        let chapinero = rows.filter { $0["unit"] as? String == "02" }
        #expect(chapinero.map { $0["period"] as! String } == ["2025-01", "2025-02", "2025-03"])
        // Every third incident is in Chapinero (checked by Python ray casting): 110 in January, 90 in February, 100 in March.
        #expect(chapinero.map { $0["count"] as! Int } == [110, 90, 100])
        #expect(chapinero.allSatisfy { $0["unit_name"] as? String == "Chapinero" })
        // Every localidad of the layer has its rows, with 0 where nothing happened (Sumapaz, 20).
        #expect(Set(rows.map { $0["unit"] as! String }).count == 20)
        #expect(rows.filter { $0["unit"] as? String == "20" }.map { $0["count"] as! Int } == [0, 0, 0])
        // CSV: code and official name; the provenance beside it.
        let csvOut = dir.appendingPathComponent("t.csv")
        let toCSV = try CLI.run(["trends", "--store", store, "--period", "month", "--from", "2025-01-01", "--to", "2025-04-01",
                                 "-o", csvOut.path, "-q"])
        #expect(toCSV.status == 0, "\(toCSV.stderr)")
        let table = try CLI.readCSV(csvOut)
        #expect(table.first == ["unit", "unit_name", "period", "start", "end", "count", "partial", "previous", "change_vs_previous",
                                "p_vs_previous", "significant_vs_previous", "same_last_year", "change_vs_last_year",
                                "p_vs_last_year", "significant_vs_last_year"])
        let feb = try #require(table.first { $0[0] == "02" && $0[2] == "2025-02" })
        #expect(Array(feb[0..<9]) == ["02", "Chapinero", "2025-02", "2025-02-01T00:00:00-05:00", "2025-03-01T00:00:00-05:00",
                                      "90", "false", "110", "\(Double(90 - 110) / 110)"])
        // 90 in February (28 days) against 110 in January (31 days): Bin(200, 28/59), p = 0.5241307146075652 (exact
        // rational sum in Python); not significant. No year before: the last four fields are empty.
        #expect(feb.count == 15 && abs((Double(feb[9]) ?? .nan) - 0.5241307146075652) < 1e-9 && feb[10] == "false")
        #expect(Array(feb.dropFirst(11)) == ["", "", "", ""])
        let trendsProv = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: (csvOut.path as NSString).deletingPathExtension + ".provenance.json"))) as! [String: Any]
        let analysis = trendsProv["analysis"] as! [String: Any]
        #expect(trendsProv["command"] as? String == "trends" && analysis["period"] as? String == "month" && analysis["unit_layer"] as? String == "localidades")
        #expect(analysis["data_from_inclusive"] as? String == "2025-01-01T00:00:00-05:00" && analysis["data_to_exclusive"] as? String == "2025-04-01T00:00:00-05:00")
        // Filters answered by SQL: one UPZ only.
        let density = try CLI.run(["density", "--store", store, "--localidad", "02", "-o", dir.appendingPathComponent("d.tif").path, "--cell", "100", "-q"])
        #expect(density.status == 0, "\(density.stderr)")
        let prov = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("d.provenance.json"))) as! [String: Any]
        #expect((prov["counts"] as! [String: Any])["accepted"] as? Int == 300)
    }

    /// In the analysis commands `--category` filters and `--category-column` names the column; in `ingest`
    /// (and `assign`) `--category` names the column, and contradicting `--category-column` is refused.
    @Test func categoryFilterAndCategoryColumn() throws {
        let dir = try TestFiles.tempDir("category")
        // 900 incidents in a column no name rule detects ("modalidad"): every fifth is RIÑA, the rest HURTO.
        let base = try String(contentsOf: try Self.csv(dir), encoding: .utf8).split(separator: "\n")
        var text = "id,fecha_hecho,modalidad,latitud,longitud\n"
        for (k, line) in base.dropFirst().enumerated() {
            text += line.replacingOccurrences(of: "HURTO A PERSONAS", with: k % 5 == 0 ? "RIÑA" : "HURTO") + "\n"
        }
        let csv = dir.appendingPathComponent("modalidad.csv")
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let trends = try CLI.run(["trends", csv.path, "--category-column", "modalidad", "--category", "RIÑA",
                                  "--period", "month", "--json", "-q"])
        #expect(trends.status == 0, "\(trends.stderr)")
        let rows = (try JSONSerialization.jsonObject(with: Data(trends.stdout.utf8)) as! [String: Any])["rows"] as! [[String: Any]]
        #expect(rows.reduce(0) { $0 + ($1["count"] as! Int) } == 180)
        let store = dir.appendingPathComponent("s.sqlite").path
        let clash = try CLI.run(["ingest", csv.path, "--store", store, "--category", "modalidad", "--category-column", "id"])
        #expect(clash.status == 64 && clash.stderr.contains("--category-column"))
        let ingest = try CLI.run(["ingest", csv.path, "--store", store, "--category", "modalidad", "-q"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let fromStore = try CLI.run(["trends", "--store", store, "--category", "HURTO", "--json", "-q"])
        #expect(fromStore.status == 0, "\(fromStore.stderr)")
        let stored = (try JSONSerialization.jsonObject(with: Data(fromStore.stdout.utf8)) as! [String: Any])["rows"] as! [[String: Any]]
        #expect(stored.reduce(0) { $0 + ($1["count"] as! Int) } == 720)
    }

    /// The time commands offer the selection and filters, not the density options they would ignore.
    @Test func timeCommandsOfferOnlyTheirOptions() throws {
        for command in ["trends", "nearrepeat", "emerging"] {
            let help = try CLI.run([command, "--help"]).stdout
            #expect(help.contains("--store") && help.contains("--category <value>") && help.contains("--category-column"), "\(command)")
            #expect(!help.contains("--kernel") && !help.contains("--bandwidth") && !help.contains("--weight"), "\(command)")
        }
        #expect(try CLI.run(["emerging", "--help"]).stdout.contains("(default: 250)"))
        let ignored = try CLI.run(["trends", "x.csv", "--kernel", "quartic"])
        #expect(ignored.status == 64 && ignored.stderr.contains("--kernel"))
    }

    @Test func knoxTableAndSummary() throws {
        let dir = try TestFiles.tempDir("knox")
        let input = try Self.csv(dir)
        let json = dir.appendingPathComponent("k.json")
        let r = try CLI.run(["nearrepeat", input.path, "--iterations", "99", "--distances", "0,100,500", "--days", "0,7,30", "-o", json.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Prueba de Knox"))
        let k = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        let observed = k["observed"] as! [[Int]]
        #expect(observed.count == 2 && observed[0].count == 2)
        let p = (k["p"] as! [[Double]]).flatMap { $0 }
        #expect(p.allSatisfy { $0 >= 0.01 && $0 <= 1 })
        // The sidecar never doubles an extension: k.provenance.json, not k.json.json.
        let prov = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("k.provenance.json"))) as! [String: Any]
        #expect(!FileManager.default.fileExists(atPath: json.path + ".json"))
        let analysis = prov["analysis"] as! [String: Any]
        #expect(prov["command"] as? String == "nearrepeat" && analysis["seed"] as? Int == 2026 && analysis["iterations"] as? Int == 99)
        #expect(analysis["distances_m"] as? String == "0,100,500" && analysis["days"] as? String == "0,7,30" && analysis["incidents_used"] as? Int == 900)
    }

    /// The NRC table: same-location row, open row and column, the calculator's labels next to the intervals, every
    /// one of the 900 · 899 / 2 pairs in some cell; the metric is recorded.
    @Test func knoxNRCCompatible() throws {
        let dir = try TestFiles.tempDir("knox-nrc")
        let input = try Self.csv(dir)
        let json = dir.appendingPathComponent("k.json")
        let r = try CLI.run(["nearrepeat", input.path, "--iterations", "19", "--distances", "0,100,500", "--days", "0,7,30",
                             "--nrc-compatible", "--metric", "manhattan", "-o", json.path, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("distancia (Manhattan)"))
        #expect(r.stdout.contains("[0, 0] m «Same location»") && r.stdout.contains("(0, 100) m «1 to 100»")
                && r.stdout.contains("[100, 500) m «101 to 500»") && r.stdout.contains("[500, ∞) m «More than 500»"))
        #expect(r.stdout.contains("[0, 7) «0 to 7»\t[7, 30) «8 to 30»\t[30, ∞) «More than 30»"))
        let k = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        let observed = k["observed"] as! [[Int]]
        #expect(observed.count == 4 && observed.allSatisfy { $0.count == 3 })
        #expect(observed.joined().reduce(0, +) == 900 * 899 / 2)
        #expect((k["bands"] as! [String: Any])["metric"] as? String == "manhattan")
        let rows = k["distance_intervals"] as! [[String: Any]]
        #expect(rows.map { $0["nrc_label"] as? String } == ["Same location", "1 to 100", "101 to 500", "More than 500"])
        #expect(rows.last!["upper"] is NSNull)
        let bad = try CLI.run(["nearrepeat", input.path, "--distances", "50,100", "--nrc-compatible", "-q"])
        #expect(bad.status != 0 && bad.stderr.contains("que empiecen en 0"))
        let help = try CLI.run(["nearrepeat", "--help"])
        #expect(help.stdout.contains("\"Same") && help.stdout.contains("--metric"))
    }

    @Test func emergingWritesCategories() throws {
        let dir = try TestFiles.tempDir("emerging")
        let input = try Self.csv(dir)
        let out = dir.appendingPathComponent("e.geojson")
        let r = try CLI.run(["emerging", input.path, "--period", "week", "-o", out.path, "--area", "localidades:02,08", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let features = (try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any])["features"] as! [[String: Any]]
        #expect(!features.isEmpty)
        var total = 0
        for f in features {
            let p = f["properties"] as! [String: Any]
            // The series per cell, one value per full ISO week 2025-W02 … 2025-W13 (W01 starts on 30 December and
            // W14 ends on 6 April: both are cut by the data window and trimmed). The first week only fills the
            // neighbourhood of the second (time window 1): no z there.
            let counts = p["counts"] as! [Int], zAll = p["gi_z"] as! [Any], qAll = p["gi_p_fdr"] as! [Any]
            #expect(counts.count == 12 && zAll.count == 12 && qAll.count == 12)
            #expect(zAll[0] is NSNull && qAll[0] is NSNull)
            let z = zAll.dropFirst().map { $0 as! Double }, q = qAll.dropFirst().map { $0 as! Double }
            total += counts.reduce(0, +)
            #expect(p["hot_steps"] as? Int == zip(z, q).filter { $0.1 < 0.05 && $0.0 > 0 }.count)
            #expect(p["cold_steps"] as? Int == zip(z, q).filter { $0.1 < 0.05 && $0.0 < 0 }.count)
            #expect(p["category"] is String)
        }
        // Every incident is in Chapinero (02) or Kennedy (08), ten a day; those of 1–5 January and 31 March are in
        // the trimmed weeks: 900 − 60 = 840 in the series.
        #expect(total == 840)
        let prov = (try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as! [String: Any])["atalaya"] as! [String: Any]
        let analysis = CLI.textValues(prov["analysis"] as! [String: Any])
        #expect(analysis["trimmed_partial_steps"] == "2025-W01,2025-W14" && analysis["trimmed_incidents"] == "60")
        #expect(analysis["warm_up_steps"] == "2025-W02" && analysis["steps"]!.hasPrefix("2025-W02,") && analysis["steps"]!.hasSuffix(",2025-W13"))
    }
}
