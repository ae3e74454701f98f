import Foundation
import Dispatch

/// Two-sided p-value of a standard normal deviate: p = erfc(|z|/√2) = 2(1 − Φ(|z|)).
@inline(__always) func twoSidedNormalP(_ z: Double) -> Double {
    z.isNaN ? .nan : erfc(abs(z) / 2.0.squareRoot())
}

/// Number of worker threads used by the parallel kernels (active processor count, at least 1).
/// Results never depend on it.
public let temporalWorkerCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Runs `body(worker)` for `worker` in 0..<workers concurrently.
func parallelWorkers(_ workers: Int, _ body: (Int) -> Void) {
    if workers <= 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: workers, execute: body)
}

/// SplitMix64 (Steele, Lea & Flood 2014): used to seed and to derive independent streams.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    @inline(__always) public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna), seeded through SplitMix64. Conforms to `RandomNumberGenerator`.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words with successive SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// Independent stream `stream` of `seed`: seeded with SplitMix64(seed ⊕ mix(stream)); used so that
    /// Monte-Carlo replicate r always gets the same numbers whatever thread runs it.
    public init(seed: UInt64, stream: UInt64) {
        var m = SplitMix64(seed: stream &* 0xD1B5_4A32_D192_ED03 &+ 0x8CB9_2BA7_2F3D_8DD7)
        self.init(seed: seed ^ m.next())
    }

    @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inline(__always) public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform integer in 0..<bound (Lemire's multiply-shift with rejection; unbiased).
    @inline(__always) public mutating func below(_ bound: UInt64) -> UInt64 {
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }
}
