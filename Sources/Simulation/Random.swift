import Foundation
import SeededRandom

// The generators come from SeededRandom. The simulator never uses `SystemRandomNumberGenerator` nor
// the standard library's `random(in:using:)` helpers, whose algorithms carry no stability promise:
// every draw is defined here or there, so a seed gives the same events on every platform (up to
// last-ulp differences of the C library's `log`/`sin`/`cos`).
extension Xoshiro256StarStar {
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
