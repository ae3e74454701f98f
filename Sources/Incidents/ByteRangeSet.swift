/// Open-addressing hash set of byte ranges inside one buffer, for duplicate-id detection without a
/// `String` per row. Remembers the line of the first occurrence of each key.
///
/// Each slot packs a 32-bit hash tag with the entry index, so probing a non-matching slot never
/// touches the entry arrays or the text buffer (one cache miss per insert for new keys).
struct ByteRangeSet {
    private var slots: [UInt64]         // tag << 32 | (entry index + 1); 0 = empty
    private var hashes: [UInt64] = []   // full hashes, only for rehashing on growth
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var lines: [Int32] = []
    private var mask: Int

    init(expected: Int) {
        var cap = 16
        while cap < expected * 2 { cap <<= 1 }
        slots = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
        hashes.reserveCapacity(expected); starts.reserveCapacity(expected)
        ends.reserveCapacity(expected); lines.reserveCapacity(expected)
    }

    /// FNV-1a with a final avalanche (low bits pick the slot, high bits are the tag).
    @inline(__always) static func hash(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in s..<e { h = (h ^ UInt64(base[i])) &* 0x100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }

    /// Inserts the key whose `hash` was computed with `ByteRangeSet.hash`; returns the first
    /// occurrence's line if it was already present.
    mutating func insert(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int, hash h: UInt64, line: Int32) -> Int32? {
        if (starts.count + 1) * 2 > slots.count { grow() }
        let tag = h >> 32
        var slot = Int(truncatingIfNeeded: h) & mask
        let len = e - s
        while true {
            let v = slots[slot]
            if v == 0 { break }
            if v >> 32 == tag {
                let k = Int(v & 0xFFFF_FFFF) - 1
                if ends[k] - starts[k] == len && bytesEqual(base + starts[k], base + s, len) { return lines[k] }
            }
            slot = (slot + 1) & mask
        }
        hashes.append(h); starts.append(s); ends.append(e); lines.append(line)
        slots[slot] = tag << 32 | UInt64(starts.count)
        return nil
    }

    @inline(__always) private func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for i in 0..<n where a[i] != b[i] { return false }
        return true
    }

    private mutating func grow() {
        let cap = slots.count * 2
        slots = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
        for k in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[k]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = (hashes[k] >> 32) << 32 | UInt64(k + 1)
        }
    }
}
