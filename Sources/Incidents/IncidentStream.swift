import Foundation

/// Reads an incident export block by block, so a file of any size is validated in bounded memory.
///
/// A CSV file is cut at record boundaries (an LF outside quotes) into blocks of about `blockBytes`
/// (the first ones smaller: 1 MiB, then ×4, so that whoever consumes the blocks starts early);
/// each block is decoded and validated exactly as `IncidentReader.read` validates a whole file: the
/// same rejects with the same physical line numbers, and an id repeated anywhere later in the file is
/// a `duplicate_id` reject pointing at the first line. `next()` returns one block's `ReadResult`
/// (possibly with no accepted row); the sum over blocks equals the whole-file result.
///
/// GeoJSON and UTF-16 files are read whole, as one block (they are not cut at byte level).
/// Each block is decoded on its own: a block that is valid UTF-8 is UTF-8, otherwise Latin-1 /
/// Windows-1252 (`encoding` reports the first non-ASCII block's encoding).
public final class IncidentStream {
    public let path: String
    public let format: InputFormat
    /// Size of the file when opened (bytes).
    public let fileSize: Int
    /// Bytes consumed so far.
    public private(set) var bytesRead = 0
    /// Data rows (accepted + rejected), accepted rows and rejects so far.
    public private(set) var dataRows = 0, accepted = 0, rejected = 0
    /// Encoding of the first block that is not plain ASCII ("UTF-8" when none).
    public private(set) var encoding = "UTF-8"
    /// Every byte of the file, in order, as it is read (e.g. for a content hash of the source).
    public var onRawBytes: ((UnsafeRawBufferPointer) -> Void)?

    private let options: ReadOptions
    private let blockBytes: Int
    private var nextBlockBytes: Int
    private let fd: Int32
    private var carry: [UInt8] = []         // bytes read but not yet handed out (starts at a record)
    private var eof = false
    private var finished = false
    private var layout: CSVLayout?
    private let seen: SeenIds
    private var nextLine = 1                // physical line of the first byte of `carry`
    private var encodingFixed = false
    private let utf16: Bool                 // UTF-16 (with BOM): read whole

    /// Opens `path`. Throws `IncidentReadError.unreadable`.
    public init(path: String, options: ReadOptions, blockBytes: Int = 32 << 20) throws {
        self.path = path
        self.options = options
        self.blockBytes = max(blockBytes, 1)
        nextBlockBytes = min(self.blockBytes, 1 << 20)
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw IncidentReadError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else {
            let reason = (st.st_mode & S_IFMT) == S_IFDIR ? "is a directory" : String(cString: strerror(errno))
            close(fd)
            throw IncidentReadError.unreadable(path: path, reason: reason)
        }
        self.fd = fd
        fileSize = Int(st.st_size)
        seen = SeenIds(partitions: CSVIncidents.workerCount(bytes: Int.max), expected: 1 << 16)
        var head = [UInt8](repeating: 0, count: 4096)
        let got = pread(fd, &head, head.count, 0)
        head.removeLast(head.count - max(got, 0))
        format = InputFormat.fromExtension(of: path) ?? IncidentReader.sniff(head)
        utf16 = head.count >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))
    }

    deinit { close(fd) }

    /// The next block, or nil after the last one.
    /// - Throws: `IncidentReadError` — unreadable, columnNotFound (first block), and after the last block
    ///   `empty` (no data row in the whole file) or `noValidRows` (every row rejected).
    public func next() throws -> ReadResult? {
        guard !finished else { return nil }
        if format == .geojson || utf16 {
            finished = true
            while !eof { try fill(upTo: Int.max) }
            let all = carry
            carry = []
            let r = try IncidentReader.read(data: all, source: path, format: format, options: options)
            count(r)
            encoding = r.table.encoding
            return r
        }
        try fill(upTo: nextBlockBytes)
        nextBlockBytes = min(blockBytes, nextBlockBytes * 4)
        var cut = eof ? carry.count : lastRecordEnd()
        while cut == nil {                       // one record longer than a block: read on
            try fill(upTo: carry.count * 2)
            cut = eof ? carry.count : lastRecordEnd()
        }
        guard let cut, cut > 0 else {
            finished = true
            if dataRows == 0 { throw IncidentReadError.empty(path: path) }
            if accepted == 0 { throw IncidentReadError.noValidRows(path: path, rejected: rejected) }
            return nil
        }
        // The block keeps the buffer; only the (short) start of the next record is copied out.
        var raw = carry
        carry = Array(raw[cut...])
        raw.removeLast(raw.count - cut)
        let firstLine = nextLine
        nextLine += raw.withUnsafeBufferPointer { CSVIncidents.countQuotesAndNewlines($0.baseAddress!, 0, $0.count).lfs }

        let decoded = TextEncoding.decode(raw)
        if !encodingFixed && !raw.allSatisfy({ $0 < 0x80 }) { encoding = decoded.name; encodingFixed = true }
        let start: Int, line: Int
        if layout != nil {
            start = 0; line = firstLine
        } else {
            let h = try decoded.bytes.withUnsafeBufferPointer { try CSVIncidents.header($0, source: path, options: options) }
            layout = h.0; start = h.dataStart; line = h.firstLine
        }
        let r = CSVIncidents.records(decoded.bytes, from: start, firstLine: line, layout: layout!, seen: seen,
                                     workers: CSVIncidents.workerCount(bytes: decoded.bytes.count - start),
                                     source: path, encoding: decoded.name)
        count(r)
        return r
    }

    private func count(_ r: ReadResult) {
        dataRows += r.table.dataRows; accepted += r.table.count; rejected += r.rejects.count
    }

    /// Reads until `carry` holds at least `target` bytes or the file ends.
    private func fill(upTo target: Int) throws {
        while !eof && carry.count < target {
            let want = min(max(target - carry.count, 1 << 16), 1 << 26)
            let old = carry.count
            carry.reserveCapacity(old + want)
            var failure: Int32 = 0
            carry.append(contentsOf: repeatElement(0, count: want))
            let got = carry.withUnsafeMutableBufferPointer { b -> Int in
                while true {
                    let n = read(fd, b.baseAddress! + old, want)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failure = errno }
                    return n
                }
            }
            if got < 0 {
                carry.removeLast(want)
                throw IncidentReadError.unreadable(path: path, reason: String(cString: strerror(failure)))
            }
            carry.removeLast(want - got)
            if got == 0 { eof = true; break }
            bytesRead += got
            carry.withUnsafeBytes { onRawBytes?(UnsafeRawBufferPointer(rebasing: $0[old..<(old + got)])) }
        }
    }

    /// End (exclusive) of the last complete record in `carry`: just past the last LF outside quotes.
    /// `carry` starts at a record boundary, so an LF is outside quotes when an even number of `"`
    /// precede it. nil when there is none.
    private func lastRecordEnd() -> Int? {
        carry.withUnsafeBufferPointer { b -> Int? in
            guard let base = b.baseAddress, b.count > 0 else { return nil }
            var quotesBefore = CSVIncidents.countQuotesAndNewlines(base, 0, b.count).quotes
            var i = b.count - 1
            while i >= 0 {
                let c = base[i]
                if c == Byte.quote { quotesBefore -= 1 } else if c == Byte.lf && quotesBefore & 1 == 0 { return i + 1 }
                i -= 1
            }
            return nil
        }
    }
}
