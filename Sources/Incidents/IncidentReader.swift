import Dispatch
import Foundation
import Localization
import Primitives

/// Entry points: read a file or an in-memory buffer, validate every row, and return accepted rows plus
/// rejects. Invariant: `table.dataRows == table.count + rejects.count`.
public enum IncidentReader {
    /// Reads `path`. The format comes from the extension (`.csv`/`.txt`/`.tsv` → CSV,
    /// `.geojson`/`.json` → GeoJSON); other extensions are sniffed (`{` first → GeoJSON).
    /// Throws `IncidentReadError`: unreadable, empty (no data rows), columnNotFound,
    /// noValidRows (every row rejected), malformedGeoJSON.
    public static func read(path: String, options: ReadOptions) throws -> ReadResult {
        let raw = try readFile(path)
        let format = InputFormat.fromExtension(of: path) ?? sniff(raw)
        return try read(data: raw, source: path, format: format, options: options)
    }

    /// Reads an in-memory export (raw file bytes, any supported encoding).
    public static func read(data: [UInt8], source: String, format: InputFormat, options: ReadOptions) throws -> ReadResult {
        try read(data: data, source: source, format: format, options: options,
                 parallelThreshold: CSVIncidents.defaultParallelThreshold, maxWorkers: nil)
    }

    /// Same, with the parallel split tunable (tests force multi-chunk parsing on small inputs).
    static func read(data: [UInt8], source: String, format: InputFormat, options: ReadOptions,
                     parallelThreshold: Int, maxWorkers: Int?) throws -> ReadResult {
        let decoded = TextEncoding.decode(data)
        let result: ReadResult
        switch format {
        case .csv:
            result = try CSVIncidents.read(utf8: decoded.bytes, encoding: decoded.name, source: source, options: options,
                                           parallelThreshold: parallelThreshold, maxWorkers: maxWorkers)
        case .geojson:
            result = try GeoJSONIncidents.read(utf8: decoded.bytes, encoding: decoded.name, source: source, options: options)
        }
        if result.table.dataRows == 0 { throw IncidentReadError.empty(path: source) }
        if result.table.count == 0 { throw IncidentReadError.noValidRows(path: source, rejected: result.rejects.count, rejects: result.rejects) }
        return result
    }

    /// A large regular file read by several threads at once (pread of disjoint ranges: the copy out of the
    /// page cache and the first touch of the buffer are most of the read). Then read on to the end, in
    /// case the file grew. nil when a range came back short (the file shrank): the caller reads it again
    /// from the start, sequentially.
    static func readInParallel(_ fd: Int32, size: Int, path: String) throws -> [UInt8]? {
        let pieces = size >= 1 << 23 ? min(ProcessInfo.processInfo.activeProcessorCount, 8) : 1
        guard pieces > 1 else { return nil }
        let failure = ErrorBox()
        let short = ErrorBox()
        var result = [UInt8](unsafeUninitializedCapacity: size) { buf, initialized in
            let dst = DisjointWrites(buf)                         // piece k reads into its own byte range only
            ParallelWork.forEach(pieces) { k in
                var at = size * k / pieces
                let end = size * (k + 1) / pieces
                while at < end {
                    let n = pread(fd, dst.base + at, end - at, off_t(at))
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure.set(IncidentReadError.unreadable(path: path, reason: systemErrorText(errno))); return
                    }
                    if n == 0 { short.set(ShortRead()); return }
                    at += n
                }
            }
            initialized = failure.error == nil && short.error == nil ? size : 0
        }
        if let e = failure.error { throw e }
        if short.error != nil { _ = lseek(fd, 0, SEEK_SET); return nil }
        // Anything appended since fstat.
        _ = lseek(fd, off_t(size), SEEK_SET)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IncidentReadError.unreadable(path: path, reason: systemErrorText(errno))
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// A range of the file ended early: it shrank while being read.
    private struct ShortRead: Error {}

    static func sniff(_ raw: [UInt8]) -> InputFormat {
        var i = raw.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while i < raw.count, raw[i] == 0x20 || raw[i] == 0x0A || raw[i] == 0x0D || raw[i] == 0x09 { i += 1 }
        return i < raw.count && raw[i] == 0x7B ? .geojson : .csv
    }

    /// Whole file into one uninitialised buffer with plain read(2) calls (no zero fill, no Data → Array copy).
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw IncidentReadError.unreadable(path: path, reason: systemErrorText(errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IncidentReadError.unreadable(path: path, reason: systemErrorText(errno)) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw IncidentReadError.unreadable(path: path, reason: systemErrorText(EISDIR)) }
        if (st.st_mode & S_IFMT) == S_IFREG, let whole = try readInParallel(fd, size: Int(st.st_size), path: path) { return whole }
        var result = [UInt8]()
        var capacity = max(Int(st.st_size), 0) + 1  // +1 so EOF is seen without growing
        var failure: String?
        while failure == nil {
            var eof = false
            let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buf, initialized in
                var used = 0
                while used < buf.count {
                    let n = Foundation.read(fd, buf.baseAddress! + used, buf.count - used)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = systemErrorText(errno); break
                    }
                    if n == 0 { eof = true; break }
                    used += n
                }
                initialized = used
            }
            if result.isEmpty { result = chunk } else { result.append(contentsOf: chunk) }
            if eof { break }
            capacity = max(capacity, 1 << 20)  // file grew or is not regular: keep reading
        }
        if let failure { throw IncidentReadError.unreadable(path: path, reason: failure) }
        return result
    }
}
