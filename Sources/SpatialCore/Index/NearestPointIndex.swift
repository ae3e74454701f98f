import Primitives
/// Exact nearest neighbour among a fixed set of points (planar Euclidean distance).
///
/// Two grids: a bucket grid (about two points per cell) searched in square rings, and a finer
/// candidate grid over the points' surroundings that lists, per cell, every point that can be the
/// nearest to some location in that cell: if c is the cell centre, h its half-diagonal and d_c the
/// distance from c to its nearest point, the nearest point to any q in the cell lies within
/// d_c + 2h of c. A query inside the candidate grid scans a handful of points; one outside it
/// falls back to the ring search. Ties go to the lowest point index, so results do not depend on
/// the search order.
/// - Complexity: build O(n + cells); a query is O(1) on average.
public struct NearestPointIndex: Sendable {
    private let originX: Double, originY: Double, cell: Double
    private let cols: Int, rows: Int
    private let cellStart: [Int32]      // CSR offsets, cols*rows + 1
    private let px: [Double], py: [Double], pid: [Int32]  // points in cell order
    public let count: Int
    private var candidates = CandidateGrid(empty: ())

    public init(x: [Double], y: [Double]) {
        precondition(x.count == y.count)
        count = x.count
        var e = Envelope.empty
        for i in 0..<x.count { e.expand(Point(x: x[i], y: y[i])) }
        if e.isEmpty { e = Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0) }
        // About two points per cell.
        let area = max(e.width * e.height, 1)
        let c = max((area / Double(max(count, 1)) * 2).squareRoot(), 1e-6)
        cell = c
        originX = e.minX; originY = e.minY
        cols = max(1, Int((e.width / c).rounded(.down)) + 1)
        rows = max(1, Int((e.height / c).rounded(.down)) + 1)
        var counts = [Int32](repeating: 0, count: cols * rows + 1)
        var cellOf = [Int](repeating: 0, count: count)
        for i in 0..<count {
            let cx = min(cols - 1, Int((x[i] - e.minX) / c)), cy = min(rows - 1, Int((y[i] - e.minY) / c))
            cellOf[i] = cy * cols + cx
            counts[cellOf[i] + 1] += 1
        }
        for k in 1..<counts.count { counts[k] += counts[k - 1] }
        var fillPos = counts
        var sx = [Double](repeating: 0, count: count), sy = sx, sid = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            let slot = Int(fillPos[cellOf[i]]); fillPos[cellOf[i]] += 1
            sx[slot] = x[i]; sy[slot] = y[i]; sid[slot] = Int32(i)
        }
        cellStart = counts; px = sx; py = sy; pid = sid
        if count > 0 { candidates = CandidateGrid(index: self, extent: e, bucketCell: c) }
    }

    // MARK: Persistent cache

    /// Writes the index for `LayerCache` (read back by `decode`).
    func encode(_ w: inout CacheWriter) {
        w.f64(originX); w.f64(originY); w.f64(cell); w.int(cols); w.int(rows); w.int(count)
        w.array(cellStart); w.array(px); w.array(py); w.array(pid)
        candidates.encode(&w)
    }

    /// An index `encode` wrote for `count` points, checked so that no query can go out of bounds.
    static func decode(_ r: inout CacheReader, count expected: Int) throws -> NearestPointIndex {
        let originX = try r.f64(), originY = try r.f64(), cell = try r.f64()
        let cols = try r.int(), rows = try r.int(), count = try r.int()
        let cellStart = try r.array(Int32.self), px = try r.array(Double.self), py = try r.array(Double.self), pid = try r.array(Int32.self)
        let candidates = try CandidateGrid.decode(&r, slots: count)
        guard count == expected, cell > 0, cols > 0, rows > 0, cols.multipliedReportingOverflow(by: rows) == (cellStart.count - 1, false),
              cellStart.first == 0, Int(cellStart.last!) == count, isNonDecreasing(cellStart),
              px.count == count, py.count == count, pid.count == count, pid.allSatisfy({ $0 >= 0 && Int($0) < count })
        else { throw CacheReader.Corrupt() }
        return NearestPointIndex(originX: originX, originY: originY, cell: cell, cols: cols, rows: rows, cellStart: cellStart,
                                 px: px, py: py, pid: pid, count: count, candidates: candidates)
    }

    private init(originX: Double, originY: Double, cell: Double, cols: Int, rows: Int, cellStart: [Int32],
                 px: [Double], py: [Double], pid: [Int32], count: Int, candidates: CandidateGrid) {
        self.originX = originX; self.originY = originY; self.cell = cell; self.cols = cols; self.rows = rows
        self.cellStart = cellStart; self.px = px; self.py = py; self.pid = pid; self.count = count
        self.candidates = candidates
    }

    /// Index of the nearest point and its distance; (-1, .infinity) when the index is empty.
    public func nearest(x: Double, y: Double) -> (index: Int32, distance: Double) {
        guard count > 0, x.isFinite, y.isFinite else { return (-1, .infinity) }
        if let r = candidates.nearest(x: x, y: y, px: px, py: py, pid: pid) { return r }
        return ringNearest(x: x, y: y)
    }

    /// All points within `radius` of (x, y), as slots of the cell-ordered arrays.
    fileprivate func slots(within radius: Double, of x: Double, y: Double) -> [Int32] {
        let c0 = max(0, Int(((x - radius - originX) / cell).rounded(.down))), c1 = min(cols - 1, Int(((x + radius - originX) / cell).rounded(.down)))
        let r0 = max(0, Int(((y - radius - originY) / cell).rounded(.down))), r1 = min(rows - 1, Int(((y + radius - originY) / cell).rounded(.down)))
        var out: [Int32] = []
        guard c0 <= c1, r0 <= r1 else { return out }
        let r2 = radius * radius
        for cy in r0...r1 {
            for j in Int(cellStart[cy * cols + c0])..<Int(cellStart[cy * cols + c1 + 1]) {
                let dx = px[j] - x, dy = py[j] - y
                if dx * dx + dy * dy <= r2 { out.append(Int32(j)) }
            }
        }
        return out
    }

    /// Ring search on the bucket grid: exact anywhere, used outside the candidate grid.
    fileprivate func ringNearest(x: Double, y: Double) -> (index: Int32, distance: Double) {
        let fx = ((x - originX) / cell).rounded(.down), fy = ((y - originY) / cell).rounded(.down)
        // Query cell, possibly outside the grid (kept in Double range to avoid overflow far away).
        let qx = Int(max(-1e9, min(1e9, fx))), qy = Int(max(-1e9, min(1e9, fy)))
        var best = (d2: Double.infinity, id: Int32(-1))
        // Start at the first ring that reaches the grid.
        let dxOut = max(0, -qx, qx - (cols - 1)), dyOut = max(0, -qy, qy - (rows - 1))
        var r = max(dxOut, dyOut)
        let maxR = max(qx, cols - 1 - qx, qy, rows - 1 - qy, r)
        while r <= maxR {
            // Cells of ring r and beyond are at least (r − 1)·cell away from the query.
            let bound = Double(r - 1) * cell
            if best.id >= 0, r > 0, best.d2 <= bound * bound { break }
            let x0 = max(0, qx - r), x1 = min(cols - 1, qx + r)
            if x0 <= x1 {
                if qy - r >= 0, qy - r < rows { scanRow(qy - r, x0, x1, x, y, &best) }
                if r > 0, qy + r >= 0, qy + r < rows { scanRow(qy + r, x0, x1, x, y, &best) }
            }
            let y0 = max(0, qy - r + 1), y1 = min(rows - 1, qy + r - 1)
            if y0 <= y1 {
                if qx - r >= 0, qx - r < cols { for cy in y0...y1 { scanRow(cy, qx - r, qx - r, x, y, &best) } }
                if r > 0, qx + r >= 0, qx + r < cols { for cy in y0...y1 { scanRow(cy, qx + r, qx + r, x, y, &best) } }
            }
            r += 1
        }
        let bestD2 = best.d2
        return (best.id, bestD2.squareRoot())
    }

    /// Scans cells cx0...cx1 of row cy (contiguous in the CSR layout).
    @inline(__always)
    private func scanRow(_ cy: Int, _ cx0: Int, _ cx1: Int, _ x: Double, _ y: Double, _ best: inout (d2: Double, id: Int32)) {
        var j = Int(cellStart[cy * cols + cx0])
        let end = Int(cellStart[cy * cols + cx1 + 1])
        while j < end {
            let dx = px[j] - x, dy = py[j] - y
            let d2 = dx * dx + dy * dy
            if d2 < best.d2 || (d2 == best.d2 && pid[j] < best.id) { best = (d2, pid[j]) }
            j += 1
        }
    }

    /// Bulk nearest on all cores.
    public func nearest(x: [Double], y: [Double]) -> (index: [Int32], distance: [Double]) {
        let n = x.count
        let idx = SharedBuffer<Int32>(repeating: -1, count: n), dist = SharedBuffer<Double>(repeating: .infinity, count: n)
        ParallelWork.forEachChunk(count: n, chunks: n < 10_000 ? 1 : ParallelWork.threadCount * 4) { _, range in
            for i in range {
                let r = nearest(x: x[i], y: y[i])
                idx[i] = r.index; dist[i] = r.distance
            }
        }
        return (idx.toArray(), dist.toArray())
    }
}

/// Per-cell candidate lists (see `NearestPointIndex`).
private struct CandidateGrid: Sendable {
    let originX: Double, originY: Double, cell: Double
    let cols: Int, rows: Int
    let start: [Int32]
    let slots: [Int32]

    init(empty: ()) { originX = 0; originY = 0; cell = 1; cols = 0; rows = 0; start = [0]; slots = [] }

    init(index: NearestPointIndex, extent e: Envelope, bucketCell: Double) {
        // A quarter of the bucket cell keeps lists short; the grid reaches a quarter of the
        // extent beyond the points, capped in size.
        var c = bucketCell / 4
        let margin = max(e.width, e.height) / 4 + bucketCell
        let w = e.width + 2 * margin, h = e.height + 2 * margin
        while (w / c) * (h / c) > 2_000_000 { c *= 1.5 }
        cell = c
        originX = e.minX - margin; originY = e.minY - margin
        cols = Int((w / c).rounded(.up)); rows = Int((h / c).rounded(.up))
        let halfDiagonal = c * 0.5 * 2.0.squareRoot()
        var start: [Int32] = [0], slots: [Int32] = []
        start.reserveCapacity(cols * rows + 1)
        for cy in 0..<rows {
            for cx in 0..<cols {
                let x = originX + (Double(cx) + 0.5) * c, y = originY + (Double(cy) + 0.5) * c
                let d = index.ringNearest(x: x, y: y).distance
                // A relative margin guards the bound against rounding.
                slots += index.slots(within: (d + 2 * halfDiagonal) * (1 + 1e-9) + 1e-6, of: x, y: y)
                start.append(Int32(slots.count))
            }
        }
        self.start = start
        self.slots = slots
    }

    func encode(_ w: inout CacheWriter) {
        w.f64(originX); w.f64(originY); w.f64(cell); w.int(cols); w.int(rows)
        w.array(start); w.array(slots)
    }

    /// A grid `encode` wrote over `slots` cell-ordered points.
    static func decode(_ r: inout CacheReader, slots count: Int) throws -> CandidateGrid {
        let originX = try r.f64(), originY = try r.f64(), cell = try r.f64()
        let cols = try r.int(), rows = try r.int()
        let start = try r.array(Int32.self), slots = try r.array(Int32.self)
        guard cell > 0, cols.multipliedReportingOverflow(by: rows) == (start.count - 1, false),
              start.first == 0, Int(start.last!) == slots.count, isNonDecreasing(start),
              slots.allSatisfy({ $0 >= 0 && Int($0) < count })
        else { throw CacheReader.Corrupt() }
        return CandidateGrid(originX: originX, originY: originY, cell: cell, cols: cols, rows: rows, start: start, slots: slots)
    }

    private init(originX: Double, originY: Double, cell: Double, cols: Int, rows: Int, start: [Int32], slots: [Int32]) {
        self.originX = originX; self.originY = originY; self.cell = cell; self.cols = cols; self.rows = rows
        self.start = start; self.slots = slots
    }

    @inline(__always)
    func nearest(x: Double, y: Double, px: [Double], py: [Double], pid: [Int32]) -> (index: Int32, distance: Double)? {
        let fx = (x - originX) / cell, fy = (y - originY) / cell
        guard fx >= 0, fy >= 0, fx < Double(cols), fy < Double(rows) else { return nil }
        let k = Int(fy) * cols + Int(fx)
        var bestD2 = Double.infinity, best: Int32 = -1
        for s in Int(start[k])..<Int(start[k + 1]) {
            let j = Int(slots[s])
            let dx = px[j] - x, dy = py[j] - y
            let d2 = dx * dx + dy * dy
            if d2 < bestD2 || (d2 == bestD2 && pid[j] < best) { bestD2 = d2; best = pid[j] }
        }
        return (best, bestD2.squareRoot())
    }
}

/// Whether CSR offsets never decrease (so every `start[k]..<start[k + 1]` is a valid range).
private func isNonDecreasing(_ a: [Int32]) -> Bool {
    a.withUnsafeBufferPointer { b in
        var ok = true
        for k in b.indices.dropFirst() { ok = ok && b[k - 1] <= b[k] }
        return ok
    }
}
