import Formats
import Foundation
import Testing
import TestSupport

/// What a new user meets first: layers found with only ATALAYA_GEODATA set (the manifest is built in),
/// messages in Spanish by default and in English with --lang en, no internal names in errors.
@Suite struct FirstRunTests {
    static let sharedGeodata = TestPaths.geodata

    /// The binary copied out of the checkout (no geodata/ beside it, no manifest) runs `layers` with only
    /// ATALAYA_GEODATA pointing at the layer files; without it, the error says what is missing and how to fix it.
    @Test func copiedBinaryNeedsOnlyAtalayaGeodata() throws {
        let dir = try TestFiles.tempDir("firstrun")
        defer { try? FileManager.default.removeItem(at: dir) }
        let exe = dir.appendingPathComponent("atalaya")
        try FileManager.default.copyItem(at: CLI.binary, to: exe)
        func run(_ args: [String], env extra: [String: String?]) throws -> CLI.Run {
            try CLI.runProcess(exe, args, cwd: dir, environment: CLI.environment(extra))
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
        let dir = try TestFiles.tempDir("simflags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["simulate", "--from", "2025-02-01", "--to", "2025-01-01", "-o", dir.appendingPathComponent("s.csv").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--to (2025-01-01) debe ser posterior a --from (2025-02-01)"))
        #expect(!r.stderr.contains("endDay"))
        #expect(!r.stderr.contains("startDay"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.csv").path))
    }

    /// Help is Spanish by default and English with --lang en (or ATALAYA_LANG=en), for every command.
    @Test func helpInTheUsersLanguage() throws {
        let spanish = try CLI.run(["--help"]).stdout
        #expect(spanish.contains("Motor de mapas de riesgo y puntos calientes para Bogotá-Región"))
        let english = try CLI.run(["--lang", "en", "--help"]).stdout
        #expect(english.contains("Geospatial risk mapping and hotspot engine for Bogotá-Región"))
        let phrases: [String: (es: String, en: String)] = [
            "assign": ("Ubica cada incidente", "Place every incident"),
            "density": ("Superficie de densidad kernel", "Kernel density surface"),
            "hotspots": ("Polígonos de puntos calientes", "Hotspot polygons"),
            "ingest": ("Valida, asigna y guarda", "Validate, assign and store"),
            "trends": ("Incidentes por unidad y periodo", "Incidents per unit per period"),
            "emerging": ("Análisis de puntos calientes emergentes", "Emerging hot spot analysis"),
            "nearrepeat": ("Prueba de Knox", "Knox test"),
            "layers": ("Lista las capas", "List the Bogotá-Región layers"),
            "simulate": ("Genera incidentes sintéticos", "Generate seeded synthetic incidents"),
        ]
        for (command, p) in phrases {
            func unwrapped(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            let es = unwrapped(try CLI.run([command, "--help"]).stdout), en = unwrapped(try CLI.run([command, "--help", "--lang", "en"]).stdout)
            #expect(es.contains(p.es) && !es.contains(p.en), "\(command) (es)")
            #expect(en.contains(p.en) && !en.contains(p.es), "\(command) (en)")
        }
    }

    /// An unknown --lang value is refused with a message in both languages.
    @Test func unknownLanguageRefused() throws {
        let r = try CLI.run(["--lang", "fr", "layers"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--lang 'fr'"))
    }
}

/// Provenance records the options as typed; it must know which options take no value.
@Suite struct ProvenanceOptionsTests {
    @Test func bareFlagsAreKnown() throws {
        let root = try CLI.run(["--experimental-dump-help"])
        let doc = try JSONSerialization.jsonObject(with: Data(root.stdout.utf8)) as! [String: Any]
        var flags = Set<String>()
        func walk(_ c: [String: Any]) {
            for a in c["arguments"] as? [[String: Any]] ?? [] where a["kind"] as? String == "flag" {
                for n in a["names"] as? [[String: Any]] ?? [] where n["kind"] as? String == "long" { flags.insert(n["name"] as! String) }
            }
            for s in c["subcommands"] as? [[String: Any]] ?? [] { walk(s) }
        }
        walk(doc["command"] as! [String: Any])
        #expect(flags.contains("quiet"))
        let known = Self.bareFlags
        #expect(flags.subtracting(known).isEmpty, "flags missing from Provenance.bareFlags: \(flags.subtracting(known).sorted())")
    }
    static var bareFlags: Set<String> { Provenance.bareFlags }

    /// The options of a density run are recorded as typed, with their JSON types.
    @Test func densityRecordsOptionsAsGiven() throws {
        let dir = try TestFiles.tempDir("provopts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("p.csv")
        var text = "id,fecha,lat,lon\n"
        for i in 0..<200 { text += "\(i),2025-03-\(String(format: "%02d", 1 + i % 28)),\(4.60 + Double(i % 20) * 0.001),\(-74.08 - Double(i / 20) * 0.001)\n" }
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("d.tif")
        let r = try CLI.run(["density", csv.path, "-o", out.path, "--cell", "50", "--bandwidth", "300", "-q", "--fix-swapped"])
        #expect(r.status == 0, "\(r.stderr)")
        let sidecar = try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasPrefix("d.") && $0.hasSuffix(".json") }
        let prov = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(try #require(sidecar)))) as! [String: Any]
        let o = prov["options"] as! [String: Any]
        #expect(o["cell"] as? Int == 50 && o["bandwidth"] as? Int == 300)
        #expect(o["quiet"] as? Bool == true && o["fix_swapped"] as? Bool == true)
        #expect(o["input"] as? String == csv.path && o["output"] == nil)   // the file itself: reruns to another name stay identical
        #expect(prov["output_crs"] as? String == "EPSG:9377")   // a GeoTIFF is in the working CRS
        #expect(prov["schema_version"] as? Int == 2)
    }
}
