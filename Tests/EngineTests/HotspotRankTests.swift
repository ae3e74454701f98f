import Analysis
import Formats
import Primitives
import SpatialCore
import Testing
@testable import Engine

/// `HotspotJob.rank` recounts each hotspot polygon's incidents with the exact locator, but only on the
/// points in or beside its cells: points on the polygon's edges and corners must still be counted
/// (a point on a polygon's boundary belongs to it, as GEOS says), points just outside must not.
@Suite struct HotspotRankTests {
    // A 6 × 5 grid of 100 m cells in EPSG:9377 over Bogotá; the hotspot is cells (2, 2) and (3, 2),
    // the rectangle x ∈ [x0 + 200, x0 + 400], y ∈ [y0 + 200, y0 + 300].
    let x0 = 4_880_000.0, y0 = 2_060_000.0, cell = 100.0

    @Test func edgePointsCountAndOutsidePointsDoNot() throws {
        let grid = Grid(originX: x0, originY: y0, cellSize: cell, columns: 6, rows: 5)
        var selected = [Bool](repeating: false, count: grid.cellCount)
        selected[2 * 6 + 2] = true; selected[2 * 6 + 3] = true
        let parts = CellDissolve.dissolve(originX: x0, originY: y0, cellSize: cell, columns: 6, rows: 5, selected: selected)
        #expect(parts.count == 1)
        let inside: [(Double, Double)] = [(250, 250), (350, 299.5)]
        let onBoundary: [(Double, Double)] = [
            (200, 250),   // west edge: its half-open cell (2, 2) is in the hotspot
            (400, 250),   // east edge: its half-open cell (4, 2) is not; the cell to its west is
            (300, 300),   // north edge, between the two cells
            (400, 300),   // north-east corner
            (200, 200),   // south-west corner
        ]
        let outside: [(Double, Double)] = [(400.001, 250), (150, 250), (300, 300.001), (450, 450)]
        let all = inside + onBoundary + outside
        let points = AnalysisPoints(origin: .store(path: "test", query: [:], stored: all.count),
                                    x: all.map { x0 + $0.0 }, y: all.map { y0 + $0.1 },
                                    times: all.map { _ in Int64.min }, storeCategories: nil, weights: nil,
                                    filter: IncidentFilter(), weightColumn: nil)
        let area = AnalysisGrid(grid: grid, mask: [Bool](repeating: true, count: grid.cellCount), crs: WorkingCRS.default,
                                areaDescription: "test", areaKm2: 0.3)
        let touched = try TouchedLayers(catalog: LayerCatalog(manifestPath: "", layers: [], searchPaths: []),
                                        crs: WorkingCRS.default, names: [])
        let ranked = try HotspotJob.rank(parts, grid: area, points: points, touched: touched, minIncidents: 0) { _ in [] }
        #expect(ranked.total == all.count)
        let incidents = ranked.features.first?.properties.first { $0.0 == "incidents" }?.1
        #expect(incidents == .int(inside.count + onBoundary.count))
    }
}
