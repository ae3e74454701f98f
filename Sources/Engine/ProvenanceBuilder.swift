import Formats
import Foundation

extension AnalysisPoints {
    /// The one provenance builder of the commands that analyse incidents (density, hotspots, trends,
    /// emerging, nearrepeat): where these incidents came from and how many were read, kept and rejected;
    /// the grid when there is one; the layers and rules used; and the analysis record, to which the
    /// time/category filters are added (`filter_*` keys).
    func provenance(command: String, crs: String, grid: AnalysisGrid? = nil, layers: [Provenance.LayerUsed],
                    rules: [String: String] = [:], analysis: [String: String]) -> Provenance {
        let (input, counts) = provenanceInput()
        var p = Provenance(command: command, crs: crs, input: input, counts: counts, layers: layers, rules: rules)
        p.grid = grid?.record
        p.analysis = analysis.merging(filter.analysisRecord) { $1 }
        return p
    }
}
