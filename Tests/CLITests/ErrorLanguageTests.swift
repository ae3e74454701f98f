import Foundation
import Testing
import TestSupport

/// Errors from reading and writing incidents speak the user's language: Spanish by default, English with
/// `--lang en`, with the same facts (file, count) and no fragment of the other language.
@Suite struct ErrorLanguageTests {
    /// A file whose two rows are both rejected: the error names the file and the count, and the
    /// progress line says where the rejects went.
    @Test func noValidRowInBothLanguages() throws {
        let dir = try TestFiles.tempDir("errlang-novalid")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("malas.csv")
        try "latitud,longitud\nabc,-74.1\n,\n".write(to: input, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("o.csv").path
        let rejects = dir.appendingPathComponent("o.rejects.csv").path

        let es = try CLI.run(["assign", input.path, "-o", output])
        #expect(es.status != 0)
        #expect(es.stderr.contains("'\(input.path)': se rechazaron las 2 filas de datos; ninguna es válida"), "\(es.stderr)")
        #expect(es.stderr.contains("ninguna fila válida: 2 rechazos escritos en \(rejects)"), "\(es.stderr)")
        #expect(!es.stderr.contains("rejected") && !es.stderr.contains("written to"), "\(es.stderr)")

        let en = try CLI.run(["--lang", "en", "assign", input.path, "-o", output])
        #expect(en.status != 0)
        #expect(en.stderr.contains("'\(input.path)': all 2 data rows were rejected"), "\(en.stderr)")
        #expect(en.stderr.contains("no valid row: 2 rejects written to \(rejects)"), "\(en.stderr)")
        #expect(!en.stderr.contains("rechaz") && !en.stderr.contains("fila"), "\(en.stderr)")
        // The machine-readable reasons stay the same codes whatever the language.
        let rows = try CLI.readCSV(URL(fileURLWithPath: rejects))
        #expect(rows.dropFirst().map { [$0[0], $0[1]] } == [["2", "non_numeric_coordinate"], ["3", "missing_coordinate"]])
    }

    /// A missing input: the operating system's reason is translated too (strerror speaks only English).
    @Test func missingInputInBothLanguages() throws {
        let dir = try TestFiles.tempDir("errlang-missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("no-existe.csv").path
        let output = dir.appendingPathComponent("o.csv").path

        let es = try CLI.run(["assign", input, "-o", output])
        #expect(es.status != 0)
        #expect(es.stderr.contains("no se puede leer '\(input)': no existe el archivo o la carpeta"), "\(es.stderr)")
        #expect(!es.stderr.contains("No such file") && !es.stderr.contains("cannot read"), "\(es.stderr)")

        let en = try CLI.run(["--lang", "en", "assign", input, "-o", output])
        #expect(en.status != 0)
        #expect(en.stderr.contains("cannot read '\(input)': no such file or directory"), "\(en.stderr)")
        #expect(!en.stderr.contains("no se puede") && !en.stderr.contains("no existe"), "\(en.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
