import Foundation
import Localization

/// Reads an incident export block by block, so a file of any size is validated in bounded memory.
///
/// A CSV file is cut into blocks of whole lines of about `blockBytes`
/// (the first ones smaller: 1 MiB, then ×4, so that whoever consumes the blocks starts early);
/// each block is decoded and validated exactly as `IncidentReader.read` validates a whole file (a record
/// still open at the end of a block — a quoted field, see `CSVQuoting` — is carried to the next): the
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
        if fd < 0 { throw IncidentReadError.unreadable(path: path, reason: systemErrorText(errno)) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else {
            let reason = (st.st_mode & S_IFMT) == S_IFDIR ? systemErrorText(EISDIR) : systemErrorText(errno)
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
        while true {
            // Hand out whole lines (up to the last LF, or everything at the end of the file); the reader
            // leaves a record that runs past them (an open quoted field) for the next round.
            let cut = eof ? carry.count : lastLineEnd()
            if eof && cut == 0 {
                finished = true
                if dataRows == 0 { throw IncidentReadError.empty(path: path) }
                if accepted == 0 { throw IncidentReadError.noValidRows(path: path, rejected: rejected) }
                return nil
            }
            if cut > 0, let r = try parse(cut: cut) { return r }
            if eof { carry = []; continue }  // defensive: at the end everything is decided
            try fill(upTo: max(carry.count * 2, 1 << 16))  // no whole record yet: read on
        }
    }

    /// Reads the records of `carry[..<cut]` and keeps what they leave unread in `carry`; nil when not
    /// one record (or the header) could be decided yet.
    private func parse(cut: Int) throws -> ReadResult? {
        // The block keeps the buffer; only the (short) bytes after the cut are copied out.
        var raw = carry
        carry = []
        let after = Array(raw[cut...])
        raw.removeLast(raw.count - cut)
        let decoded = TextEncoding.decode(raw)
        var start = 0, line = nextLine
        if layout == nil {
            guard let h = try decoded.bytes.withUnsafeBufferPointer({
                try CSVIncidents.header($0, source: path, options: options, final: eof)
            }) else { carry = raw + after; return nil }
            layout = h.0; start = h.dataStart; line = h.firstLine
        }
        let (r, consumed) = try CSVIncidents.records(decoded.bytes, from: start, firstLine: line, layout: layout!, seen: seen,
                                                    workers: CSVIncidents.workerCount(bytes: decoded.bytes.count - start),
                                                    source: path, encoding: decoded.name, final: eof)
        // Records start after an LF (or at 0), and an LF is the same byte in every supported 8-bit
        // encoding, so the raw bytes consumed are found by counting LFs.
        let lfs = consumed == 0 ? 0 : decoded.bytes.withUnsafeBufferPointer { CSVIncidents.countQuotesAndNewlines($0.baseAddress!, 0, consumed).lfs }
        let rawConsumed = consumed == decoded.bytes.count ? raw.count : raw.withUnsafeBufferPointer { b -> Int in
            var found = 0, i = 0
            while found < lfs { if b[i] == Byte.lf { found += 1 }; i += 1 }
            return i
        }
        carry = rawConsumed == raw.count ? after : Array(raw[rawConsumed...]) + after
        if rawConsumed == 0 { return nil }
        nextLine += lfs
        if !encodingFixed && !raw[..<rawConsumed].allSatisfy({ $0 < 0x80 }) { encoding = decoded.name; encodingFixed = true }
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
                throw IncidentReadError.unreadable(path: path, reason: systemErrorText(failure))
            }
            carry.removeLast(want - got)
            if got == 0 { eof = true; break }
            bytesRead += got
            carry.withUnsafeBytes { onRawBytes?(UnsafeRawBufferPointer(rebasing: $0[old..<(old + got)])) }
        }
    }

    /// Just past the last LF in `carry` (0 when there is none).
    private func lastLineEnd() -> Int {
        carry.withUnsafeBufferPointer { b -> Int in
            var i = b.count - 1
            while i >= 0 && b[i] != Byte.lf { i -= 1 }
            return i + 1
        }
    }
}
