import Foundation
import Primitives

/// Result of the Mann–Kendall trend test (matches pymannkendall's `original_test`).
public struct MannKendallResult: Sendable, Codable, Equatable {
    /// S = Σ_{i<j} sign(x_j − x_i).
    public var S: Double
    /// Var(S) with the tie correction.
    public var varS: Double
    /// Continuity-corrected normal score.
    public var z: Double
    /// Two-sided normal p-value, 2(1 − Φ(|z|)).
    public var p: Double
    /// Kendall's tau-a, S / (n(n−1)/2).
    public var tau: Double

    public init(S: Double, varS: Double, z: Double, p: Double, tau: Double) {
        self.S = S; self.varS = varS; self.z = z; self.p = p; self.tau = tau
    }

    /// Significant increasing trend at level `alpha` (p < alpha and S > 0).
    public func increasing(alpha: Double = 0.05) -> Bool { p < alpha && S > 0 }
    /// Significant decreasing trend at level `alpha` (p < alpha and S < 0).
    public func decreasing(alpha: Double = 0.05) -> Bool { p < alpha && S < 0 }
}

/// Mann–Kendall non-parametric monotonic trend test.
public enum MannKendall {
    /// Mann–Kendall test of `series` (oldest first), as pymannkendall's `original_test`:
    ///
    /// - S = Σ_{i<j} sign(x_j − x_i)
    /// - Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18, t_g = size of each group of exactly equal values
    /// - z = (S − 1)/√Var(S) if S > 0, (S + 1)/√Var(S) if S < 0, 0 otherwise (also 0 when Var(S) = 0)
    /// - p = 2(1 − Φ(|z|)) = erfc(|z|/√2), tau = S / (n(n−1)/2)
    ///
    /// NaN values are dropped first (pymannkendall's "skip"). With fewer than 2 values: S = Var = z = tau = 0, p = 1.
    /// - Complexity: O(n²) time, O(n) memory.
    public static func test(_ series: [Double]) -> MannKendallResult {
        let x = series.contains(where: \.isNaN) ? series.filter { !$0.isNaN } : series
        let n = x.count
        guard n >= 2 else { return MannKendallResult(S: 0, varS: 0, z: 0, p: 1, tau: 0) }
        var s = 0
        x.withUnsafeBufferPointer { b in
            for i in 0..<(n - 1) {
                let xi = b[i]
                var acc = 0
                for j in (i + 1)..<n {
                    let d = b[j]
                    acc += (d > xi ? 1 : 0) - (d < xi ? 1 : 0)
                }
                s += acc
            }
        }
        let sorted = x.sorted()
        var tieTerm = 0.0
        var i = 0
        while i < n {
            var j = i + 1
            while j < n && sorted[j] == sorted[i] { j += 1 }
            let t = Double(j - i)
            if t > 1 { tieTerm += t * (t - 1) * (2 * t + 5) }
            i = j
        }
        let nd = Double(n)
        let varS = (nd * (nd - 1) * (2 * nd + 5) - tieTerm) / 18
        let S = Double(s)
        var z = 0.0
        if varS > 0 {
            if s > 0 { z = (S - 1) / varS.squareRoot() } else if s < 0 { z = (S + 1) / varS.squareRoot() }
        }
        return MannKendallResult(S: S, varS: varS, z: z, p: Statistics.normalTwoSidedP(z), tau: S / (0.5 * nd * (nd - 1)))
    }
}
