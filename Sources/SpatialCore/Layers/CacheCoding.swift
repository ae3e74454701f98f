import Foundation
import Primitives

/// Appends values to a cache payload in the machine's byte order (little-endian on every platform
/// Atalaya builds for; a big-endian reader sees a foreign header and rebuilds, see `LayerCache`).
/// Arrays of numbers are written as one block, so that reading them back is one copy.
struct CacheWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity n: Int = 0) { bytes.reserveCapacity(n) }

    mutating func raw<T: BitwiseCopyable>(_ v: T) {
        withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
    }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { raw(v) }
    mutating func u64(_ v: UInt64) { raw(v) }
    mutating func int(_ v: Int) { raw(Int64(v)) }
    mutating func f64(_ v: Double) { raw(v.bitPattern) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in int(u.count); bytes.append(contentsOf: u) }
    }
    mutating func strings(_ a: [String]) { int(a.count); for s in a { string(s) } }
    mutating func optionalString(_ s: String?) {
        if let s { u8(1); string(s) } else { u8(0) }
    }

    /// A count, then the elements' bytes in one block.
    mutating func array<T: BitwiseCopyable>(_ a: [T]) {
        int(a.count)
        a.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
    mutating func envelope(_ e: Envelope) { f64(e.minX); f64(e.minY); f64(e.maxX); f64(e.maxY) }

    /// A count, the elements, then zero bytes up to a multiple of 8, so that a table written at an
    /// 8-byte boundary leaves the next one at one too (`CacheReader.table` reads them in place).
    mutating func table<T: BitwiseCopyable>(_ a: UnsafeBufferPointer<T>) {
        int(a.count)
        bytes.append(contentsOf: UnsafeRawBufferPointer(a))
        while bytes.count % 8 != 0 { bytes.append(0) }
    }

    /// Polygons as four blocks: parts per polygon, rings per part, points per ring, then every
    /// coordinate (x, y interleaved, as `Point` lays them out).
    mutating func polygons(_ shapes: [Polygonal]) {
        var parts: [UInt32] = [], rings: [UInt32] = [], points: [UInt32] = []
        var total = 0
        parts.reserveCapacity(shapes.count)
        for s in shapes {
            parts.append(UInt32(s.parts.count))
            for p in s.parts {
                rings.append(UInt32(1 + p.holes.count))
                for r in p.rings { points.append(UInt32(r.count)); total += r.count }
            }
        }
        array(parts); array(rings); array(points)
        int(total)
        for s in shapes { for p in s.parts { for r in p.rings { r.withUnsafeBytes { bytes.append(contentsOf: $0) } } } }
    }
}

/// Reads what `CacheWriter` wrote. Every read is bounds-checked: a short or inconsistent payload
/// throws `CacheReader.Corrupt` (the entry is then ignored and rebuilt), it never traps.
struct CacheReader {
    struct Corrupt: Error {}

    private let base: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ base: UnsafeRawBufferPointer) { self.base = base }

    var atEnd: Bool { offset == base.count }

    private mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= base.count - offset else { throw Corrupt() }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: base[offset..<(offset + n)])
    }

    mutating func raw<T: BitwiseCopyable>(_: T.Type) throws -> T {
        try take(MemoryLayout<T>.size).loadUnaligned(as: T.self)
    }
    mutating func u8() throws -> UInt8 { try raw(UInt8.self) }
    mutating func u32() throws -> UInt32 { try raw(UInt32.self) }
    mutating func u64() throws -> UInt64 { try raw(UInt64.self) }
    mutating func int() throws -> Int {
        let v = try raw(Int64.self)
        guard v >= 0, v <= Int64(base.count) * 8 + 1 << 32 else { throw Corrupt() }  // a count or an index
        return Int(v)
    }
    mutating func signedInt() throws -> Int { Int(try raw(Int64.self)) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }

    mutating func string() throws -> String {
        let n = try int()
        return String(decoding: try take(n), as: UTF8.self)
    }
    mutating func strings() throws -> [String] {
        let n = try int()
        guard n <= base.count - offset else { throw Corrupt() }
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try string()) }
        return out
    }
    mutating func optionalString() throws -> String? {
        switch try u8() {
        case 0: return nil
        case 1: return try string()
        default: throw Corrupt()
        }
    }

    mutating func array<T: BitwiseCopyable>(_: T.Type) throws -> [T] {
        let n = try int()
        return try elements(T.self, count: n)
    }

    /// `count` elements copied out of the payload in one block.
    mutating func elements<T: BitwiseCopyable>(_: T.Type, count n: Int) throws -> [T] {
        let (size, overflow) = n.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow else { throw Corrupt() }
        let src = try take(size)
        return [T](unsafeUninitializedCapacity: n) { buf, initialized in
            if n > 0 { UnsafeMutableRawBufferPointer(buf).copyMemory(from: src) }
            initialized = n
        }
    }

    /// A table `CacheWriter.table` wrote, as a view into the payload (no copy): valid while the
    /// payload's memory is. A table that is not aligned for `T` in memory is refused.
    mutating func table<T: BitwiseCopyable>(_: T.Type) throws -> UnsafeBufferPointer<T> {
        let n = try int()
        let (size, overflow) = n.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow else { throw Corrupt() }
        let src = try take(size)
        _ = try take((8 - size % 8) % 8)
        guard n > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        guard Int(bitPattern: src.baseAddress) % MemoryLayout<T>.alignment == 0 else { throw Corrupt() }
        return src.bindMemory(to: T.self)
    }

    mutating func envelope() throws -> Envelope {
        Envelope(minX: try f64(), minY: try f64(), maxX: try f64(), maxY: try f64())
    }

    mutating func polygons() throws -> [Polygonal] {
        let parts = try array(UInt32.self), rings = try array(UInt32.self), points = try array(UInt32.self)
        let total = try int()
        guard parts.reduce(0, { $0 + Int($1) }) == rings.count, rings.reduce(0, { $0 + Int($1) }) == points.count,
              points.reduce(0, { $0 + Int($1) }) == total else { throw Corrupt() }
        let coords = try take(total * MemoryLayout<Point>.stride)
        var k = 0, r = 0, q = 0
        func ring() -> Ring {
            let n = Int(points[q]); q += 1
            defer { k += n }
            return Ring(unsafeUninitializedCapacity: n) { buf, initialized in
                if n > 0 {
                    UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(
                        rebasing: coords[(k * MemoryLayout<Point>.stride)..<((k + n) * MemoryLayout<Point>.stride)]))
                }
                initialized = n
            }
        }
        var out: [Polygonal] = []
        out.reserveCapacity(parts.count)
        for np in parts {
            var ps: [Polygon] = []
            ps.reserveCapacity(Int(np))
            for _ in 0..<Int(np) {
                let nr = Int(rings[r]); r += 1
                guard nr >= 1 else { throw Corrupt() }
                let exterior = ring()
                var holes: [Ring] = []
                for _ in 1..<nr { holes.append(ring()) }
                ps.append(Polygon(exterior: exterior, holes: holes))
            }
            out.append(Polygonal(parts: ps))
        }
        return out
    }
}
