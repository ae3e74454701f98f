import Foundation
import Primitives
import Incidents

/// ESRI ASCII grid (`.asc`) with its `.prj` (ESRI WKT from PROJ), as QGIS and ArcGIS read it.
public enum AsciiGridWriter {
    /// - Parameters: `values` row-major, row 0 = south; NaN → NODATA_value. `prjWKT`: the CRS as ESRI WKT.
    public static func write(values: [Float], grid g: Grid, prjWKT: String, to path: String) throws {
        var out = "ncols \(g.columns)\nnrows \(g.rows)\nxllcorner \(g.originX)\nyllcorner \(g.originY)\ncellsize \(g.cellSize)\nNODATA_value \(Int(rasterNoData))\n"
        var bytes = Array(out.utf8)
        out = ""
        bytes.reserveCapacity(g.columns * g.rows * 10)
        for r in stride(from: g.rows - 1, through: 0, by: -1) {
            for c in 0..<g.columns {
                if c > 0 { bytes.append(32) }
                let v = values[r * g.columns + c]
                // %g-style shortest text that reads back to the same float.
                bytes += Array((v.isNaN ? "\(Int(rasterNoData))" : v == 0 ? "0" : "\(v)").utf8)
            }
            bytes.append(10)
        }
        let prj = (path as NSString).deletingPathExtension + ".prj"
        try AtomicFile.write(bytes, to: path)
        try AtomicFile.write(Array(prjWKT.utf8), to: prj)
    }
}
