import Foundation
import Localization

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
