import Foundation
import Primitives

/// Edge correction of a kernel density surface.
public enum EdgeCorrection: String, Sendable, Codable {
    /// No correction: kernel mass falling outside the study area is lost (the default in most tools).
    case none
    /// spatstat's "uniform" correction: each cell's density is divided by the fraction of the kernel centred on
    /// that cell that falls inside the study area, e(u) = Σ_{v ∈ mask} K(u − v) / Σ_{all v} K(u − v), the sums over
    /// cell centres (the discrete normalisation makes e(u) = 1 exactly for cells whose whole kernel is inside).
    /// Without a mask the study area is the grid's extent.
    case uniform
}

/// Units of a density surface.
public enum DensityUnits: String, Sendable, Codable {
    /// Incidents per km² (the kernel sum per m² × 10⁶; assumes map units are metres).
    case density
    /// Expected incidents per cell: the kernel sum per m² × cell area (m²).
    case expected
}

/// Everything that defines a kernel density surface except the points.
public struct DensityRequest: Sendable {
    /// Output raster (row 0 south).
    public var grid: Grid
    /// Study area, row-major with row 0 south, `grid.cellCount` entries; `false` = outside, output NaN there.
    /// Points are not filtered by the mask: drop points outside the study area beforehand if they must not count.
    public var mask: [Bool]?
    public var kernel: Kernel
    /// Radius R in map units (m); σ for the Gaussian kernel.
    public var bandwidth: Double
    /// Optional per-point weights (same count as the points); non-finite weights drop the point. Negative weights
    /// are allowed (e.g. differences of surfaces).
    public var weights: [Double]?
    public var units: DensityUnits
    public var edge: EdgeCorrection

    public init(grid: Grid, mask: [Bool]? = nil, kernel: Kernel = .quartic, bandwidth: Double,
                weights: [Double]? = nil, units: DensityUnits = .density, edge: EdgeCorrection = .none) {
        self.grid = grid; self.mask = mask; self.kernel = kernel; self.bandwidth = bandwidth
        self.weights = weights; self.units = units; self.edge = edge
    }
}

/// A kernel density raster.
public struct DensitySurface: Sendable {
    public let grid: Grid
    /// Row-major, row 0 south; `.nan` in masked cells. Units given by `units`.
    public let values: [Double]
    public let kernel: Kernel
    /// The bandwidth actually used (m).
    public let bandwidth: Double
    public let units: DensityUnits
    public let edge: EdgeCorrection
    /// Points with finite coordinates and weight (whether or not their kernel reaches the grid).
    public let pointsUsed: Int
    /// Σ wᵢ over the points used (the count when unweighted).
    public let weightSum: Double

    /// Value of cell (column, row).
    public func value(column: Int, row: Int) -> Double { values[row * grid.columns + column] }

    /// Σ over unmasked cells of the expected count per cell, i.e. the surface's integral (incidents). Equals
    /// `weightSum` up to discretisation when every kernel lies inside the grid (less the Gaussian truncation).
    /// - Complexity: O(cells).
    public var integral: Double {
        let factor = units == .expected ? 1 : grid.cellArea / 1e6
        var s = 0.0
        for v in values where !v.isNaN { s += v }
        return s * factor
    }
}

/// Kernel density estimation on a regular grid: density(u) = Σᵢ wᵢ·K(‖u − pᵢ‖) at each cell centre u.
public enum KernelDensity {
    /// Exact kernel density: every cell centre sums every point within the kernel support (no binning).
    ///
    /// density(u) = Σᵢ wᵢ · C(R) · k(‖u − pᵢ‖²/R²) m⁻², reported per km² (×10⁶) or as expected incidents per cell
    /// (× cell area); see `Kernel` for C and k.
    ///
    /// Implementation (per-point window stamping): points are counting-sorted by row, the grid is cut into
    /// horizontal bands of about equal work, and each band is filled by one task that stamps every point whose
    /// window reaches it, clipped to the band (no write conflicts, no locks, the result does not depend on the
    /// number of threads). For each point, dx² to the window's cell centres is tabulated once; then for each row of
    /// the window dy² is computed once and the inner loop over the window's columns is a branch-free 4-lane SIMD
    /// `q = (dy² + dx²)·(1/R²); out += w·C·k(q)` with k(q) = 0 for q > 1 (no sqrt for the polynomial kernels; the
    /// Gaussian uses the separable form e^(−dy²/2σ²)·e^(−dx²/2σ²)). The same q arithmetic as `bruteForce`, so both
    /// decide the support boundary identically; only the summation order differs.
    /// - Throws: `AnalysisError` on mismatched lengths or an invalid bandwidth.
    /// - Complexity: O(n + cells + n·(support/cellSize)²) time, O(n + cells) memory.
    public static func exact(x: [Double], y: [Double], request: DensityRequest) throws -> DensitySurface {
        try validate(x: x, y: y, request: request)
        let g = request.grid
        let k = request.kernel
        let R = request.bandwidth
        let C = k.normalisingConstant(bandwidth: R)
        var (raw, used, wsum) = accumulate(grid: g, kernel: k, bandwidth: R, x: x, y: y, weights: request.weights,
                                           scale: C)
        if request.edge == .uniform {
            let mass = edgeMass(grid: g, mask: request.mask, kernel: k, bandwidth: R)
            for i in 0..<raw.count where mass[i] > 0 { raw[i] /= mass[i] }
        }
        finish(&raw, request)
        return DensitySurface(grid: g, values: raw, kernel: k, bandwidth: R, units: request.units, edge: request.edge,
                              pointsUsed: used, weightSum: wsum)
    }

    /// Reference implementation: for every cell centre, loop over every point. Same inclusion rule and arithmetic
    /// for q as `exact`; the uniform edge correction is also computed by brute force (O(cells²)). For tests only.
    /// - Complexity: O(cells × n) (+ O(cells²) with edge correction).
    public static func bruteForce(x: [Double], y: [Double], request: DensityRequest) -> DensitySurface {
        let g = request.grid
        let k = request.kernel
        let R = request.bandwidth
        let C = k.normalisingConstant(bandwidth: R)
        let invQ = 1 / (R * R)
        var px = [Double](), py = [Double](), pw = [Double]()
        var used = 0
        var wsum = 0.0
        for i in 0..<x.count {
            let w = request.weights?[i] ?? 1
            guard x[i].isFinite, y[i].isFinite, w.isFinite else { continue }
            used += 1; wsum += w
            px.append(x[i]); py.append(y[i]); pw.append(w * C)
        }
        let cxs = (0..<g.columns).map { g.originX + (Double($0) + 0.5) * g.cellSize }
        let cys = (0..<g.rows).map { g.originY + (Double($0) + 0.5) * g.cellSize }
        var out = [Double](repeating: 0, count: g.cellCount)
        for r in 0..<g.rows {
            for c in 0..<g.columns {
                var s = 0.0
                for i in 0..<px.count {
                    let dx = cxs[c] - px[i], dy = cys[r] - py[i]
                    s += pw[i] * k.shape((dy * dy + dx * dx) * invQ)
                }
                out[r * g.columns + c] = s
            }
        }
        if request.edge == .uniform {
            let inside = request.mask ?? [Bool](repeating: true, count: g.cellCount)
            let total = stencilTotal(kernel: k, bandwidth: R, cellSize: g.cellSize)
            for u in 0..<g.cellCount where inside[u] {
                let (ur, uc) = (u / g.columns, u % g.columns)
                var m = 0.0
                for v in 0..<g.cellCount where inside[v] {
                    let dx = cxs[uc] - cxs[v % g.columns], dy = cys[ur] - cys[v / g.columns]
                    m += k.shape((dy * dy + dx * dx) * invQ)
                }
                out[u] /= m / total
            }
        }
        finish(&out, request)
        return DensitySurface(grid: g, values: out, kernel: k, bandwidth: R, units: request.units, edge: request.edge,
                              pointsUsed: used, weightSum: wsum)
    }

    // MARK: - Internals

    static func validate(x: [Double], y: [Double], request: DensityRequest) throws {
        guard x.count == y.count else { throw AnalysisError.lengthMismatch(what: "y", expected: x.count, actual: y.count) }
        if let w = request.weights, w.count != x.count {
            throw AnalysisError.lengthMismatch(what: "weights", expected: x.count, actual: w.count)
        }
        if let m = request.mask, m.count != request.grid.cellCount {
            throw AnalysisError.lengthMismatch(what: "mask", expected: request.grid.cellCount, actual: m.count)
        }
        let R = request.bandwidth
        guard R.isFinite, R > 0 else { throw AnalysisError.invalidBandwidth(R) }
    }

    /// Unit conversion and masking.
    static func finish(_ v: inout [Double], _ request: DensityRequest) {
        let factor = request.units == .density ? 1e6 : request.grid.cellArea
        let mask = request.mask
        v.withUnsafeMutableBufferPointer { b in
            for i in 0..<b.count { b[i] *= factor }
            if let mask {
                for i in 0..<b.count where !mask[i] { b[i] = .nan }
            }
        }
    }

    /// Σ over the infinite lattice of cell-centre offsets of the unnormalised profile k(‖offset‖²/R²).
    static func stencilTotal(kernel k: Kernel, bandwidth R: Double, cellSize s: Double) -> Double {
        let invQ = 1 / (R * R)
        let n = Int((k.support(bandwidth: R) / s).rounded(.up)) + 1
        var total = 0.0
        for i in -n...n {
            for j in -n...n {
                let dx = Double(j) * s, dy = Double(i) * s
                total += k.shape((dy * dy + dx * dx) * invQ)
            }
        }
        return total
    }

    /// e(u) for the uniform edge correction (see `EdgeCorrection.uniform`), by stamping every in-mask cell centre.
    static func edgeMass(grid g: Grid, mask: [Bool]?, kernel k: Kernel, bandwidth R: Double) -> [Double] {
        var xs = [Double](), ys = [Double]()
        xs.reserveCapacity(g.cellCount); ys.reserveCapacity(g.cellCount)
        for r in 0..<g.rows {
            for c in 0..<g.columns where mask?[r * g.columns + c] ?? true {
                xs.append(g.originX + (Double(c) + 0.5) * g.cellSize)
                ys.append(g.originY + (Double(r) + 0.5) * g.cellSize)
            }
        }
        let total = stencilTotal(kernel: k, bandwidth: R, cellSize: g.cellSize)
        return accumulate(grid: g, kernel: k, bandwidth: R, x: xs, y: ys, weights: nil, scale: 1 / total).values
    }

    /// scale · Σᵢ wᵢ · k(‖u − pᵢ‖²/R²) at every cell centre u, plus the count and weight sum of the usable points
    /// (finite coordinates and weight). `scale` is the kernel's normalising constant.
    static func accumulate(grid g: Grid, kernel: Kernel, bandwidth R: Double, x: [Double], y: [Double],
                           weights: [Double]?, scale: Double) -> (values: [Double], used: Int, weightSum: Double) {
        let cols = g.columns, rows = g.rows
        let count = x.count
        var out = [Double](repeating: 0, count: g.cellCount)
        let s = g.cellSize
        let invS = 1 / s
        let supp = kernel.support(bandwidth: R)
        let wr = Int((supp / s).rounded(.up)) + 1         // window half-height in rows, with a margin
        // Parallel stable counting sort of the points by row (clamped to the rows whose kernel can reach the grid):
        // the points a band needs are then contiguous, and consecutive points stamp overlapping rows (cache).
        // Fixed chunking, so the order, `used` and `weightSum` do not depend on the number of threads.
        let nKeys = rows + 2 * wr + 2                       // key = row + wr + 1
        let chunks = count < 65_536 ? 1 : 16
        var keys = [Int32](repeating: -1, count: count)
        var hist = [Int](repeating: 0, count: chunks * nKeys)
        var usedC = [Int](repeating: 0, count: chunks)
        var wsumC = [Double](repeating: 0, count: chunks)
        let cMin = Double(-wr - 1), cMax = Double(cols + wr)
        let rMin = Double(-wr - 1), rMax = Double(rows + wr)
        x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
        keys.withUnsafeMutableBufferPointer { kb in hist.withUnsafeMutableBufferPointer { hb in
        usedC.withUnsafeMutableBufferPointer { ub in wsumC.withUnsafeMutableBufferPointer { wb in
            // Chunk ch writes the keys of its own points, its own histogram row and its own totals.
            let kp = DisjointWrites(kb), hp = DisjointWrites(hb), up = DisjointWrites(ub), wp = DisjointWrites(wb)
            let xr = SharedReads(xb), yr = SharedReads(yb)
            ParallelWork.forEach(chunks) { ch in
                let xb = xr.buffer, yb = yr.buffer
                let lo = count * ch / chunks, hi = count * (ch + 1) / chunks
                let h = hp.base + ch * nKeys
                var used = 0
                var wsum = 0.0
                for i in lo..<hi {
                    let w = weights?[i] ?? 1
                    let px = xb[i], py = yb[i]
                    guard px.isFinite, py.isFinite, w.isFinite else { continue }
                    used += 1; wsum += w
                    guard w != 0 else { continue }
                    let fc = (px - g.originX) * invS, fr = (py - g.originY) * invS
                    guard fc >= cMin, fc < cMax, fr >= rMin, fr < rMax else { continue }
                    let key = ifloor(fr) + wr + 1
                    kp[i] = Int32(key)
                    h[key] += 1
                }
                up[ch] = used
                wp[ch] = wsum
            }
        } } } } } }
        var used = 0
        var weightSum = 0.0
        for ch in 0..<chunks { used += usedC[ch]; weightSum += wsumC[ch] }
        // hist[ch·nKeys + k] becomes the first destination of chunk ch's points with key k; rowStart[k] the first
        // sorted index of key k.
        var rowStart = [Int](repeating: 0, count: nKeys + 1)
        var running = 0
        for k in 0..<nKeys {
            rowStart[k] = running
            for ch in 0..<chunks {
                let c = hist[ch * nKeys + k]
                hist[ch * nKeys + k] = running
                running += c
            }
        }
        rowStart[nKeys] = running
        let n = running
        guard n > 0, cols > 0, rows > 0 else { return (out, used, weightSum) }
        let pts = UnsafeMutableBufferPointer<StampPoint>.allocate(capacity: n)
        defer { pts.deallocate() }
        x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
        keys.withUnsafeBufferPointer { kb in hist.withUnsafeMutableBufferPointer { hb in
            // Chunk ch advances its own histogram row, whose destinations are disjoint from every other chunk's.
            let hp = DisjointWrites(hb), pp = DisjointWrites(pts)
            let xr = SharedReads(xb), yr = SharedReads(yb), kr = SharedReads(kb)
            ParallelWork.forEach(chunks) { ch in
                let xb = xr.buffer, yb = yr.buffer, kb = kr.buffer
                let lo = count * ch / chunks, hi = count * (ch + 1) / chunks
                let h = hp.base + ch * nKeys
                for i in lo..<hi where kb[i] >= 0 {
                    let k = Int(kb[i])
                    let d = h[k]; h[k] = d + 1
                    pp[d] = StampPoint(x: xb[i], y: yb[i], w: (weights?[i] ?? 1) * scale)
                }
            }
        } } } }
        keys = []; hist = []
        // Bands of about equal work: work(row) ≈ points whose window covers the row + a small per-row cost.
        let workers = analysisWorkerCount
        let nBands = max(1, min(rows, workers == 1 ? 1 : 4 * workers))
        var bandStart = [0]
        if nBands > 1 {
            var work = [Double](repeating: 0, count: rows)
            for r in 0..<rows {
                let k0 = max(0, r), k1 = min(nKeys, r + 2 * wr + 2)
                work[r] = Double(rowStart[k1] - rowStart[k0]) + Double(cols) / 64
            }
            let totalWork = work.reduce(0, +)
            var acc = 0.0
            for r in 0..<rows {
                acc += work[r]
                if bandStart.count < nBands, acc >= totalWork * Double(bandStart.count) / Double(nBands), r + 1 < rows {
                    bandStart.append(r + 1)
                }
            }
        }
        bandStart.append(rows)
        let bands = bandStart.count - 1
        let cxs = (0..<cols).map { g.originX + (Double($0) + 0.5) * s }
        let cys = (0..<rows).map { g.originY + (Double($0) + 0.5) * s }
        let params = StampParams(x0: g.originX, y0: g.originY, s: s, cols: cols, supp: supp, invQ: 1 / (R * R),
                                 qMax: kernel == .gaussian ? Kernel.gaussianTruncation * Kernel.gaussianTruncation : 1)
        out.withUnsafeMutableBufferPointer { ob in
            cxs.withUnsafeBufferPointer { cxb in cys.withUnsafeBufferPointer { cyb in
                let ptrs = StampPointers(pts: SharedReads(pts), cx: SharedReads(cxb), cy: SharedReads(cyb), out: DisjointWrites(ob))
                ParallelWork.forEach(bands) { [bandStart, rowStart] b in
                    let r0 = bandStart[b], r1 = bandStart[b + 1]
                    // Points whose kernel can reach rows [r0, r1): point rows in [r0 − wr − 1, r1 + wr] (key = row + wr + 1).
                    let k0 = max(0, r0), k1 = min(nKeys, r1 + 2 * wr + 2)
                    let range = rowStart[k0]..<rowStart[k1]
                    let capacity = 2 * wr + 12                 // ≥ window width + 3 extra columns
                    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * capacity)
                    defer { scratch.deallocate() }
                    switch kernel {
                    case .quartic: stamp(QuarticShape.self, ptrs, params, range, r0, r1, scratch)
                    case .triangular: stamp(TriangularShape.self, ptrs, params, range, r0, r1, scratch)
                    case .epanechnikov: stamp(EpanechnikovShape.self, ptrs, params, range, r0, r1, scratch)
                    case .triweight: stamp(TriweightShape.self, ptrs, params, range, r0, r1, scratch)
                    case .uniform: stamp(UniformShape.self, ptrs, params, range, r0, r1, scratch)
                    case .gaussian: stampGaussian(ptrs, params, range, r0, r1, scratch, capacity)
                    }
                }
            } }
        }
        return (out, used, weightSum)
    }

    /// A point ready for stamping: coordinates (m) and weight × normalising constant.
    struct StampPoint: Sendable { var x: Double, y: Double, w: Double }

    struct StampParams {
        let x0: Double, y0: Double, s: Double, cols: Int, supp: Double, invQ: Double, qMax: Double
    }

    /// What the bands share: the sorted points and cell centres (read-only) and the grid, of which band b
    /// writes only its rows [bandStart[b], bandStart[b + 1]).
    struct StampPointers: Sendable {
        let pts: SharedReads<StampPoint>
        let cx: SharedReads<Double>, cy: SharedReads<Double>
        let out: DisjointWrites<Double>
    }

    /// ⌊v⌋ and ⌈v⌉ without libm calls (baseline x86-64 has no SSE4.1 `roundsd`); |v| is far below 2⁶³ here.
    @inline(__always) static func ifloor(_ v: Double) -> Int { let i = Int(v); return Double(i) > v ? i &- 1 : i }
    @inline(__always) static func iceil(_ v: Double) -> Int { let i = Int(v); return Double(i) < v ? i &+ 1 : i }

    /// Cells c with |c − u| ≤ halfCells (u = the point's coordinate in cell units minus ½, so cell c's centre is at
    /// u = c), widened by 10⁻⁶ cell against rounding (|u| < 2²⁴ cells, so rounding errors are < 10⁻⁸ cell); cells
    /// outside the support evaluate to exactly 0, so a wider window never changes the result.
    @inline(__always)
    static func chord(_ u: Double, _ halfCells: Double, _ lo: Int, _ hi: Int) -> (Int, Int) {
        (max(lo, iceil(u - halfCells - 1e-6)), min(hi, ifloor(u + halfCells + 1e-6)))
    }

    /// Stamps the points of `range` on rows [r0, r1). Every row of a point's window uses the same column span (the
    /// square window, not the circle's chord): constant trip counts keep the branch predictor right, which measured
    /// about 2× faster than trimming each row to its chord; cells outside the support evaluate to exactly 0.
    /// The dx² table runs up to 3 columns past the window (inside the grid) so rows finish with whole 4-lane steps;
    /// the scalar tail only runs at the grid's east edge.
    @inline(__always)
    static func stamp<S: KernelShape>(_: S.Type, _ p: StampPointers, _ k: StampParams, _ range: Range<Int>,
                                      _ r0: Int, _ r1: Int, _ dx2: UnsafeMutablePointer<Double>) {
        let invQ = k.invQ
        let invS = 1 / k.s, suppCells = k.supp / k.s
        let cols = k.cols
        let invQv = SIMD4<Double>(repeating: invQ)
        for i in range {
            let pt = p.pts[i]
            let x = pt.x, y = pt.y, w = pt.w
            let uy = (y - k.y0) * invS - 0.5, ux = (x - k.x0) * invS - 0.5
            let (rLo, rHi) = chord(uy, suppCells, r0, r1 - 1)
            if rLo > rHi { continue }
            let (cLo, cHi) = chord(ux, suppCells, 0, cols - 1)
            if cLo > cHi { continue }
            let cTab = min(cHi + 3, cols - 1)
            for c in cLo...cTab { let dx = p.cx[c] - x; dx2[c - cLo] = dx * dx }
            let wv = SIMD4<Double>(repeating: w)
            let n = cHi - cLo + 1
            let nv = min((n + 3) & ~3, cols - cLo)
            let d = UnsafePointer(dx2)
            for r in rLo...rHi {
                let dy = p.cy[r] - y
                let dy2 = dy * dy
                let row = p.out.base + r * cols + cLo
                let dy2v = SIMD4<Double>(repeating: dy2)
                var t = 0
                // Same arithmetic for q as the scalar tail and `bruteForce`: (dy² + dx²) · (1/R²).
                while t + 4 <= nv {
                    let dv = UnsafeRawPointer(d + t).loadUnaligned(as: SIMD4<Double>.self)
                    let rp = UnsafeMutableRawPointer(row + t)
                    let acc = rp.loadUnaligned(as: SIMD4<Double>.self)
                    rp.storeBytes(of: acc + wv * S.value4((dy2v + dv) * invQv), as: SIMD4<Double>.self)
                    t += 4
                }
                while t < n {
                    row[t] += w * S.value((dy2 + d[t]) * invQ)
                    t += 1
                }
            }
        }
    }

    /// Gaussian: k = e^(−q/2) for q = d²/σ² ≤ 16, evaluated as e^(−dy²/2σ²)·e^(−dx²/2σ²) (one exp per row and column),
    /// over the square window like `stamp`.
    static func stampGaussian(_ p: StampPointers, _ k: StampParams, _ range: Range<Int>,
                              _ r0: Int, _ r1: Int, _ scratch: UnsafeMutablePointer<Double>, _ capacity: Int) {
        let invQ = k.invQ, qMax = k.qMax
        let invS = 1 / k.s, suppCells = k.supp / k.s
        let cols = k.cols
        let invQv = SIMD4<Double>(repeating: invQ), qMaxv = SIMD4<Double>(repeating: qMax)
        let dx2 = scratch, ex = scratch + capacity
        for i in range {
            let pt = p.pts[i]
            let x = pt.x, y = pt.y, w = pt.w
            let uy = (y - k.y0) * invS - 0.5, ux = (x - k.x0) * invS - 0.5
            let (rLo, rHi) = chord(uy, suppCells, r0, r1 - 1)
            if rLo > rHi { continue }
            let (cLo, cHi) = chord(ux, suppCells, 0, cols - 1)
            if cLo > cHi { continue }
            let cTab = min(cHi + 3, cols - 1)
            for c in cLo...cTab {
                let dx = p.cx[c] - x
                let d2 = dx * dx
                dx2[c - cLo] = d2
                ex[c - cLo] = exp(-0.5 * d2 * invQ)
            }
            let n = cHi - cLo + 1
            let nv = min((n + 3) & ~3, cols - cLo)
            let d = UnsafePointer(dx2), e = UnsafePointer(ex)
            for r in rLo...rHi {
                let dy = p.cy[r] - y
                let dy2 = dy * dy
                let wy = w * exp(-0.5 * dy2 * invQ)
                let row = p.out.base + r * cols + cLo
                let dy2v = SIMD4<Double>(repeating: dy2), wyv = SIMD4<Double>(repeating: wy)
                var t = 0
                while t + 4 <= nv {
                    let q = (dy2v + UnsafeRawPointer(d + t).loadUnaligned(as: SIMD4<Double>.self)) * invQv
                    let v = (wyv * UnsafeRawPointer(e + t).loadUnaligned(as: SIMD4<Double>.self))
                        .replacing(with: 0, where: q .> qMaxv)
                    let rp = UnsafeMutableRawPointer(row + t)
                    rp.storeBytes(of: rp.loadUnaligned(as: SIMD4<Double>.self) + v, as: SIMD4<Double>.self)
                    t += 4
                }
                while t < n {
                    let q = (dy2 + d[t]) * invQ
                    row[t] += q <= qMax ? wy * e[t] : 0
                    t += 1
                }
            }
        }
    }
}
