import ArgumentParser
import Foundation
import Mapping
import Temporal

struct NearRepeatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nearrepeat",
        abstract: "Knox test for near-repeat victimisation over space × time bands, with seeded Monte Carlo.",
        discussion: """
        Counts pairs of incidents per distance band × time band (half-open intervals [a, b) in metres \
        and days), compares them with --iterations permutations of the dates (seeded), and reports \
        Knox ratios (observed / mean permuted) and p = (permutations ≥ observed + 1)/(iterations + 1), \
        plus a plain-language Spanish summary. --nrc-compatible reproduces the Near Repeat Calculator's \
        band convention: it labels a band "a to b" but counts [a − 1, b), so every band but the first \
        starts one metre (one day) lower, e.g. [99, 200) m and [6, 14) days for edges 0,100,200 and 0,7,14.
        """
    )

    @OptionGroup var source: TimeInput
    @Option(help: ArgumentHelp("Distance band edges in metres.", valueName: "m,m,…")) var distances: String = "0,100,200,300,400,500"
    @Option(help: ArgumentHelp("Time band edges in days.", valueName: "d,d,…")) var days: String = "0,7,14,21,28"
    @Option(help: "Monte Carlo permutations.") var iterations: Int = 999
    @Option(help: "Random seed.") var seed: UInt64 = 2026
    @Flag(help: "Use the Near Repeat Calculator's band convention.") var nrcCompatible = false
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the result as JSON.", valueName: "path")) var output: String?
    @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false

    func edges(_ text: String, _ name: String) throws -> [Double] {
        let v = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count >= 2, v.count == text.split(separator: ",").count, zip(v, v.dropFirst()).allSatisfy({ $0 < $1 }), v[0] >= 0 else {
            throw ValidationError("--\(name) needs at least two increasing, non-negative numbers, e.g. 0,100,200")
        }
        return v
    }

    func validate() throws {
        _ = try edges(distances, "distances"); _ = try edges(days, "days")
        guard iterations >= 9 && iterations <= 99_999 else { throw ValidationError("--iterations must be between 9 and 99999") }
    }

    func run() throws {
        Log.quiet = quiet
        let (_, points) = try source.load(output: output)
        let keep = points.times.indices.filter { points.times[$0] != Int64.min }
        guard keep.count >= 2 else { throw ValidationError("the Knox test needs at least two dated incidents") }
        let bands = KnoxBands(distances: try edges(distances, "distances"), days: try edges(days, "days"), nrcCompatible: nrcCompatible)
        var clock = Stopwatch()
        let r = Knox.test(x: keep.map { points.x[$0] }, y: keep.map { points.y[$0] }, days: keep.map { Double(points.times[$0]) / 86_400 },
                          bands: bands, iterations: iterations, seed: seed)
        Log.info("Knox: \(keep.count) incidentes, \(iterations) permutaciones (\(clock.lap()))")
        var out = "distancia \\ días"
        for t in 0..<(bands.days.count - 1) { out += "\t[\(fmt(bands.days[t])), \(fmt(bands.days[t + 1])))" }
        out += "\n"
        for s in 0..<(bands.distances.count - 1) {
            out += "[\(fmt(bands.distances[s])), \(fmt(bands.distances[s + 1]))) m"
            for t in 0..<(bands.days.count - 1) {
                out += "\t\(r.observed[s][t]) / \(String(format: "%.1f", r.expected[s][t])) = \(String(format: "%.2f", r.ratio[s][t])) (p \(String(format: "%.3f", r.p[s][t])))"
            }
            out += "\n"
        }
        print(out.replacingOccurrences(of: ".", with: ","), terminator: "")
        print("\n" + r.summarySpanish())
        if let output { try jsonText(r).write(toFile: output, atomically: true, encoding: .utf8) }
    }

    private func fmt(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
