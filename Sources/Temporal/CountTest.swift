import Foundation

/// Exact test of two incident counts, so that "+300 %" on 1 → 4 is not read as news.
public enum CountTest {
    /// Two-sided p-value of the conditional exact test that two Poisson counts have the same rate per day.
    ///
    /// Given n = current + reference, under equal rates the current count is Binomial(n, π) with
    /// π = currentDays / (currentDays + referenceDays) (π = 1/2 for periods of equal length: weeks, 28-day
    /// blocks; months and quarters differ by a few days). The p-value is R's `binom.test`: the sum of P(X = x)
    /// over every x with P(X = x) ≤ P(X = current)·(1 + 10⁻⁷). For π = 1/2 this is 2·P(X ≥ max) capped at 1,
    /// e.g. 1 → 4: n = 5, p = 2·(C(5,4) + C(5,5))/2⁵ = 12/32 = 0.375. With n = 0 the p-value is 1.
    /// - Complexity: O(n).
    public static func twoSidedP(current: Int, reference: Int, currentDays: Double = 1, referenceDays: Double = 1) -> Double {
        precondition(current >= 0 && reference >= 0 && currentDays > 0 && referenceDays > 0)
        let n = current + reference
        guard n > 0 else { return 1 }
        let pi = currentDays / (currentDays + referenceDays)
        // log P(X = x) for x = 0…n by the ratio P(x + 1)/P(x) = (n − x)/(x + 1) · π/(1 − π).
        var logPMF = [Double](repeating: 0, count: n + 1)
        logPMF[0] = Double(n) * log1p(-pi)
        let odds = log(pi) - log1p(-pi)
        for x in 0..<n { logPMF[x + 1] = logPMF[x] + log(Double(n - x)) - log(Double(x + 1)) + odds }
        let bound = logPMF[current] + log1p(1e-7)
        var sum = 0.0
        for l in logPMF where l <= bound { sum += exp(l) }
        return min(1, sum)
    }
}
