import Foundation

/// Formulas shared by the spatial (Analysis) and space-time (Temporal) statistics.
public enum Statistics {
    /// Two-sided p-value of a standard normal deviate: p = 2(1 − Φ(|z|)) = erfc(|z|/√2); NaN for NaN.
    @inlinable @inline(__always)
    public static func normalTwoSidedP(_ z: Double) -> Double {
        z.isNaN ? .nan : erfc(abs(z) / 2.0.squareRoot())
    }

    /// Getis–Ord Gi* z-score with binary weights (self included), so Σw = Σw² = W:
    ///
    ///   z = (Σ_{nbhd} x − X̄·W) / (S · √((n·W − W²)/(n − 1)))
    ///
    /// with n, X̄ and S (1/n denominator) over all the values tested (Getis & Ord 1992; Ord & Getis 1995).
    /// - Returns: nil when the denominator is 0 or not finite (S = 0, or the neighbourhood is everything).
    @inlinable @inline(__always)
    public static func giStarZ(sum: Double, weight W: Double, n: Double, mean: Double, sd: Double) -> Double? {
        let den = sd * ((n * W - W * W) / (n - 1)).squareRoot()
        guard den > 0, den.isFinite else { return nil }
        return (sum - mean * W) / den
    }
}
