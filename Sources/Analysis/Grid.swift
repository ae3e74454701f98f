import Foundation
import Primitives

extension Grid {
    /// Count (or weight sum) of points per cell, row-major with row 0 south; points outside the grid or with a
    /// non-finite coordinate are ignored. `weights`, when given, must have `x.count` entries.
    /// - Complexity: O(n).
    public func counts(x: [Double], y: [Double], weights: [Double]? = nil) throws -> [Double] {
        guard x.count == y.count else { throw AnalysisError.lengthMismatch(what: "y", expected: x.count, actual: y.count) }
        if let w = weights, w.count != x.count {
            throw AnalysisError.lengthMismatch(what: "weights", expected: x.count, actual: w.count)
        }
        var out = [Double](repeating: 0, count: cellCount)
        out.withUnsafeMutableBufferPointer { o in
            x.withUnsafeBufferPointer { xs in
                y.withUnsafeBufferPointer { ys in
                    for i in 0..<xs.count {
                        guard let k = index(x: xs[i], y: ys[i]) else { continue }
                        o[k] += weights?[i] ?? 1
                    }
                }
            }
        }
        return out
    }
}

/// Default cell-size rules used by other tools, so Atalaya can match them on purpose.
public enum CellSizeRule {
    /// ArcGIS Kernel Density default: min(width, height) / 250 (map units).
    /// - Complexity: O(1).
    public static func arcgis(width: Double, height: Double) -> Double {
        min(width, height) / 250
    }

    /// R sfhotspot `set_cell_size()` (metre/foot CRS, `round = TRUE`): s = min(width, height) / 50, rounded
    /// **down** to a multiple of 100 m; when that rounding would give 0 (shorter side < 5,000 m) the unrounded
    /// min/50 is used, as sfhotspot does (its issue #26). No other minimum is applied.
    /// - Complexity: O(1).
    public static func sfhotspot(width: Double, height: Double) -> Double {
        let side = min(width, height)
        let hundreds = (side / 50 / 100).rounded(.down)
        return hundreds > 0 ? hundreds * 100 : side / 50
    }
}
