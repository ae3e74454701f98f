import Formats
import Foundation
import Incidents
import Localization
import SpatialCore

/// Which incidents a job reads — a file or a store — and the filters (answered by SQL with bound
/// parameters for a store).
public struct IncidentSource: Sendable {
    /// An incident file (.csv or .geojson); nil when `store` is given.
    public var input: String?
    /// An incident store (`atalaya ingest`).
    public var store: String?
    public var filter: IncidentFilter
    /// Store filters by unit code.
    public var localidades: [String], upz: [String], upl: [String]
    public var file: IncidentFileOptions

    public init(input: String? = nil, store: String? = nil, filter: IncidentFilter = IncidentFilter(from: nil, to: nil, categories: []),
                localidades: [String] = [], upz: [String] = [], upl: [String] = [], file: IncidentFileOptions = IncidentFileOptions()) {
        self.input = input; self.store = store; self.filter = filter
        self.localidades = localidades; self.upz = upz; self.upl = upl; self.file = file
    }

    /// `--rejects`, or `OUTPUT-stem.rejects.csv` beside the output (the input's when there is none).
    public func rejectsPath(output: String?) -> String {
        file.rejects ?? AssignRequest.defaultRejectsPath(output: output ?? input ?? "atalaya")
    }

    /// Loads the incidents from the file or the store, with the filters; rejects of a file go to `rejects`.
    /// - Parameter weightColumn: numeric column weighting each incident of a file (`--weight`).
    public func loadPoints(catalog: LayerCatalog, crs: String, rejects: String, weightColumn: String? = nil,
                           log: EngineLog) throws -> AnalysisPoints {
        if let store {
            try checkCodes(localidades, flag: "--localidad", layer: "localidades", catalog: catalog, crs: crs)
            try checkCodes(upz, flag: "--upz", layer: "upz", catalog: catalog, crs: crs)
            try checkCodes(upl, flag: "--upl", layer: "upl", catalog: catalog, crs: crs)
            let points = try AnalysisPoints.load(store: store, filter: filter, localidades: localidades, upz: upz, upl: upl, cuadrantes: [])
            log.info("almacén \(store): \(points.count) incidentes tras filtros")
            return points
        }
        guard let input else { throw RequestError(tr("indique un archivo de incidentes o --store RUTA", "give an incident file or --store PATH")) }
        let box = try AssignmentLayers.studyAreaLonLat(catalog: catalog)
        let points = try RejectsWriter.keepingRejects(at: rejects, written: { log.info("ninguna fila válida: \($1) rechazos escritos en \($0)") }) {
            try AnalysisPoints.load(path: input, options: file.read, inputCRS: file.crs,
                                    workCRS: crs, filter: filter, weightColumn: weightColumn, studyAreaLonLat: box)
        }
        let read = points.read!
        try RejectsWriter.write(read.rejects, to: rejects)
        IncidentFileOptions.reportCounts(read, rejectsPath: rejects, log: log)
        if !filter.isEmpty { log.info("tras filtros de tiempo/categoría: \(points.count) incidentes") }
        return points
    }

    /// A code no unit of the layer has is an error naming the filter, with the codes it may have meant
    /// (`--localidad 8` → `08`): a filter that silently matches nothing would give an empty map.
    func checkCodes(_ codes: [String], flag: String, layer name: String, catalog: LayerCatalog, crs: String) throws {
        guard !codes.isEmpty else { return }
        let layer = try PolygonLayer.load(catalog.spec(named: name), catalog: catalog, crs: crs)
        let known = Set(layer.ids)
        for code in codes where !known.contains(code) {
            throw FilterError.unknownCode(flag: flag, code: code, layer: name,
                                          suggestions: FilterError.suggestions(for: code, among: layer.ids, names: layer.names),
                                          examples: Array(layer.ids.sorted().prefix(5)))
        }
    }
}

/// A filter value that names no unit.
public enum FilterError: Error, CustomStringConvertible {
    case unknownCode(flag: String, code: String, layer: String, suggestions: [String], examples: [String])

    public var description: String {
        switch self {
        case let .unknownCode(flag, code, layer, suggestions, examples):
            let hint = suggestions.isEmpty ? "códigos de \(layer), p. ej.: \(examples.joined(separator: ", ")) (atalaya layers los lista)"
                                           : "¿quiso decir \(suggestions.map { "\(flag) \($0)" }.joined(separator: " o "))?"
            return "\(flag) \(code): ninguna unidad de la capa \(layer) tiene ese código; \(hint)"
        }
    }

    /// Codes equal to `code` once case, separators and leading zeros are ignored ("8" → "08",
    /// "upz 1" → "UPZ1", "UPL1" → "UPL01"), or whose name is `code` (ignoring case and accents).
    static func suggestions(for code: String, among ids: [String], names: [String]) -> [String] {
        func key(_ s: String) -> String {
            var out = "", digits = ""
            for ch in s.uppercased() where ch.isLetter || ch.isNumber {
                if ch.isNumber { digits.append(ch) } else {
                    if !digits.isEmpty { out += String(Int(digits) ?? 0); digits = "" }
                    out.append(ch)
                }
            }
            if !digits.isEmpty { out += digits.allSatisfy { $0 == "0" } ? "0" : String(digits.drop { $0 == "0" }) }
            return out
        }
        let k = key(code)
        var found = ids.filter { key($0) == k }
        if found.isEmpty {
            found = zip(ids, names).filter { $0.1.compare(code, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame }.map(\.0)
        }
        return found.sorted()
    }
}
