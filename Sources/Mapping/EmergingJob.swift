import Analysis
import Export
import Foundation
import SpatialCore
import Temporal

/// Emerging hot spot analysis on grid cells: a space-time cube of counts per cell per calendar
/// period, Gi* over space-time neighbourhoods, Benjamini–Hochberg per time step, Mann–Kendall on each
/// cell's z series and the 17 categories of `EmergingHotSpots`.
public enum EmergingJob {
    public struct Result: Sendable {
        public let steps: [PeriodKey]
        public let cells: [Int]                 // grid cell index of each location
        public let counts: [[Double]]           // [step][location]
        public let z: [[Double]], pFDR: [[Double]]
        public let categories: [EmergingCategory]
        public let trends: [MannKendallResult]
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case noDates
        case tooFewSteps(Int)
        public var description: String {
            switch self {
            case .noDates: return "the incidents have no dates"
            case let .tooFewSteps(n): return "emerging hot spots need at least 3 time steps; the window gives \(n)"
            }
        }
    }

    /// - Complexity: O(n + steps × cells × neighbourhood) plus O(cells × steps²) for Mann–Kendall.
    public static func run(points: AnalysisPoints, grid: AnalysisGrid, period: Period, timeWindow: Int) throws -> Result {
        let known = points.times.filter { $0 != Int64.min }
        guard let first = known.min(), let last = known.max() else { throw Failure.noDates }
        let from = points.filter.from ?? first, to = points.filter.to ?? last + 1
        let steps = PeriodCalendar.periods(from: from, to: to, period)
        guard steps.count >= 3 else { throw Failure.tooFewSteps(steps.count) }
        let g = grid.grid
        let cells = (0..<g.cellCount).filter { grid.mask[$0] }
        var location = [Int32](repeating: -1, count: g.cellCount)
        for (k, c) in cells.enumerated() { location[c] = Int32(k) }
        var counts = [[Double]](repeating: [Double](repeating: 0, count: cells.count), count: steps.count)
        for i in 0..<points.count where points.times[i] != Int64.min {
            guard let c = g.index(x: points.x[i], y: points.y[i]), location[c] >= 0 else { continue }
            let t = points.times[i]
            // Steps are contiguous and sorted: binary search for the one holding t.
            var lo = 0, hi = steps.count
            while lo < hi { let mid = (lo + hi) / 2; if steps[mid].end <= t { lo = mid + 1 } else { hi = mid } }
            guard lo < steps.count, t >= steps[lo].start else { continue }
            counts[lo][Int(location[c])] += 1
        }
        let queen = SpatialNeighbours.gridQueen(columns: g.columns, rows: g.rows, mask: grid.mask)
        let neighbours = cells.map { c in queen[c].compactMap { location[Int($0)] >= 0 ? location[Int($0)] : nil } }
        let (z, p) = EmergingHotSpots.spaceTimeGiStar(counts: counts, neighbours: neighbours, timeWindow: timeWindow)
        let pFDR = p.map { MultipleTesting.benjaminiHochberg($0) }
        let classes = EmergingHotSpots.classifyCube(z: z, p: pFDR, alpha: alpha)
        return Result(steps: steps, cells: cells, counts: counts, z: z, pFDR: pFDR,
                      categories: classes.map(\.category), trends: classes.map(\.trend))
    }

    /// Significance level of a bin (on Benjamini–Hochberg adjusted p-values).
    public static let alpha = 0.05

    /// GeoJSON features (EPSG:4326) of the cells with at least one incident.
    public static func features(_ r: Result, grid: AnalysisGrid) throws -> [PolygonFeature] {
        let kept = r.cells.indices.filter { k in r.counts.contains { $0[k] > 0 } }
        let last = r.steps.count - 1
        let lonlat = try Polygonal.project(kept.map { grid.cellSquare(r.cells[$0]) }, from: grid.crs, to: WorkingCRS.geographic)
        return zip(lonlat, kept).map { shape, k in
            PolygonFeature(geometry: shape, properties: [
                ("cell", .int(r.cells[k])), ("category", .string(r.categories[k].rawValue)),
                ("trend_z", .number(r.trends[k].z, decimals: 6)), ("trend_p", .number(r.trends[k].p, decimals: 6)),
                ("final_gi_z", .number(r.z[last][k], decimals: 6)), ("final_gi_p_fdr", .number(r.pFDR[last][k], decimals: 6)),
                ("hot_steps", .int(r.steps.indices.filter { r.pFDR[$0][k] < alpha && r.z[$0][k] > 0 }.count)),
                ("cold_steps", .int(r.steps.indices.filter { r.pFDR[$0][k] < alpha && r.z[$0][k] < 0 }.count)),
                // The series, one value per time step (labels in the provenance's "steps").
                ("counts", .numbers(r.counts.map { $0[k] }, decimals: 0)),
                ("gi_z", .numbers(r.z.map { $0[k] }, decimals: 6)),
                ("gi_p_fdr", .numbers(r.pFDR.map { $0[k] }, decimals: 6)),
            ])
        }
    }
}
