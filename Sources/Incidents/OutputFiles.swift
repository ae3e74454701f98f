import Foundation
import Synchronization
import Localization

/// Why an output could not be written, or was refused before anything was read.
public enum OutputFileError: Error, CustomStringConvertible, Equatable {
    case cannotWrite(path: String, reason: String)
    /// An output path names an input file (same path, or the same file through a symlink or hard link).
    case sameAsInput(output: String, input: String)
    /// Two outputs of one run name the same file: the second would replace the first.
    case sameOutput(first: String, second: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason):
            return tr("no se pudo escribir '\(path)': \(reason) (el archivo anterior, si había uno, sigue intacto)",
                      "could not write '\(path)': \(reason) (the previous file, if there was one, is untouched)")
        case let .sameAsInput(output, input):
            return tr("la salida '\(output)' es el mismo archivo que la entrada '\(input)': no se escribe encima de una entrada; elija otra ruta de salida",
                      "the output '\(output)' is the same file as the input '\(input)': an input is never overwritten; choose another output path")
        case let .sameOutput(first, second):
            return tr("dos salidas de esta orden irían al mismo archivo ('\(first)' y '\(second)') y una borraría la otra; elija otra ruta (p. ej. --rejects o -o)",
                      "two outputs of this command would go to the same file ('\(first)' and '\(second)') and one would erase the other; choose another path (e.g. --rejects or -o)")
        }
    }
}

/// The one naming rule of provenance sidecars (Export's `Provenance` and `simulate`'s alike):
/// `OUTPUT-without-extension.provenance.json`, so `x.csv` → `x.provenance.json` and `x.geojson` →
/// `x.provenance.json`, never a doubled extension such as `x.csv.json` or `x.json.json`.
public enum Sidecar {
    public static func path(beside output: String) -> String {
        (output as NSString).deletingPathExtension + ".provenance.json"
    }
}

/// Writes a file so that it appears complete or not at all: the bytes go to a hidden temporary file in
/// the same folder (same file system, so the final rename(2) is atomic), which is fsync'ed and renamed
/// over the target only on `commit()`. On any error, on `discard()`, or if the writer is dropped
/// uncommitted, the temporary file is removed and whatever was at the target before is untouched.
/// The one write primitive of every output (CSV, GeoJSON, rasters, sidecars, rejects).
public final class AtomicFile {
    public let path: String
    let tempPath: String
    private var fd: Int32
    private var done = false
    /// Temporary files made by this process (part of their names).
    private static let counter = Atomic<Int>(0)

    /// Creates the temporary file beside `path`.
    /// - Throws: `OutputFileError.cannotWrite` (e.g. the folder does not exist or is read-only).
    public init(path: String) throws {
        self.path = path
        let ns = path as NSString
        let dir = ns.deletingLastPathComponent
        let name = "." + ns.lastPathComponent + ".tmp-\(getpid())-\(AtomicFile.counter.wrappingAdd(1, ordering: .relaxed).newValue)"
        tempPath = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
        fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if fd < 0 { throw OutputFileError.cannotWrite(path: path, reason: systemErrorText(errno)) }
    }

    deinit { if !done { discard() } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress, !done else { return }
        var left = bytes.count
        while left > 0 {
            let n = Foundation.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                let reason = systemErrorText(errno)
                discard()
                throw OutputFileError.cannotWrite(path: path, reason: reason)
            }
            p += n; left -= n
        }
    }

    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }
    public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }

    /// fsync, close and rename over `path` (then fsync the folder so the rename itself is durable).
    public func commit() throws {
        guard !done else { return }
        if fsync(fd) != 0 {
            let reason = systemErrorText(errno)
            discard()
            throw OutputFileError.cannotWrite(path: path, reason: reason)
        }
        close(fd); fd = -1
        if rename(tempPath, path) != 0 {
            let reason = systemErrorText(errno)
            discard()
            throw OutputFileError.cannotWrite(path: path, reason: reason)
        }
        done = true
        let dir = (path as NSString).deletingLastPathComponent
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Drops the temporary file; the target is untouched.
    public func discard() {
        guard !done else { return }
        done = true
        if fd >= 0 { close(fd); fd = -1 }
        unlink(tempPath)
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let f = try AtomicFile(path: path)
        try f.write(bytes)
        try f.commit()
    }

    public static func write(_ data: Data, to path: String) throws {
        let f = try AtomicFile(path: path)
        try f.write(data)
        try f.commit()
    }
}
