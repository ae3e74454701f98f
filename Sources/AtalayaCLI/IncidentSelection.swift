import ArgumentParser
import Export
import Incidents
import Mapping
import SpatialCore

/// Which incidents an analysis command reads: a file argument or `--store`, and the filters (answered
/// by SQL with bound parameters for a store).
struct IncidentSelection: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the time window, inclusive: YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'.", valueName: "date"))
    var from: String?
    @Option(help: ArgumentHelp("End of the time window, exclusive (e.g. --from 2025-01-01 --to 2025-02-01 is January).", valueName: "date"))
    var to: String?
    @Option(name: .customLong("category"), parsing: .singleValue,
            help: ArgumentHelp("Keep only this category value, exactly as the data spell it (repeatable).", valueName: "value"))
    var categories: [String] = []
    @Option(help: ArgumentHelp("Read incidents from this store (see `atalaya ingest`) instead of a file.", valueName: "path"))
    var store: String?
    @Option(name: .customLong("localidad"), parsing: .singleValue, help: ArgumentHelp("With --store: keep this localidad code (repeatable).", valueName: "code"))
    var localidades: [String] = []
    @Option(name: .customLong("upz"), parsing: .singleValue, help: ArgumentHelp("With --store: keep this UPZ code (repeatable).", valueName: "code"))
    var upz: [String] = []
    @Option(name: .customLong("upl"), parsing: .singleValue, help: ArgumentHelp("With --store: keep this UPL code (repeatable).", valueName: "code"))
    var upl: [String] = []

    func validate() throws {
        if let f = from, DateParser.parse(f) == nil { throw ValidationError("--from '\(f)' is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')") }
        if let t = to, DateParser.parse(t) == nil { throw ValidationError("--to '\(t)' is not a date (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS')") }
        if let f = from.flatMap(DateParser.parse), let t = to.flatMap(DateParser.parse), t <= f {
            throw ValidationError("--to must be after --from (the window is [from, to))")
        }
        if store == nil && !(localidades.isEmpty && upz.isEmpty && upl.isEmpty) {
            throw ValidationError("--localidad/--upz/--upl filter a store: use them with --store (ingest the file first; density, hotspots and emerging also take --area)")
        }
    }

    /// Exactly one source: a file argument or --store.
    func checkSource(_ input: String?) throws {
        if input == nil && store == nil { throw ValidationError("give an incident file or --store PATH") }
        if input != nil && store != nil { throw ValidationError("give an incident file or --store PATH, not both") }
    }

    /// Loads the incidents from the file or the store, with the filters.
    /// - Parameter weightColumn: numeric column weighting each incident of a file (`--weight`).
    func loadPoints(input: String?, incidents: IncidentInputOptions, geodata: GeodataOptions, catalog: LayerCatalog,
                    rejects: String, weightColumn: String? = nil) throws -> AnalysisPoints {
        if let store {
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

    var filter: IncidentFilter {
        IncidentFilter(from: from.flatMap(DateParser.parse), to: to.flatMap(DateParser.parse), categories: categories)
    }
}
