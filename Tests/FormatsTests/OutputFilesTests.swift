import Foundation
import Incidents
import Localization
import Testing
@testable import Formats
import TestSupport

/// The write primitive (`AtomicFile`), the path check (`OutputPaths`) and the chunked writer built on them.
@Suite struct OutputFilesTests {

    func entries(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    @Test func atomicFileReplacesOnlyOnCommit() throws {
        let dir = try TestFiles.tempDir("atomic").path
        let path = dir + "/o.csv"
        try AtomicFile.write(Array("antes\n".utf8), to: path)
        let f = try AtomicFile(path: path)
        try f.write(Array("mitad".utf8))
        // Midway: the target still holds the previous content; the new bytes are in a hidden temporary.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "antes\n")
        #expect(try entries(dir).count == 2)
        f.discard()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "antes\n")
        #expect(try entries(dir) == ["o.csv"])
        // Dropped without commit (an error unwinding): same.
        do { let g = try AtomicFile(path: path); try g.write(Array("x".utf8)) }
        #expect(try entries(dir) == ["o.csv"] && (try String(contentsOfFile: path, encoding: .utf8)) == "antes\n")
        let h = try AtomicFile(path: path)
        try h.write(Array("después\n".utf8))
        try h.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "después\n")
        #expect(try entries(dir) == ["o.csv"])
    }

    @Test func unwritableFolderIsATypedErrorAndTouchesNothing() throws {
        let missing = try TestFiles.tempDir("missing").path + "/no/such/dir/o.tif"
        #expect(throws: OutputFileError.self) { try AtomicFile.write([1, 2, 3], to: missing) }
        // The chunked writer and the sidecar use the same primitive.
        #expect(throws: OutputFileError.self) { _ = try ChunkedFileWriter(path: missing) }
    }

    @Test func chunkedWriterAbandonedLeavesThePreviousFile() throws {
        let dir = try TestFiles.tempDir("chunked").path
        let path = dir + "/big.geojson"
        try AtomicFile.write(Array("previo".utf8), to: path)
        let w = try ChunkedFileWriter(path: path)
        for _ in 0..<50 { try w.write([UInt8](repeating: 65, count: 10_000)) }
        w.abandon()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "previo")
        #expect(try entries(dir) == ["big.geojson"])
        let v = try ChunkedFileWriter(path: path)
        for _ in 0..<50 { try v.write([UInt8](repeating: 66, count: 10_000)) }
        try v.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(repeating: 66, count: 500_000))
    }

    /// A disk that fills up while blocks are still being queued: the write fails on the writer's background
    /// queue and is reported on the caller's thread (by a later `write` or by `close`), the temporary file
    /// is gone and the previous output is untouched. The "disk" is /dev/full put under the temporary
    /// file's descriptor, so write(2) really fails with ENOSPC.
    @Test func chunkedWriterReportsABackgroundWriteFailure() throws {
        let dir = try TestFiles.tempDir("full").path
        let path = dir + "/lleno.csv"
        try AtomicFile.write(Array("previo".utf8), to: path)
        let w = try ChunkedFileWriter(path: path)
        // The writer's temporary file is the one open descriptor naming a hidden file in `dir`.
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { Int32($0) }
        let temp = fds.filter { fd in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? "")
                .hasPrefix(dir + "/.lleno.csv.tmp-")
        }
        try #require(temp.count == 1)
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        #expect(dup2(full, temp[0]) == temp[0])
        close(full)
        var thrownByWrite: Error?
        for _ in 0..<200 {
            do { try w.write([UInt8](repeating: 65, count: 4096)) } catch { thrownByWrite = error; break }
        }
        let thrownByClose = #expect(throws: OutputFileError.self) { try w.close() }
        guard case let .cannotWrite(failedPath, reason) = thrownByClose else {
            Issue.record("expected cannotWrite, got \(String(describing: thrownByClose))"); return
        }
        #expect(failedPath == path)
        #expect(reason == systemErrorText(ENOSPC))
        // Whichever call saw it first, it is the same error: the first one.
        if let e = thrownByWrite { #expect(e as? OutputFileError == thrownByClose) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "previo")
        #expect(try entries(dir) == ["lleno.csv"])
    }

    @Test func sidecarNeverDoublesAnExtension() {
        #expect(Provenance.sidecarPath(beside: "out/k.json") == "out/k.provenance.json")
        #expect(Provenance.sidecarPath(beside: "d.tif") == "d.provenance.json")
        #expect(Provenance.sidecarPath(beside: "a.b/sin_extension") == "a.b/sin_extension.provenance.json")
    }

    @Test func outputPathsMustBeDistinctFromInputsAndEachOther() throws {
        let dir = try TestFiles.tempDir("paths").path
        let input = dir + "/s.csv"
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: input))
        try FileManager.default.createSymbolicLink(atPath: dir + "/enlace.csv", withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: dir + "/duro.csv")
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/carpeta", withDestinationPath: dir + "/sub")

        for same in [input, dir + "/enlace.csv", dir + "/duro.csv", dir + "/sub/../s.csv", dir + "//s.csv"] {
            #expect(throws: OutputFileError.sameAsInput(output: same, input: input)) {
                try OutputPaths.checkDistinct(inputs: [input], outputs: [dir + "/o.csv", same])
            }
        }
        // Two outputs that do not exist yet, one named through a symlinked folder.
        #expect(throws: OutputFileError.sameOutput(first: dir + "/sub/o.csv", second: dir + "/carpeta/o.csv")) {
            try OutputPaths.checkDistinct(inputs: [input], outputs: [dir + "/sub/o.csv", dir + "/carpeta/o.csv"])
        }
        // A relative path and the absolute path of the same new file.
        let cwd = FileManager.default.currentDirectoryPath
        #expect(throws: OutputFileError.self) {
            try OutputPaths.checkDistinct(inputs: [], outputs: ["nuevo-\(getpid()).csv", cwd + "/nuevo-\(getpid()).csv"])
        }
        try OutputPaths.checkDistinct(inputs: [input, nil], outputs: [dir + "/o.csv", dir + "/o.rejects.csv", nil])
    }
}
