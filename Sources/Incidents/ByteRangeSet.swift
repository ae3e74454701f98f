/// Open-addressing hash set of byte strings, for duplicate-id detection without a `String` per row.
/// Remembers the line of the first occurrence of each key. Keys are copied into one arena, so a set
/// outlives the buffer it was filled from (a streamed file is read block by block).
///
/// Each slot packs a 32-bit hash tag with the entry index, so probing a non-matching slot never
/// touches the arena (one cache miss per insert for new keys). About 30 bytes per key of 11 bytes:
/// ten million ids fit in ~300 MB.
struct ByteRangeSet {
    private var slots: [UInt64]         // tag << 32 | (entry index + 1); 0 = empty
    private var arena: [UInt8] = []     // key bytes, back to back
    private var offsets: [Int] = [0]    // key k = arena[offsets[k]..<offsets[k + 1]]
    private var lines: [Int32] = []
    private var mask: Int

    init(expected: Int) {
        var cap = 16
        while cap * 3 < expected * 4 { cap <<= 1 }
        slots = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
        offsets.reserveCapacity(expected + 1); lines.reserveCapacity(expected)
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

    /// Inserts the key `base[s..<e]` whose `hash` was computed with `ByteRangeSet.hash`; returns the
    /// first occurrence's line if it was already present.
    mutating func insert(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int, hash h: UInt64, line: Int32) -> Int32? {
        if (lines.count + 1) * 4 > slots.count * 3 { grow() }
        let tag = h >> 32
        var slot = Int(truncatingIfNeeded: h) & mask
        let len = e - s
        while true {
            let v = slots[slot]
            if v == 0 { break }
            if v >> 32 == tag {
                let k = Int(v & 0xFFFF_FFFF) - 1
                let a = offsets[k]
                if offsets[k + 1] - a == len && arena.withUnsafeBufferPointer({ equal($0.baseAddress! + a, base + s, len) }) {
                    return lines[k]
                }
            }
            slot = (slot + 1) & mask
        }
        arena.append(contentsOf: UnsafeBufferPointer(start: base + s, count: len))
        offsets.append(arena.count)
        lines.append(line)
        slots[slot] = tag << 32 | UInt64(lines.count)
        return nil
    }

    @inline(__always) private func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for i in 0..<n where a[i] != b[i] { return false }
        return true
    }

    /// Doubles the table; hashes are recomputed from the arena (cheaper than keeping them).
    private mutating func grow() {
        let cap = slots.count * 2
        slots = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
        arena.withUnsafeBufferPointer { a in
            guard let base = a.baseAddress else { return }
            for k in 0..<lines.count {
                let h = ByteRangeSet.hash(base, offsets[k], offsets[k + 1])
                var slot = Int(truncatingIfNeeded: h) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = (h >> 32) << 32 | UInt64(k + 1)
            }
        }
    }
}
