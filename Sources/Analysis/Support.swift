import Foundation
import Primitives
import Synchronization
import Localization
import SeededRandom

/// Errors thrown by the Analysis module. Every case names what was wrong so a caller can report it.
public enum AnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two parallel arrays (e.g. `x` and `y`, or `weights`) have different lengths.
    case lengthMismatch(what: String, expected: Int, actual: Int)
    /// A bandwidth or cell size that is not finite and strictly positive.
    case invalidBandwidth(Double)
    /// Not enough usable (finite) observations for the statistic.
    case tooFewPoints(needed: Int, got: Int)
    /// The points have no spread (all coincident, or all equal along the axis used), so a bandwidth rule gives 0.
    case zeroSpread(rule: String)
    /// A weight that is negative or not finite where the rule needs non-negative weights.
    case invalidWeight(index: Int, value: Double)

    public var description: String {
        switch self {
        case let .lengthMismatch(what, expected, actual):
            return tr("\(what): se esperaban \(expected) valores y hay \(actual)", "\(what): expected \(expected) values, got \(actual)")
        case let .invalidBandwidth(b):
            return tr("el ancho de banda debe ser finito y > 0; se recibió \(b)", "bandwidth must be finite and > 0, got \(b)")
        case let .tooFewPoints(needed, got):
            return tr("se necesitan al menos \(needed) puntos utilizables y hay \(got)", "need at least \(needed) usable points, got \(got)")
        case let .zeroSpread(rule):
            return tr("\(rule): los puntos no tienen dispersión, el ancho de banda sería 0", "\(rule): the points have no spread, the bandwidth would be 0")
        case let .invalidWeight(index, value):
            return tr("el peso \(index) es \(value); los pesos deben ser finitos y >= 0", "weight \(index) is \(value); weights must be finite and >= 0")
        }
    }
}

extension Xoshiro256StarStar {
    /// Unbiased integer in [0, bound) from a 32-bit draw (Lemire 2019), `bound` ≤ 2³².
    @inlinable @inline(__always)
    static func bounded(_ r: UInt32, _ bound: UInt64, _ threshold: UInt32) -> (value: Int, ok: Bool) {
        let m = UInt64(r) &* bound
        return (Int(truncatingIfNeeded: m >> 32), UInt32(truncatingIfNeeded: m) >= threshold)
    }
}

/// Test hook: pretend to have this many cores (results must not change; only the work split does).
let analysisWorkerOverride = Mutex<Int?>(nil)

/// Number of worker threads the parallel loops plan for (the split of work, never the results, depends on it).
var analysisWorkerCount: Int { analysisWorkerOverride.withLock { $0 } ?? ParallelWork.threadCount }
