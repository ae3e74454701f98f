import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): used to expand a 64-bit seed into xoshiro state and to derive
/// independent per-event stream keys. Pure integer arithmetic, so identical on every platform.
@usableFromInline
struct SplitMix64 {
    @usableFromInline var state: UInt64
    @inlinable init(state: UInt64) { self.state = state }
    @inlinable mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }
    /// The SplitMix64 finaliser: a bijective 64-bit hash.
    @inlinable static func mix(_ v: UInt64) -> UInt64 {
        var z = v
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018), seeded through SplitMix64.
///
/// The simulator never uses `SystemRandomNumberGenerator` nor the standard library's
/// `random(in:using:)` helpers, whose algorithms are not part of any stability promise:
/// every draw below is defined here, so a seed gives the same events on every platform
/// (up to last-ulp differences of the C library's `log`/`sin`/`cos`).
@usableFromInline
struct Xoshiro256StarStar {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    @inlinable init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// The generator for stream `index` of a run seeded with `seed` (counter-based derivation,
    /// so per-event streams do not depend on the order or the thread in which events are built).
    @inlinable init(seed: UInt64, stream: UInt64, index: UInt64) {
        let key = SplitMix64.mix(SplitMix64.mix(seed ^ (stream &* 0xD1B5_4A32_D192_ED03)) &+ index &* 0x9E37_79B9_7F4A_7C15)
        self.init(seed: key)
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    @inlinable @inline(__always)
    mutating func next() -> UInt64 {
        let result = Xoshiro256StarStar.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Xoshiro256StarStar.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1), 53 random bits.
    @inlinable @inline(__always)
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in (0, 1]: safe for `log`.
    @inlinable @inline(__always)
    mutating func uniformOpenZero() -> Double { Double((next() >> 11) + 1) * 0x1.0p-53 }

    /// Uniform integer in [0, n), unbiased (Lemire 2019). `n` > 0.
    @inlinable @inline(__always)
    mutating func below(_ n: UInt64) -> UInt64 {
        var m = n.multipliedFullWidth(by: next())
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = n.multipliedFullWidth(by: next()) }
        }
        return m.high
    }

    /// Two independent standard normal variates (Box–Muller).
    @inlinable @inline(__always)
    mutating func gaussianPair() -> (Double, Double) {
        let r = (-2 * Foundation.log(uniformOpenZero())).squareRoot()
        let theta = 2 * Double.pi * uniform()
        return (r * Foundation.cos(theta), r * Foundation.sin(theta))
    }

    /// Exponential variate with the given mean (inversion).
    @inlinable @inline(__always)
    mutating func exponential(mean: Double) -> Double { -mean * Foundation.log(uniformOpenZero()) }
}

/// Draws an index with probability proportional to its weight, by binary search on the cumulative sums.
@usableFromInline
struct CumulativeSampler {
    @usableFromInline let cumulative: [Double]   // running sums, last = total
    @usableFromInline let total: Double

    @usableFromInline init(weights: [Double]) {
        var acc = 0.0
        cumulative = weights.map { acc += max(0, $0); return acc }
        total = acc
    }

    /// First index whose cumulative sum exceeds u·total (zero-weight entries are never drawn).
    @inlinable @inline(__always)
    func draw(_ u: Double) -> Int {
        let target = u * total
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
