import Foundation

/// A regular raster in a planar CRS (metres, EPSG:9377 by default).
///
/// Cell `(column c, row r)` is the half-open square
/// `[originX + c·s, originX + (c+1)·s) × [originY + r·s, originY + (r+1)·s)` with `s = cellSize`,
/// so a point on a shared edge belongs to exactly one cell (the one to its east / north).
/// **Row 0 is the southern row** (y increases with the row index); arrays over a grid are row-major,
/// index = `row · columns + column`, starting with the south-west cell. (Rasters written top-down, such as
/// ESRI ASCII grids, must flip the rows.)
public struct Grid: Sendable, Hashable, Codable {
    /// Lower-left (south-west) corner of the grid, map units (m).
    public let originX: Double
    /// Lower-left (south-west) corner of the grid, map units (m).
    public let originY: Double
    /// Side of a square cell, map units (m).
    public let cellSize: Double
    /// Number of cells west → east.
    public let columns: Int
    /// Number of cells south → north.
    public let rows: Int
    /// The CRS of the coordinates, e.g. "EPSG:9377" (metres).
    public let crs: String

    /// A grid with an explicit origin. `cellSize` must be finite and > 0, `columns` and `rows` ≥ 0.
    public init(originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int, crs: String = WorkingCRS.default) {
        precondition(cellSize.isFinite && cellSize > 0, "cellSize must be finite and > 0")
        precondition(columns >= 0 && rows >= 0, "columns and rows must be >= 0")
        self.originX = originX
        self.originY = originY
        self.cellSize = cellSize
        self.columns = columns
        self.rows = rows
        self.crs = crs
    }

    /// The smallest grid whose origin is aligned to multiples of `cellSize` and that contains every point of the
    /// closed box `covering` under the half-open cell rule.
    ///
    /// origin = ⌊min/s⌋·s, end = ⌈max/s⌉·s; when `max` lies exactly on a cell edge one more cell is added, so the
    /// point at `max` (which belongs to the cell to its east/north) is still inside. A degenerate box gets one cell.
    /// Aligned origins let grids from different runs overlay exactly.
    /// - Complexity: O(1). Does not guard against huge grids: check `cellCount` before allocating surfaces
    ///   (one stray point at (0, 0) can make billions of cells).
    public static func aligned(covering box: (minX: Double, minY: Double, maxX: Double, maxY: Double),
                               cellSize s: Double, crs: String = WorkingCRS.default) -> Grid {
        precondition(s.isFinite && s > 0, "cellSize must be finite and > 0")
        precondition(box.minX.isFinite && box.minY.isFinite && box.maxX.isFinite && box.maxY.isFinite
                     && box.minX <= box.maxX && box.minY <= box.maxY, "box must be finite with min <= max")
        func axis(_ lo: Double, _ hi: Double) -> (Double, Int) {
            var origin = (lo / s).rounded(.down) * s
            if origin > lo { origin -= s }
            var end = (hi / s).rounded(.up) * s
            if end < hi { end += s }
            var n = Int(((end - origin) / s).rounded())
            // The cell holding `hi` under the half-open rule must exist (also covers hi exactly on an edge).
            let last = Int(((hi - origin) / s).rounded(.down))
            if last >= n { n = last + 1 }
            return (origin, max(n, 1))
        }
        let (ox, nc) = axis(box.minX, box.maxX)
        let (oy, nr) = axis(box.minY, box.maxY)
        return Grid(originX: ox, originY: oy, cellSize: s, columns: nc, rows: nr, crs: crs)
    }

    /// The cell containing `(x, y)` under the half-open rule, or `nil` when the point is outside the grid or not finite.
    /// - Complexity: O(1).
    @inlinable
    public func cell(x: Double, y: Double) -> (column: Int, row: Int)? {
        let fc = ((x - originX) / cellSize).rounded(.down)
        let fr = ((y - originY) / cellSize).rounded(.down)
        guard fc >= 0, fr >= 0, fc < Double(columns), fr < Double(rows) else { return nil }  // also rejects NaN
        return (Int(fc), Int(fr))
    }

    /// Row-major index (`row · columns + column`) of the cell containing `(x, y)`, or `nil` outside.
    /// - Complexity: O(1).
    @inlinable
    public func index(x: Double, y: Double) -> Int? {
        guard let c = cell(x: x, y: y) else { return nil }
        return c.row * columns + c.column
    }

    /// Centre of a cell: (originX + (c + ½)·s, originY + (r + ½)·s), map units.
    /// - Complexity: O(1).
    @inlinable
    public func centre(column: Int, row: Int) -> (x: Double, y: Double) {
        (originX + (Double(column) + 0.5) * cellSize, originY + (Double(row) + 0.5) * cellSize)
    }

    /// columns × rows.
    public var cellCount: Int { columns * rows }
    /// s², square map units (m²) per cell.
    public var cellArea: Double { cellSize * cellSize }
    /// Upper-right (north-east) corner: origin + (columns, rows)·s.
    public var maxX: Double { originX + Double(columns) * cellSize }
    /// Upper-right (north-east) corner: origin + (columns, rows)·s.
    public var maxY: Double { originY + Double(rows) * cellSize }

    /// The EPSG code when `crs` is "EPSG:n" (GeoTIFF keys, GeoPackage srs_id).
    public var epsgCode: Int? {
        let parts = crs.uppercased().split(separator: ":")
        guard parts.count == 2, parts[0] == "EPSG" else { return nil }
        return Int(parts[1])
    }
}
