import Foundation

/// Two-dimensional isotropic kernels. For a point at distance d, radius (bandwidth) R and ρ = d/R:
///
/// | kernel | K(d) | ∫∫ K dA | per-axis SD |
/// |---|---|---|---|
/// | uniform | 1/(πR²) for ρ ≤ 1 | 1 | R/2 |
/// | triangular (cone) | 3/(πR²)·(1−ρ) | 1 | R·√(3/20) |
/// | epanechnikov | 2/(πR²)·(1−ρ²) | 1 | R/√6 |
/// | quartic (biweight) | 3/(πR²)·(1−ρ²)² | 1 | R/√8 |
/// | triweight | 4/(πR²)·(1−ρ²)³ | 1 | R/√10 |
/// | gaussian (σ = R) | 1/(2πσ²)·exp(−d²/2σ²) for d ≤ 4σ | 1 − e⁻⁸ ≈ 0.999665 | σ |
///
/// Derivation of the constants: ∫₀ᴿ 2πr·(1−r²/R²)ᵏ dr = πR²/(k+1), so (1−ρ²)ᵏ needs (k+1)/(πR²);
/// ∫₀ᴿ 2πr·(1−r/R) dr = πR²/3. All kernels are zero beyond their support (ρ > 1 is zero, ρ = 1 is inside).
/// Values are per square map unit (m⁻²).
///
/// The Gaussian is truncated at `gaussianTruncation`·σ = 4σ and **not** renormalised: the mass outside the
/// truncation disc is exp(−4²/2) = e⁻⁸ ≈ 3.35·10⁻⁴, so a surface integrates to (1 − 3.35·10⁻⁴)·Σw.
public enum Kernel: String, Sendable, CaseIterable, Codable {
    case quartic, triangular, epanechnikov, triweight, uniform, gaussian

    /// Truncation radius of the Gaussian kernel in units of σ (= R).
    public static let gaussianTruncation: Double = 4
    /// Mass of the Gaussian kernel lost by the truncation: exp(−T²/2) = e⁻⁸ ≈ 3.3546·10⁻⁴.
    public static let gaussianTruncatedMass: Double = exp(-gaussianTruncation * gaussianTruncation / 2)

    /// Kernel value at squared distance `d2` (m²) for radius/bandwidth `R` (m; σ for the Gaussian), normalised so it
    /// integrates to 1 over the plane (Gaussian: to 1 − e⁻⁸). Units: per square map unit (m⁻²).
    /// - Complexity: O(1).
    @inlinable
    public func density(distanceSquared d2: Double, bandwidth R: Double) -> Double {
        normalisingConstant(bandwidth: R) * shape(d2 * (1 / (R * R)))
    }

    /// Radius beyond which the kernel is zero: R, or 4R (= 4σ) for the Gaussian. Map units.
    /// - Complexity: O(1).
    @inlinable
    public func support(bandwidth R: Double) -> Double {
        self == .gaussian ? Kernel.gaussianTruncation * R : R
    }

    /// The normalising constant as text, R being the radius (σ for the Gaussian).
    public var normalisingConstantText: String {
        switch self {
        case .uniform: return "1/(πR²)"
        case .triangular: return "3/(πR²)"
        case .epanechnikov: return "2/(πR²)"
        case .quartic: return "3/(πR²)"
        case .triweight: return "4/(πR²)"
        case .gaussian: return "1/(2πσ²)"
        }
    }

    /// Standard deviation of the kernel along one axis, map units (Gaussian: σ, ignoring the truncation).
    public func perAxisStandardDeviation(bandwidth R: Double) -> Double {
        switch self {
        case .uniform: return R / 2
        case .triangular: return R * (3.0 / 20).squareRoot()
        case .epanechnikov: return R / 6.0.squareRoot()
        case .quartic: return R / 8.0.squareRoot()
        case .triweight: return R / 10.0.squareRoot()
        case .gaussian: return R
        }
    }

    /// The normalising constant C(R), m⁻².
    @inlinable
    public func normalisingConstant(bandwidth R: Double) -> Double {
        let a = Double.pi * R * R
        switch self {
        case .uniform: return 1 / a
        case .triangular: return 3 / a
        case .epanechnikov: return 2 / a
        case .quartic: return 3 / a
        case .triweight: return 4 / a
        case .gaussian: return 1 / (2 * a)
        }
    }

    /// Unnormalised profile as a function of q = d²/R² (Gaussian: d²/σ²); 0 outside the support.
    @inlinable
    func shape(_ q: Double) -> Double {
        switch self {
        case .uniform: return UniformShape.value(q)
        case .triangular: return TriangularShape.value(q)
        case .epanechnikov: return EpanechnikovShape.value(q)
        case .quartic: return QuarticShape.value(q)
        case .triweight: return TriweightShape.value(q)
        case .gaussian: return GaussianShape.value(q)
        }
    }
}

/// Kernel profile of q = d²/R², branch-free where possible so that loops vectorise. Shared by the exact and the
/// brute-force density so both decide the support boundary identically.
@usableFromInline protocol KernelShape {
    static func value(_ q: Double) -> Double
    /// Lane-wise `value`, bit-identical to the scalar version.
    static func value4(_ q: SIMD4<Double>) -> SIMD4<Double>
}

@usableFromInline enum UniformShape: KernelShape {
    @inlinable @inline(__always) static func value(_ q: Double) -> Double { q <= 1 ? 1 : 0 }
    @inlinable @inline(__always) static func value4(_ q: SIMD4<Double>) -> SIMD4<Double> {
        SIMD4<Double>(repeating: 1).replacing(with: 0, where: q .> 1)
    }
}
@usableFromInline enum TriangularShape: KernelShape {
    @inlinable @inline(__always) static func value(_ q: Double) -> Double {
        let t = 1 - q.squareRoot(); return q <= 1 ? t : 0
    }
    @inlinable @inline(__always) static func value4(_ q: SIMD4<Double>) -> SIMD4<Double> {
        (1 - q.squareRoot()).replacing(with: 0, where: q .> 1)
    }
}
@usableFromInline enum EpanechnikovShape: KernelShape {
    @inlinable @inline(__always) static func value(_ q: Double) -> Double { let t = 1 - q; return q <= 1 ? t : 0 }
    @inlinable @inline(__always) static func value4(_ q: SIMD4<Double>) -> SIMD4<Double> {
        (1 - q).replacing(with: 0, where: q .> 1)
    }
}
@usableFromInline enum QuarticShape: KernelShape {
    @inlinable @inline(__always) static func value(_ q: Double) -> Double {
        let t = 1 - q; let u = q <= 1 ? t : 0; return u * u
    }
    @inlinable @inline(__always) static func value4(_ q: SIMD4<Double>) -> SIMD4<Double> {
        let u = (1 - q).replacing(with: 0, where: q .> 1); return u * u
    }
}
@usableFromInline enum TriweightShape: KernelShape {
    @inlinable @inline(__always) static func value(_ q: Double) -> Double {
        let t = 1 - q; let u = q <= 1 ? t : 0; return u * u * u
    }
    @inlinable @inline(__always) static func value4(_ q: SIMD4<Double>) -> SIMD4<Double> {
        let u = (1 - q).replacing(with: 0, where: q .> 1); return u * u * u
    }
}
@usableFromInline enum GaussianShape: KernelShape {
    @inlinable @inline(__always) static func value(_ q: Double) -> Double {
        q <= Kernel.gaussianTruncation * Kernel.gaussianTruncation ? exp(-0.5 * q) : 0
    }
    @inlinable @inline(__always) static func value4(_ q: SIMD4<Double>) -> SIMD4<Double> {
        SIMD4(value(q[0]), value(q[1]), value(q[2]), value(q[3]))
    }
}
