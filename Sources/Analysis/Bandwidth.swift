import Foundation

/// Automatic bandwidth rules used by other tools, so Atalaya can reproduce their defaults on purpose.
/// Coordinates are planar (m); the result is in the same units. Points with a non-finite coordinate (or weight)
/// are ignored.
public enum BandwidthRule: String, Sendable, CaseIterable, Codable {
    /// ArcGIS Kernel Density default search radius:
    /// R = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−0.2), where
    /// (x̄, ȳ) = Σwᵢ(xᵢ, yᵢ)/Σwᵢ is the (weighted) mean centre,
    /// SD = √(Σwᵢ((xᵢ−x̄)² + (yᵢ−ȳ)²)/Σwᵢ) the (weighted) standard distance,
    /// Dm the (weighted) median of the distances dᵢ to the mean centre, and n = count (or Σwᵢ).
    /// Weighted median: sort by dᵢ, take the first dₖ whose cumulative weight reaches Σw/2; when it equals Σw/2
    /// exactly, average dₖ and dₖ₊₁ (so unit weights give the ordinary median). Weights must be ≥ 0.
    case arcgis
    /// R sfhotspot default = MASS `bandwidth.nrd` on the **x** coordinate, used directly as the quartic radius:
    /// h = 4 · 1.06 · min(sd(x), IQR(x)/1.34) · n^(−1/5), sd with n − 1, IQR from R's default quantile
    /// (type 7, linear interpolation at (n−1)p). Weights are ignored (as in sfhotspot).
    case nrd
    /// Scott's rule for a 2-D Gaussian: σ = sd · n^(−1/6), with sd the **geometric mean** √(sdₓ·sd_y) of the two
    /// per-axis standard deviations (n − 1 denominators; with weights, frequency weights: Σwᵢ(xᵢ−x̄)²/(Σw − 1), and
    /// n = Σw). Returned as the Gaussian σ (pass it as the bandwidth of `Kernel.gaussian`).
    case scott

    /// The bandwidth for these points, map units (m).
    /// - Throws: `AnalysisError.lengthMismatch`, `.tooFewPoints` (fewer than 2 usable points),
    ///   `.zeroSpread` (the rule gives 0), `.invalidWeight` (negative weight).
    /// - Complexity: O(n log n) (sorting for medians/quantiles).
    public func bandwidth(x: [Double], y: [Double], weights: [Double]?) throws -> Double {
        guard x.count == y.count else { throw AnalysisError.lengthMismatch(what: "y", expected: x.count, actual: y.count) }
        if let w = weights, w.count != x.count {
            throw AnalysisError.lengthMismatch(what: "weights", expected: x.count, actual: w.count)
        }
        var xs: [Double] = [], ys: [Double] = [], ws: [Double] = []
        xs.reserveCapacity(x.count); ys.reserveCapacity(x.count)
        for i in 0..<x.count where x[i].isFinite && y[i].isFinite {
            if let w = weights {
                guard w[i].isFinite, w[i] >= 0 || self == .nrd else { throw AnalysisError.invalidWeight(index: i, value: w[i]) }
                ws.append(w[i])
            }
            xs.append(x[i]); ys.append(y[i])
        }
        guard xs.count >= 2 else { throw AnalysisError.tooFewPoints(needed: 2, got: xs.count) }
        let useWeights = weights != nil && self != .nrd
        let result: Double
        switch self {
        case .arcgis:
            result = Self.arcgisRadius(xs, ys, useWeights ? ws : nil)
        case .nrd:
            let n = Double(xs.count)
            let sd = Self.sampleSD(xs, nil)
            let sorted = xs.sorted()
            let iqr = Self.quantileType7(sorted, 0.75) - Self.quantileType7(sorted, 0.25)
            // MASS: h <- (r[2]-r[1])/1.34; 4 * 1.06 * min(sqrt(var(x)), h) * length(x)^(-1/5)
            result = 4 * 1.06 * min(sd, iqr / 1.34) * pow(n, -0.2)
        case .scott:
            let w = useWeights ? ws : nil
            let n = w.map { $0.reduce(0, +) } ?? Double(xs.count)
            let sd = (Self.sampleSD(xs, w) * Self.sampleSD(ys, w)).squareRoot()
            result = sd * pow(n, -1.0 / 6.0)
        }
        guard result.isFinite, result > 0 else { throw AnalysisError.zeroSpread(rule: rawValue) }
        return result
    }

    static func arcgisRadius(_ x: [Double], _ y: [Double], _ w: [Double]?) -> Double {
        let n = w.map { $0.reduce(0, +) } ?? Double(x.count)
        var mx = 0.0, my = 0.0
        for i in 0..<x.count { let wi = w?[i] ?? 1; mx += wi * x[i]; my += wi * y[i] }
        mx /= n; my /= n
        var ss = 0.0
        guard let w else {
            // Unit weights: Dm is the ordinary median (the weighted rule below reduces to it), found by
            // selection in O(n) instead of sorting a million distances.
            var d = [Double](); d.reserveCapacity(x.count)
            for i in 0..<x.count {
                let dx = x[i] - mx, dy = y[i] - my
                let d2 = dx * dx + dy * dy
                ss += d2
                d.append(d2.squareRoot())
            }
            let sdist = (ss / n).squareRoot()
            return 0.9 * min(sdist, (1 / log(2.0)).squareRoot() * median(&d)) * pow(n, -0.2)
        }
        var d = [(Double, Double)](); d.reserveCapacity(x.count)
        for i in 0..<x.count {
            let wi = w[i]
            let dx = x[i] - mx, dy = y[i] - my
            let d2 = dx * dx + dy * dy
            ss += wi * d2
            d.append((d2.squareRoot(), wi))
        }
        let sdist = (ss / n).squareRoot()
        d.sort { $0.0 < $1.0 }
        let half = n / 2
        var cum = 0.0
        var dm = d[d.count - 1].0
        for k in 0..<d.count {
            cum += d[k].1
            if cum >= half {
                if cum == half, k + 1 < d.count {
                    // Next element with positive weight.
                    var j = k + 1
                    while j < d.count - 1 && d[j].1 == 0 { j += 1 }
                    dm = (d[k].0 + d[j].0) / 2
                } else {
                    dm = d[k].0
                }
                break
            }
        }
        return 0.9 * min(sdist, (1 / log(2.0)).squareRoot() * dm) * pow(n, -0.2)
    }

    /// Median of `v` (the middle value, or the mean of the two middle values for an even count), the same
    /// value sorting gives; `v` is reordered. Hoare quickselect with a median-of-three pivot.
    /// - Complexity: O(n) expected.
    static func median(_ v: inout [Double]) -> Double {
        precondition(!v.isEmpty)
        let n = v.count
        return v.withUnsafeMutableBufferPointer { b -> Double in
            let upper = select(b, n / 2)
            guard n % 2 == 0 else { return upper }
            // After selecting rank n/2, everything before it is ≤ it: rank n/2 − 1 is their maximum.
            var lower = b[0]
            for i in 1..<(n / 2) where b[i] > lower { lower = b[i] }
            return (lower + upper) / 2
        }
    }

    /// Puts the value of rank `k` (0-based, in ascending order) at `b[k]`, smaller-or-equal values before it
    /// and greater-or-equal after it, and returns it.
    static func select(_ b: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var lo = 0, hi = b.count - 1
        while hi > lo {
            if hi - lo < 16 {
                // Insertion sort of the small remainder.
                for i in (lo + 1)...hi {
                    let v = b[i]
                    var j = i - 1
                    while j >= lo && b[j] > v { b[j + 1] = b[j]; j -= 1 }
                    b[j + 1] = v
                }
                break
            }
            // Median of three as the pivot value.
            let mid = lo + (hi - lo) / 2
            if b[mid] < b[lo] { b.swapAt(mid, lo) }
            if b[hi] < b[lo] { b.swapAt(hi, lo) }
            if b[hi] < b[mid] { b.swapAt(hi, mid) }
            let pivot = b[mid]
            // Hoare partition: [lo, j] ≤ pivot ≤ [j + 1, hi].
            var i = lo - 1, j = hi + 1
            while true {
                repeat { i += 1 } while b[i] < pivot
                repeat { j -= 1 } while b[j] > pivot
                if i >= j { break }
                b.swapAt(i, j)
            }
            if k <= j { hi = j } else { lo = j + 1 }
        }
        return b[k]
    }

    /// Standard deviation with the n − 1 (or Σw − 1) denominator.
    static func sampleSD(_ v: [Double], _ w: [Double]?) -> Double {
        let n = w.map { $0.reduce(0, +) } ?? Double(v.count)
        var m = 0.0
        for i in 0..<v.count { m += (w?[i] ?? 1) * v[i] }
        m /= n
        var ss = 0.0
        for i in 0..<v.count { let d = v[i] - m; ss += (w?[i] ?? 1) * d * d }
        return (ss / (n - 1)).squareRoot()
    }

    /// R `quantile(type = 7)`: h = (n − 1)·p, Q = x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋) on sorted data.
    static func quantileType7(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
