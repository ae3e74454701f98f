import ArgumentParser
import Export
import Foundation
import Incidents
import Mapping
import Temporal

extension KnoxMetric: ExpressibleByArgument {}

struct NearRepeatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nearrepeat",
        abstract: "Knox test for near-repeat victimisation over space × time bands, with seeded Monte Carlo.",
        discussion: """
        Counts pairs of incidents per distance band × time band (half-open intervals [a, b) in metres \
        and days; --metric euclidean or manhattan, |dx| + |dy|), compares them with --iterations \
        permutations of the dates (seeded), and reports Knox ratios (observed / mean permuted) and \
        p = (permutations ≥ observed + 1)/(iterations + 1), plus a plain-language Spanish summary.

        --nrc-compatible tabulates the Near Repeat Calculator's bands so that its report can be compared \
        line by line. The calculator labels a band "a to b" but counts [a − 1, b) (except "1 to w", \
        which leaves [0, 1) to "Same location"): its rows "Same location", "1 to 100", "101 to 200", \
        …, "More than 300" hold [0, 1), [1, 100), [100, 200), …, \
        [300, ∞) m and its columns "0 to 7", "8 to 14", …, "More than 28" hold [0, 7), [7, 14), …, \
        [28, ∞) days. With --distances 0,100,200,300 and --days 0,7,14,21,28 this command prints exactly \
        those rows and columns: the user's half-open bands (both lists must start at 0), a same-location \
        row [0, 1) split off the first distance band, and the open "More than" row and column, which \
        take every other pair. Each row and column shows its interval and the calculator's label.
        """
    )

    @OptionGroup var source: TimeInput
    @Option(help: ArgumentHelp("Distance band edges in metres.", valueName: "m,m,…")) var distances: String = "0,100,200,300,400,500"
    @Option(help: ArgumentHelp("Time band edges in days.", valueName: "d,d,…")) var days: String = "0,7,14,21,28"
    @Option(help: "Monte Carlo permutations.") var iterations: Int = 999
    @Option(help: "Random seed.") var seed: UInt64 = 2026
    @Flag(help: "Tabulate the Near Repeat Calculator's bands (same location, open \"More than\" row and column).") var nrcCompatible = false
    @Option(help: "Distance between incidents.") var metric: KnoxMetric = .euclidean
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the result as JSON (provenance beside it in <output-stem>.provenance.json).", valueName: "path")) var output: String?
    @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false

    func edges(_ text: String, _ name: String) throws -> [Double] {
        let v = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count >= 2, v.count == text.split(separator: ",").count, zip(v, v.dropFirst()).allSatisfy({ $0 < $1 }), v[0] >= 0 else {
            throw ValidationError("--\(name) needs at least two increasing, non-negative numbers, e.g. 0,100,200")
        }
        return v
    }

    func knoxBands() throws -> KnoxBands {
        let b = KnoxBands(distances: try edges(distances, "distances"), days: try edges(days, "days"),
                          nrcCompatible: nrcCompatible, metric: metric)
        if b.nrcCompatible && (b.distances[0] != 0 || b.days[0] != 0) {
            throw ValidationError("--nrc-compatible needs --distances and --days starting at 0, e.g. 0,100,200 and 0,7,14")
        }
        if b.nrcCompatible && b.distances[1] < 1 {
            throw ValidationError("--nrc-compatible needs a first distance band of at least 1 m (the same-location band is [0, 1) m)")
        }
        return b
    }

    func validate() throws {
        _ = try knoxBands()
        guard iterations >= 9 && iterations <= 99_999 else { throw ValidationError("--iterations must be between 9 and 99999") }
    }

    func run() throws {
        Log.quiet = quiet
        let (_, points) = try source.load(output: output)
        let keep = points.times.indices.filter { points.times[$0] != Int64.min }
        guard keep.count >= 2 else { throw ValidationError("the Knox test needs at least two dated incidents") }
        let bands = try knoxBands()
        var clock = Stopwatch()
        let r = Knox.test(x: keep.map { points.x[$0] }, y: keep.map { points.y[$0] }, days: keep.map { Double(points.times[$0]) / 86_400 },
                          bands: bands, iterations: iterations, seed: seed)
        Log.info("Knox: \(keep.count) incidentes, \(iterations) permutaciones (\(clock.lap()))")
        print(table(r).replacingOccurrences(of: ".", with: ","), terminator: "")
        print("\n" + r.summarySpanish())
        if let output {
            try AtomicFile.write(Array(try jsonText(r).utf8), to: output)
            try provenance(points: points, bands: bands, dated: keep.count).writeSidecar(beside: output)
            Log.info("escrito \(output) y \(Provenance.sidecarPath(beside: output))")
        }
    }

    private func provenance(points: AnalysisPoints, bands: KnoxBands, dated: Int) -> Provenance {
        let (input, counts) = points.provenanceInput()
        var p = Provenance(command: "nearrepeat", crs: source.geodata.workCRS, input: input, counts: counts, layers: [])
        var a: [String: String] = [
            "test": "Knox: pairs of incidents counted per distance band × time band, against Monte Carlo permutations of the times",
            "distances_m": bands.distances.map { String(format: "%g", $0) }.joined(separator: ","),
            "days": bands.days.map { String(format: "%g", $0) }.joined(separator: ","),
            "intervals": bands.nrcCompatible ? "Near Repeat Calculator convention (--nrc-compatible)" : "half-open [a, b)",
            "metric": bands.metric.rawValue, "iterations": String(iterations), "seed": String(seed),
            "incidents_used": String(dated), "incidents_without_date": String(points.count - dated),
        ]
        a.merge(points.filter.analysisRecord) { $1 }
        p.analysis = a
        return p
    }

    /// Rows are distance intervals in metres, columns time intervals in days; cells "observed / expected = ratio
    /// (p …)". Under --nrc-compatible each interval is followed by the calculator's label, e.g. "[100, 200) m «101 to 200»".
    func table(_ r: KnoxResult) -> String {
        func label(_ i: KnoxInterval, _ unit: String) -> String { i.halfOpenText + unit + (i.nrcLabel.map { " «\($0)»" } ?? "") }
        var out = "distancia (\(r.bands.metric == .manhattan ? "Manhattan" : "euclidiana")) \\ días"
        for t in r.dayIntervals { out += "\t" + label(t, "") }
        out += "\n"
        for (s, row) in r.distanceIntervals.enumerated() {
            out += label(row, " m")
            for t in r.dayIntervals.indices {
                // No pair expected (an empty band): no ratio to show.
                let ratio = r.ratio[s][t].isNaN ? "—" : String(format: "%.2f", r.ratio[s][t])
                out += "\t\(r.observed[s][t]) / \(String(format: "%.1f", r.expected[s][t])) = \(ratio) (p \(String(format: "%.3f", r.p[s][t])))"
            }
            out += "\n"
        }
        return out
    }
}
