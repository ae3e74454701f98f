import Analysis
import Formats
import Foundation
import Localization
import Primitives
import SpatialCore

public enum GridError: Error, CustomStringConvertible, Equatable {
    case tooManyCells(cells: Int, limit: Int, columns: Int, rows: Int, cellSize: Double, extremes: [String])
    case badCellSize(Double)
    case badBandwidth(Double)

    public var description: String {
        switch self {
        case let .tooManyCells(cells, limit, columns, rows, cell, extremes):
            var s = tr("la malla de \(columns) × \(rows) = \(cells) celdas de \(cell) m supera el límite de \(limit) (--max-cells)", "grid of \(columns) × \(rows) = \(cells) cells at \(cell) m exceeds the limit of \(limit) (--max-cells)")
            if !extremes.isEmpty { s += tr("; los puntos que más la estiran: ", "; the points that stretch it most: ") + extremes.joined(separator: "; ") }
            return s
        case let .badCellSize(v): return tr("el tamaño de celda debe ser un número positivo de metros; se recibió \(v)", "cell size must be a positive number of metres, got \(v)")
        case let .badBandwidth(v): return tr("la banda debe ser un número positivo de metros; se recibió \(v)", "bandwidth must be a positive number of metres, got \(v)")
        }
    }
}

/// The analysis grid over a study area, with its mask (cells whose centre lies in the area).
public struct AnalysisGrid: Sendable {
    public let grid: Grid
    public let mask: [Bool]
    public let crs: String
    /// What outputs record, e.g. "localidades:01,…,19 (sin Sumapaz)".
    public let areaDescription: String
    public let areaKm2: Double
    public let cellsInArea: Int
    /// The layer the study area was cut from (none for `--area points`), for provenance.
    public let layers: [Provenance.LayerUsed]

    init(grid: Grid, mask: [Bool], crs: String, areaDescription: String, areaKm2: Double, layers: [Provenance.LayerUsed] = []) {
        self.grid = grid; self.mask = mask; self.crs = crs
        self.areaDescription = areaDescription; self.areaKm2 = areaKm2; self.layers = layers
        cellsInArea = mask.lazy.filter { $0 }.count
    }

    /// The conventions every grid output follows (DOMAIN.md §3), recorded in its provenance `rules`.
    public static let rules: [String: String] = [
        "grid_alignment": "origin at multiples of the cell size, so grids of different runs overlay exactly",
        "cells": "half-open [x0, x0 + cell) × [y0, y0 + cell): a point on a shared edge belongs to exactly one cell",
        "study_area": "a cell belongs to the study area when its centre lies in it (exact point in polygon); other cells are NoData",
        "incidents_counted": "an incident counts when its cell belongs to the study area",
        "polygons_from_cells": "cells dissolved exactly on integer grid coordinates: cells sharing an edge are one polygon, cells touching only at a corner are separate",
    ]

    /// Aligned grid covering the study area; cells whose centre is outside the area are masked.
    public static func make(area: StudyArea, cellSize: Double, maxCells: Int) throws -> AnalysisGrid {
        guard cellSize.isFinite, cellSize > 0 else { throw GridError.badCellSize(cellSize) }
        let e = area.envelope
        let grid = Grid.aligned(covering: (e.minX, e.minY, e.maxX, e.maxY), cellSize: cellSize, crs: area.layer.crs)
        guard grid.cellCount <= maxCells else {
            throw GridError.tooManyCells(cells: grid.cellCount, limit: maxCells, columns: grid.columns, rows: grid.rows,
                                         cellSize: cellSize, extremes: [])
        }
        let mask = try area.containsCellCentres(originX: grid.originX, originY: grid.originY, cellSize: grid.cellSize,
                                                columns: grid.columns, rows: grid.rows)
        return AnalysisGrid(grid: grid, mask: mask, crs: area.layer.crs,
                            areaDescription: area.description, areaKm2: area.areaKm2, layers: [Provenance.LayerUsed(area.layer)])
    }

    /// Grid over the points' own extent (`--area points`, as ArcGIS and QGIS do by default). One stray
    /// point (Null Island, swapped lat/lon) can blow such a grid up: over `maxCells` the error names the
    /// points farthest from the median centre, with their line numbers.
    public static func make(points: AnalysisPoints, cellSize: Double, maxCells: Int, crs: String) throws -> AnalysisGrid {
        guard cellSize.isFinite, cellSize > 0 else { throw GridError.badCellSize(cellSize) }
        var e = Envelope.empty
        for i in 0..<points.count { e.expand(Point(x: points.x[i], y: points.y[i])) }
        let grid = Grid.aligned(covering: (e.minX, e.minY, e.maxX, e.maxY), cellSize: cellSize, crs: crs)
        guard grid.cellCount <= maxCells else {
            let mx = median(points.x), my = median(points.y)
            let far = points.x.indices.sorted {
                hypot(points.x[$0] - mx, points.y[$0] - my) > hypot(points.x[$1] - mx, points.y[$1] - my)
            }.prefix(5)
            let names = far.map { k in
                points.describe(k) + tr(", a \(Int(hypot(points.x[k] - mx, points.y[k] - my) / 1000)) km del centro mediano", ", \(Int(hypot(points.x[k] - mx, points.y[k] - my) / 1000)) km from the median centre")
            }
            throw GridError.tooManyCells(cells: grid.cellCount, limit: maxCells, columns: grid.columns, rows: grid.rows,
                                         cellSize: cellSize, extremes: names)
        }
        let km2 = Double(grid.cellCount) * grid.cellArea / 1e6
        return AnalysisGrid(grid: grid, mask: Array(repeating: true, count: grid.cellCount), crs: crs,
                            areaDescription: "points: extent of the incidents", areaKm2: km2)
    }

    /// Cell k (row-major, row 0 south) as a square polygon in the working CRS; corners mapped as the
    /// dissolved polygons' vertices are, so neighbouring cells share their edges exactly.
    public func cellSquare(_ k: Int) -> Polygonal {
        CellDissolve.square(originX: grid.originX, originY: grid.originY, cellSize: grid.cellSize,
                            column: k % grid.columns, row: k / grid.columns)
    }

    /// Whether each point lies in a study-area cell (its cell under the half-open rule is unmasked).
    public func inArea(_ points: AnalysisPoints) -> [Bool] {
        let n = points.count
        guard n > 0 else { return [] }
        return [Bool](unsafeUninitializedCapacity: n) { out, initialized in
            // Independent per point: split over the cores (a million points on every density/hotspots run);
            // each worker writes its own range (Bool is trivial, so assigning initializes).
            let flags = DisjointWrites(out)
            ParallelWork.forEachChunk(count: n, chunks: n < 65_536 ? 1 : ParallelWork.threadCount) { _, range in
                for i in range {
                    flags[i] = grid.index(x: points.x[i], y: points.y[i]).map { mask[$0] } ?? false
                }
            }
            initialized = n
        }
    }

    /// The incidents in the study area; none is an error naming where the points are (a map of zeros
    /// from another city's file would otherwise look like a valid result).
    @discardableResult
    public func requireIncidents(_ points: AnalysisPoints) throws -> Int {
        let n = inArea(points).lazy.filter { $0 }.count
        guard n > 0, points.count > 0 else {
            let e = try points.lonLatExtent(workCRS: crs)
            throw AnalysisInputError.noneInStudyArea(incidents: points.count, area: areaDescription,
                                                     lonMin: e.minX, lonMax: e.maxX, latMin: e.minY, latMax: e.maxY)
        }
        return n
    }

    public var record: Provenance.GridRecord {
        Provenance.GridRecord(crs: crs, originX: grid.originX, originY: grid.originY, cellSize: grid.cellSize,
                              columns: grid.columns, rows: grid.rows, cellsInStudyArea: cellsInArea,
                              studyArea: areaDescription, studyAreaKm2: areaKm2)
    }
}

func median(_ v: [Double]) -> Double {
    guard !v.isEmpty else { return .nan }
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
