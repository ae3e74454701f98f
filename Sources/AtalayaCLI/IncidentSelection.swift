import Localization
import ArgumentParser
import Formats
import Incidents
import Engine
import SpatialCore

/// Which incidents an analysis command reads: a file argument or `--store`, and the filters (answered
/// by SQL with bound parameters for a store).
struct IncidentSelection: ParsableArguments {
    @Option(help: ArgumentHelp(tr("Inicio de la ventana de tiempo, incluido: AAAA-MM-DD o 'AAAA-MM-DD HH:MM:SS'.", "Start of the time window, inclusive: YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'."), valueName: "date"))
    var from: String?
    @Option(help: ArgumentHelp(tr("Fin de la ventana de tiempo, excluido (p. ej. --from 2025-01-01 --to 2025-02-01 es enero).", "End of the time window, exclusive (e.g. --from 2025-01-01 --to 2025-02-01 is January)."), valueName: "date"))
    var to: String?
    @Option(name: .customLong("category"), parsing: .singleValue,
            help: ArgumentHelp(tr("Conserva solo esta categoría, escrita exactamente como en los datos (repetible).", "Keep only this category value, exactly as the data spell it (repeatable)."), valueName: "value"))
    var categories: [String] = []
    @Option(help: ArgumentHelp(tr("Lee los incidentes de este almacén (véase `atalaya ingest`) en vez de un archivo.", "Read incidents from this store (see `atalaya ingest`) instead of a file."), valueName: "path"))
    var store: String?
    @Option(name: .customLong("localidad"), parsing: .singleValue, help: ArgumentHelp(tr("Con --store: conserva este código de localidad (repetible).", "With --store: keep this localidad code (repeatable)."), valueName: "code"))
    var localidades: [String] = []
    @Option(name: .customLong("upz"), parsing: .singleValue, help: ArgumentHelp(tr("Con --store: conserva este código de UPZ (repetible).", "With --store: keep this UPZ code (repeatable)."), valueName: "code"))
    var upz: [String] = []
    @Option(name: .customLong("upl"), parsing: .singleValue, help: ArgumentHelp(tr("Con --store: conserva este código de UPL (repetible).", "With --store: keep this UPL code (repeatable)."), valueName: "code"))
    var upl: [String] = []

    func validate() throws {
        if let f = from, DateParser.parse(f) == nil { throw ValidationError(tr("--from '\(f)' no es una fecha (AAAA-MM-DD o 'AAAA-MM-DD HH:MM:SS')", "--from '\(f)' is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')")) }
        if let t = to, DateParser.parse(t) == nil { throw ValidationError(tr("--to '\(t)' no es una fecha (AAAA-MM-DD o 'AAAA-MM-DD HH:MM:SS')", "--to '\(t)' is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')")) }
        if let f = from.flatMap(DateParser.parse), let t = to.flatMap(DateParser.parse), t <= f {
            throw ValidationError(tr("--to debe ser posterior a --from (la ventana es [from, to))", "--to must be after --from (the window is [from, to))"))
        }
        if store == nil && !(localidades.isEmpty && upz.isEmpty && upl.isEmpty) {
            throw ValidationError(tr("--localidad/--upz/--upl filtran un almacén: úselos con --store (primero ingiera el archivo; density, hotspots y emerging también aceptan --area)", "--localidad/--upz/--upl filter a store: use them with --store (ingest the file first; density, hotspots and emerging also take --area)"))
        }
    }

    /// Exactly one source: a file argument or --store.
    func checkSource(_ input: String?) throws {
        if input == nil && store == nil { throw ValidationError(tr("indique un archivo de incidentes o --store RUTA", "give an incident file or --store PATH")) }
        if input != nil && store != nil { throw ValidationError(tr("indique un archivo de incidentes o --store RUTA, no ambos", "give an incident file or --store PATH, not both")) }
    }

    /// Loads the incidents from the file or the store, with the filters.
    /// - Parameter weightColumn: numeric column weighting each incident of a file (`--weight`).
    func loadPoints(input: String?, incidents: IncidentInputOptions, geodata: GeodataOptions, catalog: LayerCatalog,
                    rejects: String, weightColumn: String? = nil) throws -> AnalysisPoints {
        if let store {
            try checkCodes(localidades, flag: "--localidad", layer: "localidades", catalog: catalog, crs: geodata.workCRS)
            try checkCodes(upz, flag: "--upz", layer: "upz", catalog: catalog, crs: geodata.workCRS)
            try checkCodes(upl, flag: "--upl", layer: "upl", catalog: catalog, crs: geodata.workCRS)
            let points = try AnalysisPoints.load(store: store, filter: filter, localidades: localidades, upz: upz, upl: upl, cuadrantes: [])
            Log.info("almacén \(store): \(points.count) incidentes tras filtros")
            return points
        }
        let box = try AssignmentLayers.studyAreaLonLat(catalog: catalog)
        let points = try RejectsWriter.keepingRejects(at: rejects, written: { Log.info("ninguna fila válida: \($1) rechazos escritos en \($0)") }) {
            try AnalysisPoints.load(path: input!, options: incidents.readOptions(), inputCRS: incidents.crs,
                                    workCRS: geodata.workCRS, filter: filter, weightColumn: weightColumn, studyAreaLonLat: box)
        }
        let read = points.read!
        try RejectsWriter.write(read.rejects, to: rejects)
        incidents.reportCounts(read, rejectsPath: rejects)
        if !filter.isEmpty { Log.info("tras filtros de tiempo/categoría: \(points.count) incidentes") }
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

    var filter: IncidentFilter {
        IncidentFilter(from: from.flatMap(DateParser.parse), to: to.flatMap(DateParser.parse), categories: categories)
    }
}

/// A filter value that names no unit.
enum FilterError: Error, CustomStringConvertible {
    case unknownCode(flag: String, code: String, layer: String, suggestions: [String], examples: [String])

    var description: String {
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
