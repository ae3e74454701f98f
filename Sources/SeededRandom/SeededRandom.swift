/// Seeded generators shared by every module that draws random numbers (simulation, permutation
/// tests). Pure integer arithmetic, so a seed gives the same stream on every platform; nothing here
/// uses `SystemRandomNumberGenerator`.

/// SplitMix64 (Steele, Lea & Flood 2014): expands a 64-bit seed and derives independent stream keys.
public struct SplitMix64: Sendable {
    public var state: UInt64
    @inlinable public init(seed: UInt64) { state = seed }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    @inlinable @inline(__always)
    public static func mix(_ v: UInt64) -> UInt64 {
        var z = v
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018), seeded with four successive SplitMix64 outputs.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    @inlinable public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inlinable @inline(__always)
    public static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1), 53 random bits.
    @inlinable @inline(__always)
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in (0, 1]: safe for `log`.
    @inlinable @inline(__always)
    public mutating func uniformOpenZero() -> Double { Double((next() >> 11) + 1) * 0x1.0p-53 }

    /// Uniform integer in [0, bound), unbiased (Lemire 2019). `bound` > 0.
    @inlinable @inline(__always)
    public mutating func below(_ bound: UInt64) -> UInt64 {
        var m = bound.multipliedFullWidth(by: next())
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = bound.multipliedFullWidth(by: next()) }
        }
        return m.high
    }
}

// MARK: - Independent streams of one seed
// Parallel work draws from one stream per item, keyed by the item's index, so results never depend on the
// thread count or on scheduling. Three derivations exist, side by side here: each one is pinned by seeded
// results users already have (Local Moran pseudo-p, Knox p, simulated incidents), which unifying them would
// change. C = 0xD1B5_4A32_D192_ED03 (an odd multiplier), φ = 0x9E37_79B9_7F4A_7C15 (SplitMix64's increment).
extension Xoshiro256StarStar {
    /// Location `i` of a Local Moran run: seeded with the second output of SplitMix64(seed ⊕ i·C).
    @inlinable
    public init(seed: UInt64, location i: Int) {
        var sm = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: i) &* 0xD1B5_4A32_D192_ED03))
        _ = sm.next()
        self.init(seed: sm.next())
    }

    /// Monte-Carlo permutation `r` of a Knox run: seeded with seed ⊕ SplitMix64(r·C + 0x8CB9_2BA7_2F3D_8DD7).next().
    @inlinable
    public init(seed: UInt64, permutation r: UInt64) {
        var m = SplitMix64(seed: r &* 0xD1B5_4A32_D192_ED03 &+ 0x8CB9_2BA7_2F3D_8DD7)
        self.init(seed: seed ^ m.next())
    }

    /// Item `index` of stream `stream` of a simulation run (counter-based):
    /// seeded with mix(mix(seed ⊕ stream·C) + index·φ), mix = the SplitMix64 finaliser.
    @inlinable
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        self.init(seed: SplitMix64.mix(SplitMix64.mix(seed ^ (stream &* 0xD1B5_4A32_D192_ED03)) &+ index &* 0x9E37_79B9_7F4A_7C15))
    }
}
