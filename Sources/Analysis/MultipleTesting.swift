import Foundation

/// Corrections for testing thousands of cells at once.
public enum MultipleTesting {
    /// Benjamini–Hochberg adjusted p-values (step-up FDR):
    /// p̃₍ₖ₎ = min_{j ≥ k} min(1, m·p₍ⱼ₎ / j) over the m finite p-values sorted ascending, returned in input order.
    /// Rejecting every test with p̃ ≤ α controls the false discovery rate at α. NaN (or infinite) p-values stay NaN
    /// and do not count in m. Ties get equal adjusted values.
    /// - Complexity: O(m log m).
    public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        var out = [Double](repeating: .nan, count: p.count)
        var idx = [Int]()
        idx.reserveCapacity(p.count)
        for i in 0..<p.count where p[i].isFinite { idx.append(i) }
        let m = idx.count
        guard m > 0 else { return out }
        idx.sort { p[$0] < p[$1] }
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = idx[rank - 1]
            running = min(running, p[i] * Double(m) / Double(rank))
            out[i] = min(running, 1)
        }
        return out
    }
}
