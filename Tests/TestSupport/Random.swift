import Foundation
import SeededRandom

/// Deterministic test data: the `SeededRandom` module's SplitMix64 (not a copy of it), so test points
/// are the same on every run and platform. Usable wherever a `RandomNumberGenerator` is expected.
public struct TestRandom: RandomNumberGenerator, Sendable {
    public var splitMix: SplitMix64
    public init(_ seed: UInt64) { splitMix = SplitMix64(seed: seed) }
    public init(seed: UInt64) { self.init(seed) }

    public mutating func next() -> UInt64 { splitMix.next() }
    /// Uniform in [0, 1), 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    /// An integer in [0, n) (modulo: a tiny bias is fine for test data).
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
