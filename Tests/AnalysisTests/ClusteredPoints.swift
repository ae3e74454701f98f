import Foundation
@testable import Analysis
import TestSupport

/// Clustered synthetic incidents over a square of side `side` m starting at (x0, y0).
func clusteredPoints(_ n: Int, x0: Double, y0: Double, side: Double, seed: UInt64) -> ([Double], [Double]) {
    var rng = TestRandom(seed)
    let centres = (0..<60).map { _ in (rng.uniform(x0 + 0.1 * side, x0 + 0.9 * side),
                                       rng.uniform(y0 + 0.1 * side, y0 + 0.9 * side), rng.uniform(200, 2500)) }
    var xs = [Double](), ys = [Double]()
    xs.reserveCapacity(n); ys.reserveCapacity(n)
    for i in 0..<n {
        if i % 4 == 0 {
            xs.append(rng.uniform(x0, x0 + side)); ys.append(rng.uniform(y0, y0 + side))
        } else {
            let c = centres[rng.int(centres.count)]
            xs.append(min(max(c.0 + c.2 * rng.normal(), x0), x0 + side - 1e-6))
            ys.append(min(max(c.1 + c.2 * rng.normal(), y0), y0 + side - 1e-6))
        }
    }
    return (xs, ys)
}
