import Dispatch
import Foundation
import Synchronization
import Localization
import Primitives
import Incidents

/// Small, allocation-free text formatting for large outputs (String(format:) is far too slow
/// for millions of numbers).
public enum ByteText {
    /// Appends `v` with exactly `decimals` digits after the point ("-12.50"); non-finite → empty.
    static func appendFixed(_ v: Double, decimals: Int, into out: inout [UInt8]) {
        guard v.isFinite else { return }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e18 else { out.append(contentsOf: Array("\(v)".utf8)); return }
        var n = UInt64(scaled)
        // Digits least significant first into a stack buffer, then one copy (no per-digit append).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { tmp in
            var k = 47
            var written = 0
            repeat {
                tmp[k] = UInt8(truncatingIfNeeded: n % 10) + 48; n /= 10; k -= 1; written += 1
                if written == decimals && decimals > 0 { tmp[k] = UInt8(ascii: "."); k -= 1 }
            } while n > 0 || written <= decimals
            if v < 0 && scaled != 0 { tmp[k] = UInt8(ascii: "-"); k -= 1 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: tmp[(k + 1)...]))
        }
    }

    static func append(_ s: String, into out: inout [UInt8]) { out.append(contentsOf: s.utf8) }
}

/// A growable byte buffer written through a raw pointer: the million-row writers append ~25 small
/// pieces per row, and `[UInt8].append` pays a uniqueness and capacity check on each of them.
/// Memory comes from `malloc`, so a finished buffer can be handed to `Data(bytesNoCopy:…, .free)`.
struct ByteSink {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = malloc(self.capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    @inline(__always) mutating func reserve(_ n: Int) {
        if count + n > capacity {
            capacity = max(capacity * 2, count + n)
            base = realloc(base, capacity)!.assumingMemoryBound(to: UInt8.self)
        }
    }

    @inline(__always) mutating func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: src, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { append($0) } }

    /// Appends `v` with exactly `decimals` digits after the point, as `ByteText.appendFixed`.
    @inline(__always) mutating func appendFixed(_ v: Double, decimals: Int) {
        guard v.isFinite else { return }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e18 else { append(Array("\(v)".utf8)); return }
        var n = UInt64(scaled)
        // Count the characters, then write digits backwards in place.
        var digits = 1
        var m = n / 10
        while m > 0 { digits += 1; m /= 10 }
        digits = max(digits, decimals + 1)
        let negative = v < 0 && scaled != 0
        let length = digits + (decimals > 0 ? 1 : 0) + (negative ? 1 : 0)
        reserve(length)
        var k = count + length - 1
        var written = 0
        repeat {
            base[k] = UInt8(truncatingIfNeeded: n % 10) + 48; n /= 10; k -= 1; written += 1
            if written == decimals && decimals > 0 { base[k] = UInt8(ascii: "."); k -= 1 }
        } while written < digits
        if negative { base[k] = UInt8(ascii: "-") }
        count += length
    }

    /// Gives the bytes away as `Data` (no copy); the sink must not be used afterwards.
    consuming func data() -> Data { Data(bytesNoCopy: base, count: count, deallocator: .free) }
}

/// Many short strings pre-rendered once (CSV-quoted or JSON-escaped) in one byte buffer,
/// so that writing a million rows copies bytes instead of re-escaping strings.
struct RenderedStrings: Sendable {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]

    init(_ strings: [String], render: (String, inout [UInt8]) -> Void) {
        for s in strings { render(s, &bytes); offsets.append(bytes.count) }
    }

    @inline(__always)
    func append(_ i: Int, into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { b in
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[offsets[i]..<offsets[i + 1]]))
        }
    }

    @inline(__always)
    func append(_ i: Int, into out: inout ByteSink) {
        bytes.withUnsafeBufferPointer { b in out.append(UnsafeBufferPointer(rebasing: b[offsets[i]..<offsets[i + 1]])) }
    }
}

/// Writes a file in chunks so that a million-row output never sits whole in memory, atomically
/// (`AtomicFile`: the file appears at `path` complete on `close()`, or not at all).
/// The disk writes run on a serial background queue while the caller formats the next block; a write
/// error there is recorded once and thrown on the caller's thread by the next `write` or by `close`.
final class ChunkedFileWriter: Sendable {
    let path: String
    /// Used on `queue` by the queued writes, then by the caller (commit/discard) once `queue.sync {}` has
    /// drained them; the lock is never contended, it makes the hand-over between threads explicit.
    private let file: Mutex<AtomicFile>
    private let queue = DispatchQueue(label: "atalaya.writer")
    /// The first write error: set on `queue`, read on the caller's thread.
    private let failure = Mutex<(any Error)?>(nil)

    init(path: String) throws {
        self.path = path
        file = Mutex(try AtomicFile(path: path))
    }

    private var firstFailure: (any Error)? { failure.withLock { $0 } }

    /// Queues `bytes` for writing on a background queue, so formatting the next block overlaps the disk write.
    func write(_ bytes: [UInt8]) throws { try write(Data(bytes)) }

    func write(_ data: Data) throws {
        if let e = firstFailure { throw e }
        queue.async { [self] in
            guard firstFailure == nil else { return }
            do { try file.withLock { try $0.write(data) } } catch { failure.withLock { $0 = $0 ?? error } }
        }
    }

    /// Waits for queued writes, then puts the file in place.
    func close() throws {
        queue.sync {}
        if let e = firstFailure { file.withLock { $0.discard() }; throw e }
        try file.withLock { try $0.commit() }
    }

    /// Waits for queued writes and drops the temporary file (the target is untouched).
    func abandon() {
        queue.sync {}
        file.withLock { $0.discard() }
    }
}

public enum FormatError: Error, CustomStringConvertible, Equatable {
    case cannotWrite(path: String, reason: String)
    case unsupportedFormat(path: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return tr("no se puede escribir \(path): \(reason)", "cannot write \(path): \(reason)")
        case let .unsupportedFormat(path):
            return tr("\(path): formato de salida no admitido (use .csv, .geojson o .gpkg)", "\(path): unsupported output format (use .csv, .geojson or .gpkg)")
        }
    }
}
