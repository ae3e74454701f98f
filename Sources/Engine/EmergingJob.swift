import Analysis
import Formats
import Foundation
import Localization
import Primitives
import SpatialCore
import Temporal

/// Emerging hot spot analysis on grid cells: a space-time cube of counts per cell per calendar
/// period, Gi* over space-time neighbourhoods, Benjamini–Hochberg per time step, Mann–Kendall on each
/// cell's z series and the 17 categories of `EmergingHotSpots`.
///
/// Steps are the **full** periods of the data window only: a period cut by the window (a 3-day final
/// week) is trimmed, its incidents left out and reported, so "the final step" of every category rule is
/// a whole period. The first `timeWindow` steps have truncated Gi* neighbourhoods and serve only as the
/// past of the next steps: z-scores, FDR and categories use the comparable steps
/// (`EmergingHotSpots.comparableSteps`). Steps of unequal length (months, quarters, years) enter Gi* as
/// counts scaled to the mean step length (`perMeanStep`).
public enum EmergingJob {
    /// Which grid cells are locations of the cube.
    public enum Cells: String, Sendable, CaseIterable {
        /// Every cell of the study area (default): empty cells count as zeros in Gi*'s mean and variance.
        case all
        /// Only cells with at least one incident in some step, as ArcGIS's space-time cube built from points
        /// without a mask; empty cells are neither locations nor neighbours.
        case withData = "with-data"
    }

    public struct Result: Sendable {
        /// The cube's time steps: full periods, oldest first.
        public let steps: [PeriodKey]
        /// Partial periods at the ends of the data window, trimmed (not steps).
        public let trimmed: [PeriodKey]
        /// Incidents inside the data window that fall in a trimmed period (left out of the cube).
        public let trimmedIncidents: Int
        /// Steps before this index only fill later neighbourhoods (z and p are NaN there).
        public let firstComparableStep: Int
        /// The data window [from, to), seconds (civil time as UTC).
        public let dataFrom: Int64, dataTo: Int64
        public let cells: [Int]                 // grid cell index of each location
        public let counts: [[Double]]           // [step][location]
        /// [step][location]; NaN for the steps before `firstComparableStep`.
        public let z: [[Double]], pFDR: [[Double]]
        public let categories: [EmergingCategory]
        public let trends: [MannKendallResult]
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case noDates
        case tooFewSteps(full: Int, warmUp: Int, partial: Int)
        public var description: String {
            switch self {
            case .noDates: return tr("los incidentes no tienen fechas", "the incidents have no dates")
            case let .tooFewSteps(full, warmUp, partial):
                return tr("el análisis de puntos calientes emergentes necesita al menos 3 pasos comparables: la ventana "
                    + "tiene \(full) periodos completos (parciales descartados: \(partial)) y los primeros "
                    + "\(min(warmUp, full)) solo completan la vecindad (--time-window \(warmUp))",
                          "emerging hot spot analysis needs at least 3 comparable steps: the window has \(full) full "
                    + "periods (partial ones dropped: \(partial)) and the first \(min(warmUp, full)) only fill the "
                    + "neighbourhood (--time-window \(warmUp))")
            }
        }
    }

    /// - Complexity: O(n + steps × cells × neighbourhood) plus O(cells × steps²) for Mann–Kendall.
    public static func run(points: AnalysisPoints, grid: AnalysisGrid, period: Period, timeWindow: Int,
                           cells cellChoice: Cells = .all) throws -> Result {
        guard let window = PeriodCalendar.dataWindow(times: points.times, from: points.filter.from, to: points.filter.to)
        else { throw Failure.noDates }
        let (steps, trimmed) = PeriodCalendar.split(from: window.from, to: window.to, period)
        let comparable = EmergingHotSpots.comparableSteps(count: steps.count, timeWindow: timeWindow)
        guard comparable.count >= 3 else {
            throw Failure.tooFewSteps(full: steps.count, warmUp: timeWindow, partial: trimmed.count)
        }
        let g = grid.grid
        // Counts per study-area cell and step; incidents of trimmed periods are counted apart.
        var cells = (0..<g.cellCount).filter { grid.mask[$0] }
        var location = [Int32](repeating: -1, count: g.cellCount)
        for (k, c) in cells.enumerated() { location[c] = Int32(k) }
        var counts = [[Double]](repeating: [Double](repeating: 0, count: cells.count), count: steps.count)
        var trimmedIncidents = 0
        for i in 0..<points.count where points.times[i] != Int64.min {
            let t = points.times[i]
            guard t >= window.from, t < window.to, let c = g.index(x: points.x[i], y: points.y[i]), location[c] >= 0 else { continue }
            // Steps are contiguous and sorted: binary search for the one holding t.
            var lo = 0, hi = steps.count
            while lo < hi { let mid = (lo + hi) / 2; if steps[mid].end <= t { lo = mid + 1 } else { hi = mid } }
            guard lo < steps.count, t >= steps[lo].start else { trimmedIncidents += 1; continue }
            counts[lo][Int(location[c])] += 1
        }
        var inCube = grid.mask
        if cellChoice == .withData {
            let keep = cells.indices.filter { k in counts.contains { $0[k] > 0 } }
            for k in cells.indices { inCube[cells[k]] = false }
            for k in keep { inCube[cells[k]] = true }
            counts = counts.map { row in keep.map { row[$0] } }
            cells = keep.map { cells[$0] }
            location = [Int32](repeating: -1, count: g.cellCount)
            for (k, c) in cells.enumerated() { location[c] = Int32(k) }
        }
        let queen = SpatialNeighbours.gridQueen(columns: g.columns, rows: g.rows, mask: inCube)
        let neighbours = cells.map { c in queen[c].compactMap { location[Int($0)] >= 0 ? location[Int($0)] : nil } }
        let (zAll, pAll) = EmergingHotSpots.spaceTimeGiStar(counts: perMeanStep(counts, steps: steps),
                                                             neighbours: neighbours, timeWindow: timeWindow)
        // Only the comparable steps are tested and classified (see `EmergingHotSpots`, *Comparable steps*).
        let zCmp = Array(zAll[comparable]), pFDRCmp = pAll[comparable].map { MultipleTesting.benjaminiHochberg($0) }
        let classes = EmergingHotSpots.classifyCube(z: zCmp, p: pFDRCmp, alpha: alpha)
        let warm = [[Double]](repeating: [Double](repeating: .nan, count: cells.count), count: comparable.lowerBound)
        return Result(steps: steps, trimmed: trimmed, trimmedIncidents: trimmedIncidents,
                      firstComparableStep: comparable.lowerBound, dataFrom: window.from, dataTo: window.to,
                      cells: cells, counts: counts, z: warm + zCmp, pFDR: warm + pFDRCmp,
                      categories: classes.map(\.category), trends: classes.map(\.trend))
    }

    /// The cube's values for Gi*: each step's counts scaled to the mean step length, count · (mean days / days).
    /// Months (28–31 days), quarters and years differ in length; with raw counts February's 10 % fewer days read
    /// as a fall and the next months as a rise, so on data with no trend Mann–Kendall found 2–5 times more
    /// intensifying than diminishing monthly hot spots. Weeks and 28-day blocks are returned unchanged.
    /// - Complexity: O(steps × locations).
    public static func perMeanStep(_ counts: [[Double]], steps: [PeriodKey]) -> [[Double]] {
        let days = steps.map { Double($0.end - $0.start) }
        guard let first = days.first, days.contains(where: { $0 != first }) else { return counts }
        let mean = days.reduce(0, +) / Double(days.count)
        return zip(counts, days).map { row, d in row.map { $0 * (mean / d) } }
    }

    /// Significance level of a bin (on Benjamini–Hochberg adjusted p-values).
    public static let alpha = 0.05

    /// Features (working CRS) of the cells with at least one incident. `category` is the Spanish name,
    /// `category_en` ArcGIS's English one.
    public static func features(_ r: Result, grid: AnalysisGrid) throws -> [PolygonFeature] {
        let kept = r.cells.indices.filter { k in r.counts.contains { $0[k] > 0 } }
        let last = r.steps.count - 1
        return kept.map { k in
            let shape = grid.cellSquare(r.cells[k])
            return PolygonFeature(geometry: shape, properties: [
                ("cell", .int(r.cells[k])), ("category", .string(r.categories[k].spanishName)),
                ("category_en", .string(r.categories[k].rawValue)),
                ("trend_z", .number(r.trends[k].z, decimals: 6)), ("trend_p", .number(r.trends[k].p, decimals: 6)),
                ("final_gi_z", .number(r.z[last][k], decimals: 6)), ("final_gi_p_fdr", .number(r.pFDR[last][k], decimals: 6)),
                ("hot_steps", .int(r.steps.indices.filter { r.pFDR[$0][k] < alpha && r.z[$0][k] > 0 }.count)),
                ("cold_steps", .int(r.steps.indices.filter { r.pFDR[$0][k] < alpha && r.z[$0][k] < 0 }.count)),
                // The series, one value per time step (labels in the provenance's "steps"); gi_z and gi_p_fdr
                // are null for the first time_window steps, which only fill later neighbourhoods.
                ("counts", .numbers(r.counts.map { $0[k] }, decimals: 0)),
                ("gi_z", .numbers(r.z.map { $0[k] }, decimals: 6)),
                ("gi_p_fdr", .numbers(r.pFDR.map { $0[k] }, decimals: 6)),
            ])
        }
    }
}
