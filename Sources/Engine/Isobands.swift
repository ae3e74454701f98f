import Analysis
import Formats
import Foundation
import Primitives
import SpatialCore

/// Density classes as polygons: quantile breaks over the positive cells of the study area, each
/// class's cells dissolved exactly into polygons by CellDissolve (EPSG:4326 for output).
struct Isobands {
    let breaks: [Double]          // classes + 1 values, ascending
    let polygons: [[Polygonal]]   // per class, working CRS
    let units: String
    let crs: String

    var breaksText: String { breaks.map { String(format: "%.6g", $0) }.joined(separator: ", ") }

    static func make(_ r: DensityResult, classes: Int) throws -> Isobands {
        let g = r.grid.grid
        let positive = r.surface.values.enumerated().compactMap { (k, v) in r.grid.mask[k] && v > 0 ? v : nil }.sorted()
        guard !positive.isEmpty, classes >= 1 else {
            return Isobands(breaks: [], polygons: [], units: r.surface.units.rawValue, crs: r.grid.crs)
        }
        var breaks = (0...classes).map { k -> Double in
            k == 0 ? positive[0] : positive[min(positive.count - 1, (positive.count * k) / classes)]
        }
        breaks[classes] = positive.last!
        var polygons: [[Polygonal]] = []
        for c in 0..<classes {
            let lo = breaks[c], hi = breaks[c + 1]
            let selected = r.surface.values.enumerated().map { (k, v) in
                r.grid.mask[k] && v >= lo && (c == classes - 1 ? v <= hi : v < hi)
            }
            polygons.append(try CellDissolve.polygons(originX: g.originX, originY: g.originY, cellSize: g.cellSize,
                                                      columns: g.columns, rows: g.rows, selected: selected))
        }
        return Isobands(breaks: breaks, polygons: polygons, units: r.surface.units.rawValue, crs: r.grid.crs)
    }

    func features() throws -> [PolygonFeature] {
        var out: [PolygonFeature] = []
        for (c, shapes) in polygons.enumerated() {
            for shape in shapes {
                out.append(PolygonFeature(geometry: shape, properties: [
                    ("class", .int(c + 1)), ("min", .number(breaks[c], decimals: 6)), ("max", .number(breaks[c + 1], decimals: 6)),
                    ("units", .string(units)),
                ]))
            }
        }
        return out
    }
}
