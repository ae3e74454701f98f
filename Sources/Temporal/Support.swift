import Foundation
import SeededRandom

/// Number of worker threads used by the parallel kernels (active processor count, at least 1).
/// Results never depend on it.
public let temporalWorkerCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

extension Xoshiro256StarStar {
    /// Independent stream `stream` of `seed`: seeded with SplitMix64(seed ⊕ mix(stream)); used so that
    /// Monte-Carlo replicate r always gets the same numbers whatever thread runs it.
    public init(seed: UInt64, stream: UInt64) {
        var m = SplitMix64(seed: stream &* 0xD1B5_4A32_D192_ED03 &+ 0x8CB9_2BA7_2F3D_8DD7)
        self.init(seed: seed ^ m.next())
    }
}
