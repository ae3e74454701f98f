import Foundation

/// Binary neighbour lists (no self, ascending indices) for the local statistics.
public enum SpatialNeighbours {
    /// Queen contiguity on a grid (the 8 surrounding cells). Index = row · columns + column (row 0 south).
    /// Masked cells (`mask[i] == false`) get an empty list and appear in no list.
    /// - Complexity: O(cells).
    public static func gridQueen(columns: Int, rows: Int, mask: [Bool]?) -> [[Int32]] {
        grid(columns: columns, rows: rows, mask: mask, rook: false)
    }

    /// Rook contiguity on a grid (the 4 cells sharing an edge); otherwise as `gridQueen`.
    /// - Complexity: O(cells).
    public static func gridRook(columns: Int, rows: Int, mask: [Bool]?) -> [[Int32]] {
        grid(columns: columns, rows: rows, mask: mask, rook: true)
    }

    static func grid(columns: Int, rows: Int, mask: [Bool]?, rook: Bool) -> [[Int32]] {
        precondition(mask == nil || mask!.count == columns * rows, "mask must have columns × rows entries")
        var out = [[Int32]](repeating: [], count: columns * rows)
        for r in 0..<rows {
            for c in 0..<columns {
                let i = r * columns + c
                if let mask, !mask[i] { continue }
                var list = [Int32]()
                list.reserveCapacity(8)
                for dr in -1...1 {
                    let rr = r + dr
                    guard rr >= 0, rr < rows else { continue }
                    for dc in -1...1 where (dr != 0 || dc != 0) && (!rook || dr == 0 || dc == 0) {
                        let cc = c + dc
                        guard cc >= 0, cc < columns else { continue }
                        let j = rr * columns + cc
                        if let mask, !mask[j] { continue }
                        list.append(Int32(j))
                    }
                }
                out[i] = list
            }
        }
        return out
    }

    /// Distance band: j is a neighbour of i when ‖pᵢ − pⱼ‖ ≤ `distance` (inclusive, as libpysal `DistanceBand`),
    /// i ≠ j. Points with a non-finite coordinate have no neighbours. Uses a bucket grid of side `distance`.
    /// - Complexity: O(n + pairs examined) expected, i.e. O(n · density · distance²).
    public static func distanceBand(x: [Double], y: [Double], distance: Double) -> [[Int32]] {
        precondition(x.count == y.count, "x and y must have the same count")
        precondition(distance >= 0 && distance.isFinite, "distance must be finite and >= 0")
        let n = x.count
        var out = [[Int32]](repeating: [], count: n)
        var minX = Double.infinity, minY = Double.infinity
        for i in 0..<n where x[i].isFinite && y[i].isFinite { minX = min(minX, x[i]); minY = min(minY, y[i]) }
        guard minX.isFinite else { return out }
        let side = distance > 0 ? distance : 1
        let d2max = distance * distance
        var buckets = [Int64: [Int32]]()
        @inline(__always) func key(_ bx: Int, _ by: Int) -> Int64 { Int64(bx) << 32 ^ Int64(by & 0xFFFF_FFFF) }
        var bxs = [Int](repeating: 0, count: n), bys = bxs
        for i in 0..<n where x[i].isFinite && y[i].isFinite {
            bxs[i] = Int(((x[i] - minX) / side).rounded(.down))
            bys[i] = Int(((y[i] - minY) / side).rounded(.down))
            buckets[key(bxs[i], bys[i]), default: []].append(Int32(i))
        }
        for i in 0..<n where x[i].isFinite && y[i].isFinite {
            var list = [Int32]()
            for dbx in -1...1 {
                for dby in -1...1 {
                    guard let b = buckets[key(bxs[i] + dbx, bys[i] + dby)] else { continue }
                    for j in b where Int(j) != i {
                        let dx = x[i] - x[Int(j)], dy = y[i] - y[Int(j)]
                        if dx * dx + dy * dy <= d2max { list.append(j) }
                    }
                }
            }
            list.sort()
            out[i] = list
        }
        return out
    }
}
