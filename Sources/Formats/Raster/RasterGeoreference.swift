/// Where a raster sits: lower-left corner, square cells, size, and its CRS.
/// Values handed to the writers are row-major with row 0 the SOUTH row (as analysis grids are);
/// writers flip to the north-up order that GeoTIFF and ESRI ASCII expect.
public struct RasterGeoreference: Sendable, Hashable, Codable {
    public var originX: Double
    public var originY: Double
    public var cellSize: Double
    public var columns: Int
    public var rows: Int
    /// e.g. "EPSG:9377".
    public var crs: String

    public init(originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int, crs: String) {
        self.originX = originX; self.originY = originY; self.cellSize = cellSize
        self.columns = columns; self.rows = rows; self.crs = crs
    }

    /// Upper edge of the raster.
    public var maxY: Double { originY + Double(rows) * cellSize }
    public var maxX: Double { originX + Double(columns) * cellSize }

    /// The EPSG code when `crs` is "EPSG:n".
    public var epsgCode: Int? {
        let parts = crs.uppercased().split(separator: ":")
        guard parts.count == 2, parts[0] == "EPSG" else { return nil }
        return Int(parts[1])
    }
}

/// NoData marker written for masked cells.
public let rasterNoData: Float = -9999
