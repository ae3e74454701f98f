/// Exact nearest neighbour among a fixed set of points (planar Euclidean distance), by a uniform
/// bucket grid searched in square rings around the query cell.
///
/// Ties go to the lowest point index, so results do not depend on the search order.
/// - Complexity: build O(n); a query visits O(1) cells on average for queries near the points.
public struct NearestPointIndex: Sendable {
    private let originX: Double, originY: Double, cell: Double
    private let cols: Int, rows: Int
    private let cellStart: [Int32]      // CSR offsets, cols*rows + 1
    private let px: [Double], py: [Double], pid: [Int32]  // points in cell order
    public let count: Int

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
    }

    /// Index of the nearest point and its distance; (-1, .infinity) when the index is empty.
    public func nearest(x: Double, y: Double) -> (index: Int32, distance: Double) {
        guard count > 0, x.isFinite, y.isFinite else { return (-1, .infinity) }
        let fx = ((x - originX) / cell).rounded(.down), fy = ((y - originY) / cell).rounded(.down)
        // Query cell, possibly outside the grid (kept in Double range to avoid overflow far away).
        let qx = Int(max(-1e9, min(1e9, fx))), qy = Int(max(-1e9, min(1e9, fy)))
        var bestD2 = Double.infinity, best: Int32 = -1
        // Start at the first ring that reaches the grid.
        let dxOut = max(0, -qx, qx - (cols - 1)), dyOut = max(0, -qy, qy - (rows - 1))
        var r = max(dxOut, dyOut)
        let maxR = max(qx, cols - 1 - qx, qy, rows - 1 - qy, r)
        @inline(__always) func scan(_ cx: Int, _ cy: Int) {
            let k = cy * cols + cx
            var j = Int(cellStart[k])
            let end = Int(cellStart[k + 1])
            while j < end {
                let dx = px[j] - x, dy = py[j] - y
                let d2 = dx * dx + dy * dy
                if d2 < bestD2 || (d2 == bestD2 && pid[j] < best) { bestD2 = d2; best = pid[j] }
                j += 1
            }
        }
        while r <= maxR {
            // Cells of ring r and beyond are at least (r − 1)·cell away from the query.
            let bound = Double(r - 1) * cell
            if best >= 0, r > 0, bestD2 <= bound * bound { break }
            let x0 = max(0, qx - r), x1 = min(cols - 1, qx + r)
            if x0 <= x1 {
                if qy - r >= 0, qy - r < rows { for cx in x0...x1 { scan(cx, qy - r) } }
                if r > 0, qy + r >= 0, qy + r < rows { for cx in x0...x1 { scan(cx, qy + r) } }
            }
            let y0 = max(0, qy - r + 1), y1 = min(rows - 1, qy + r - 1)
            if y0 <= y1 {
                if qx - r >= 0, qx - r < cols { for cy in y0...y1 { scan(qx - r, cy) } }
                if r > 0, qx + r >= 0, qx + r < cols { for cy in y0...y1 { scan(qx + r, cy) } }
            }
            r += 1
        }
        return (best, bestD2.squareRoot())
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
