import ArgumentParser
import Foundation
import Mapping
import SpatialCore

/// Incidents for the time commands: a file or a store, with the shared filters.
struct TimeInput: ParsableArguments {
    @Argument(help: "Incident file (.csv or .geojson); or use --store.") var input: String?
    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var incidents: IncidentInputOptions
    @OptionGroup var geodata: GeodataOptions

    func validate() throws { try analysis.checkSource(input) }

    func load(output: String?) throws -> (LayerCatalog, AnalysisPoints) {
        let catalog = try geodata.catalog()
        let rejects = incidents.rejects ?? AssignRequestPaths.rejects(output: output ?? input ?? "atalaya")
        let points = try analysis.loadPoints(input: input, incidents: incidents, geodata: geodata, catalog: catalog, rejects: rejects)
        return (catalog, points)
    }
}

enum AssignRequestPaths {
    static func rejects(output: String) -> String { (output as NSString).deletingPathExtension + ".rejects.csv" }
}

/// Writes JSON with sorted keys.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try e.encode(value), as: UTF8.self)
}
