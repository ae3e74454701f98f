import ArgumentParser
import Engine
import Incidents
import Localization

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

    /// The Engine's incident source: the file or the store, the filters, how files are read.
    func source(input: String?, incidents: IncidentInputOptions) -> IncidentSource {
        IncidentSource(input: input, store: store, filter: filter, localidades: localidades, upz: upz, upl: upl,
                       file: incidents.fileOptions())
    }

    var filter: IncidentFilter {
        IncidentFilter(from: from.flatMap(DateParser.parse), to: to.flatMap(DateParser.parse), categories: categories)
    }
}
