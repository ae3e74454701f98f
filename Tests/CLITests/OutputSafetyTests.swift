import Foundation
import Testing
import TestSupport

/// Nothing lost, ever, through the built binary: stray quotes, rejects always written and never
/// overwritten, inputs never destroyed, outputs replaced only when complete.
@Suite(.serialized) struct OutputSafetyTests {
    /// The issue's rows (a `"` for inches inside unquoted fields) plus the other quote forms; what
    /// Python's csv module reads is in `IncidentsTests.QuotingTests` (7 records, these descriptions).
    static let strayCSV = """
    id,fecha_hecho,delito,descripcion,latitud,longitud
    1,2025-01-02 10:00:00,HURTO A PERSONAS,TV 32" ROBADO EN BUS,4.5981,-74.0760
    2,2025-01-03 11:00:00,HURTO A PERSONAS,SIN NOVEDAD,4.6460,-74.0775
    3,2025-01-04 12:00:00,HURTO A COMERCIO,TV 50" ROBADO DE VITRINA,4.6097,-74.0817
    4,2025-01-05 13:00:00,HURTO A PERSONAS,"CALLE 5, ""SUR\""",4.6200,-74.0700
    5,2025-01-06 14:00:00,HURTO A PERSONAS,"PANTALLA" 40" EN SALA,4.6300,-74.0900
    6,2025-01-07 15:00:00,HURTO A PERSONAS,"VARIAS
    LINEAS, CON COMA",4.6400,-74.0800
    7,2025-01-08 16:00:00,HURTO A PERSONAS,MEDIDA 3"X2",4.6500,-74.0850

    """

    static func write(_ text: String, _ url: URL) throws { try text.write(to: url, atomically: true, encoding: .utf8) }

    /// Runs `script` with /bin/sh (for `ulimit` and `trap`); exit status, or the signal that killed it.
    static func shell(_ script: String) throws -> (status: Int32, stderr: String) {
        let r = try CLI.runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", script])
        return (r.status, r.stderr)
    }
    static func bytes(_ url: URL) -> Data? { try? Data(contentsOf: url) }

    @Test func strayQuoteKeepsEveryRowThroughAssignAndIngest() throws {
        let dir = try TestFiles.tempDir("stray")
        let input = dir.appendingPathComponent("tv.csv")
        try Self.write(Self.strayCSV, input)
        let out = dir.appendingPathComponent("o.csv")
        let r = try CLI.run(["assign", input.path, "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("filas leídas: 7 · aceptadas: 7 · rechazadas: 0"))
        let rows = try CLI.readCSV(out)
        let data = rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
        #expect(data.map { $0["id"]! } == ["1", "2", "3", "4", "5", "6", "7"])
        #expect(data.map { $0["descripcion"]! } == ["TV 32\" ROBADO EN BUS", "SIN NOVEDAD", "TV 50\" ROBADO DE VITRINA",
                                                   "CALLE 5, \"SUR\"", "PANTALLA 40\" EN SALA", "VARIAS\nLINEAS, CON COMA", "MEDIDA 3\"X2\""])
        #expect(data.map { $0["latitud"]! } == ["4.5981", "4.6460", "4.6097", "4.6200", "4.6300", "4.6400", "4.6500"])
        // No rejects → no rejects file.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.rejects.csv").path))

        let ingest = try CLI.run(["ingest", input.path, "--store", dir.appendingPathComponent("s.sqlite").path, "--block-mb", "1"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stderr.contains("filas 7 · aceptadas 7 · rechazadas 0"))
        #expect(ingest.stderr.contains("insertados 7"))
    }

    @Test func unterminatedQuoteIsRejectedOnItsLineAndReadingGoesOn() throws {
        let dir = try TestFiles.tempDir("unterminated")
        let input = dir.appendingPathComponent("u.csv")
        try Self.write("""
        id,fecha_hecho,delito,latitud,longitud
        1,2025-01-02 10:00:00,"HURTO A PERSONAS,4.5981,-74.0760
        2,2025-01-03 11:00:00,HURTO A PERSONAS,4.6460,-74.0775
        3,2025-01-04 12:00:00,HURTO A COMERCIO,4.6097,-74.0817

        """, input)
        for command in [["assign", input.path, "-o", dir.appendingPathComponent("o.csv").path],
                        ["ingest", input.path, "--store", dir.appendingPathComponent("s.sqlite").path]] {
            let r = try CLI.run(command)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("rechazo unterminated_quote: 1"), "\(command[0])")
        }
        let rejects = try CLI.readCSV(dir.appendingPathComponent("o.rejects.csv"))
        #expect(rejects.count == 2 && rejects[1][0] == "2" && rejects[1][1] == "unterminated_quote")
        #expect(try CLI.readCSV(dir.appendingPathComponent("o.csv")).dropFirst().map { $0[0] } == ["2", "3"])
        // ingest's rejects go beside its input: u.rejects.csv.
        #expect(try CLI.readCSV(dir.appendingPathComponent("u.rejects.csv")).count == 2)
    }

    @Test func everyRowRejectedStillWritesTheRejects() throws {
        let dir = try TestFiles.tempDir("allbad")
        let input = dir.appendingPathComponent("allbad.csv")
        try Self.write("id,latitud,longitud\n1,abc,-74.1\n2,,\n", input)
        let r = try CLI.run(["assign", input.path, "-o", dir.appendingPathComponent("o.csv").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("allbad.csv") && r.stderr.contains("2 rechazos escritos en"))
        let rejects = try CLI.readCSV(dir.appendingPathComponent("o.rejects.csv"))
        #expect(rejects.dropFirst().map { [$0[0], $0[1]] } == [["2", "non_numeric_coordinate"], ["3", "missing_coordinate"]])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.csv").path))

        // The same through ingest (streamed) and density (analysis commands).
        let ingest = try CLI.run(["ingest", input.path, "--store", dir.appendingPathComponent("s.sqlite").path])
        #expect(ingest.status != 0)
        #expect(try CLI.readCSV(dir.appendingPathComponent("allbad.rejects.csv")).count == 3)
        let density = try CLI.run(["density", input.path, "-o", dir.appendingPathComponent("d.tif").path])
        #expect(density.status != 0)
        #expect(try CLI.readCSV(dir.appendingPathComponent("d.rejects.csv")).count == 3)
    }

    @Test func outputsThatAreInputsOrEachOtherAreRefused() throws {
        let dir = try TestFiles.tempDir("refuse")
        let input = dir.appendingPathComponent("s.csv")
        try Self.write("id,latitud,longitud\n1,4.5981,-74.0760\n2,x,y\n", input)
        let original = Self.bytes(input)
        let link = dir.appendingPathComponent("enlace.csv")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: input)
        let out = dir.appendingPathComponent("o.csv")
        try Self.write("salida anterior\n", out)
        let cases: [[String]] = [
            ["assign", input.path, "-o", input.path],                                  // the case
            ["assign", input.path, "-o", link.path],                                   // output is a symlink to the input
            ["assign", link.path, "-o", input.path],                                   // input is a symlink to the output
            ["assign", input.path, "-o", dir.appendingPathComponent("sub/../s.csv").path],
            ["assign", input.path, "-o", out.path, "--rejects", out.path],              // rejects = output
            ["assign", input.path, "-o", out.path, "--rejects", input.path],            // rejects = input
            ["assign", input.path, "-o", out.path, "--rejects", dir.appendingPathComponent("o.provenance.json").path],
            ["density", input.path, "-o", dir.appendingPathComponent("d.tif").path, "--rejects", input.path],
            ["hotspots", input.path, "-o", dir.appendingPathComponent("h.geojson").path, "--rejects", dir.appendingPathComponent("h.geojson").path],
            ["trends", input.path, "-o", input.path],
            ["nearrepeat", input.path, "-o", dir.appendingPathComponent("k.json").path, "--rejects", dir.appendingPathComponent("k.provenance.json").path],
            ["emerging", input.path, "-o", dir.appendingPathComponent("e.geojson").path, "--rejects", link.path],
            ["ingest", input.path, "--store", input.path],
            ["ingest", input.path, "--rejects", input.path, "--store", dir.appendingPathComponent("x.sqlite").path],
        ]
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for args in cases {
            let r = try CLI.run(args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains("entrada") || r.stderr.contains("mismo archivo"), "\(args): \(r.stderr)")
            #expect(Self.bytes(input) == original, "\(args) changed the input")
            #expect(Self.bytes(out) == Data("salida anterior\n".utf8), "\(args) changed the previous output")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.rejects.csv").path))
    }

    @Test func sameFileNameInTwoFoldersKeepsBothRejects() throws {
        let dir = try TestFiles.tempDir("twoenero")
        for (folder, bad) in [("a", "1,2025-01-01,HURTO,abc,-74.1"), ("b", "7,2025-01-02,HURTO,,-74.1")] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
            try Self.write("id,fecha,delito,latitud,longitud\n\(folder)9,2025-01-03,HURTO,4.6,-74.08\n\(bad)\n",
                           dir.appendingPathComponent("\(folder)/enero.csv"))
        }
        let r = try CLI.run(["ingest", "a/enero.csv", "b/enero.csv", "--store", "s.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let a = try CLI.readCSV(dir.appendingPathComponent("a/enero.rejects.csv"))
        let b = try CLI.readCSV(dir.appendingPathComponent("b/enero.rejects.csv"))
        #expect(a.count == 2 && a[1][1] == "non_numeric_coordinate" && a[1][4].hasPrefix("1,"))
        #expect(b.count == 2 && b[1][1] == "missing_coordinate" && b[1][4].hasPrefix("7,"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("enero.rejects.csv").path))
    }

    /// 3,000 incidents: an assign output of ≈ 1 MB.
    static func bigCSV(_ url: URL, shift: Double) throws {
        var text = "id,fecha_hecho,delito,latitud,longitud\n"
        for i in 0..<3000 {
            text += "\(i),2025-01-0\(1 + i % 9) 10:00:00,HURTO A PERSONAS,\(4.60 + shift + Double(i % 100) * 0.0003),\(-74.10 + Double(i / 100) * 0.0004)\n"
        }
        try Self.write(text, url)
    }

    /// A file-size limit stops the writer midway (as a full disk would): the previous output, its
    /// sidecar and the folder are as they were, and no temporary file is left behind. Run once with the
    /// signal ignored (the write fails, the error path cleans up) and once with the process killed by it.
    @Test func aWriterStoppedMidwayLeavesThePreviousOutputWhole() throws {
        let dir = try TestFiles.tempDir("ulimit")
        let first = dir.appendingPathComponent("first.csv"), second = dir.appendingPathComponent("second.csv")
        try Self.bigCSV(first, shift: 0)
        try Self.bigCSV(second, shift: 0.01)
        let out = dir.appendingPathComponent("o.csv")
        #expect(try CLI.run(["assign", first.path, "-o", out.path, "-q"]).status == 0)
        let before = Self.bytes(out), sidecar = Self.bytes(dir.appendingPathComponent("o.provenance.json"))
        #expect((before?.count ?? 0) > 200_000)
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        for trap in ["trap '' XFSZ; ", ""] {
            // ulimit -f counts 512-byte blocks in POSIX sh: 100 KiB, far below the output.
            let script = "\(trap)ulimit -f 200; exec \"\(CLI.binary.path)\" assign \"\(second.path)\" -o \"\(out.path)\" -q"
            let r = try Self.shell(script)
            #expect(r.status != 0, "\(trap)")
            #expect(Self.bytes(out) == before, "\(trap)")
            #expect(Self.bytes(dir.appendingPathComponent("o.provenance.json")) == sidecar, "\(trap)")
            let now = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            if trap.isEmpty {
                // Killed: only the hidden temporary file can be left over; never anything under a final name.
                #expect(now.filter { !$0.hasPrefix(".o.csv.tmp-") } == listing)
            } else {
                #expect(now == listing, "the error path must remove its temporary file")
                #expect(r.stderr.contains("o.csv"), "\(r.stderr)")
            }
        }
    }
}
