import ArgumentParser
import Engine
import Foundation
import Localization
import Simulation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: tr("Genera incidentes sintéticos con semilla, calibrados con los conteos oficiales de la SDSCJ por UPZ.", "Generate seeded synthetic incidents calibrated to the official SDSCJ counts per UPZ."),
        discussion: tr("""
        Los puntos reales de incidentes de Bogotá no son públicos. Este comando escribe incidentes sintéticos \
        realistas: la UPZ y la categoría de cada evento siguen la tabla de la SDSCJ "Delitos de alto impacto \
        por UPZ" (conteos 2018–2021); los puntos caen dentro de su UPZ, concentrados alrededor de estaciones \
        de TransMilenio y parques, con repeticiones cercanas en espacio y tiempo. Las columnas usan los nombres \
        de las exportaciones en español (id, fecha_hecho, delito, latitud, longitud, fuente=SINTETICO); \
        <salida-sin-extensión>.provenance.json registra cada parámetro. Los identificadores llevan la semilla \
        y la ventana (SIM-<semilla>-<desde>-<hasta>-<resumen>-0000001), así que dos corridas distintas no \
        chocan en un almacén. La misma semilla da el mismo archivo.
        """, """
        Real Bogotá incident points are not public. This writes realistic synthetic ones: the UPZ and \
        category of each event follow the SDSCJ table "Delitos de alto impacto por UPZ" (2018–2021 \
        counts); points lie inside their UPZ, concentrated around TransMilenio stations and parks, with \
        near-repeat clustering in space and time. Columns use Spanish export names (id, fecha_hecho, \
        delito, latitud, longitud, fuente=SINTETICO); a sidecar <output-without-extension>.provenance.json records every parameter. \
        The same seed gives the same file.
        """)
    )

    @Option(name: .shortAndLong, help: ArgumentHelp(tr("CSV de salida.", "Output CSV."), valueName: "path")) var output: String
    @Option(help: ArgumentHelp(tr("Número de incidentes.", "Number of incidents."))) var count: Int = 200_000
    @Option(help: ArgumentHelp(tr("Primer día (AAAA-MM-DD), incluido.", "First day (YYYY-MM-DD), inclusive."), valueName: "date")) var from: String = "2025-01-01"
    @Option(help: ArgumentHelp(tr("Último día (AAAA-MM-DD), excluido.", "Last day (YYYY-MM-DD), exclusive."), valueName: "date")) var to: String = "2026-01-01"
    @Option(help: ArgumentHelp(tr("Semilla aleatoria.", "Random seed."))) var seed: UInt64 = 2026
    @Option(help: ArgumentHelp(tr("Proporción de eventos alrededor de atractores (estaciones de TransMilenio, parques).", "Share of events placed around attractors (TransMilenio stations, parks)."))) var attractorShare: Double = 0.45
    @Option(help: ArgumentHelp(tr("Proporción de eventos que son repeticiones cercanas de un evento anterior.", "Share of events that are near-repeats of an earlier event."))) var repeatShare: Double = 0.12
    @Option(help: ArgumentHelp(tr("Tabla de calibración de la SDSCJ. Por defecto: incidents/bogota_delitos_alto_impacto_upz_2018_2021.csv en las carpetas de geodata.", "SDSCJ calibration table. Default: incidents/bogota_delitos_alto_impacto_upz_2018_2021.csv in the geodata folders."), valueName: "path"))
    var calibration: String?
    @OptionGroup var geodata: GeodataOptions
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func validate() throws {
        guard let first = SimulationParameters.day(from) else {
            throw ValidationError(tr("--from '\(from)' no es una fecha (AAAA-MM-DD)", "--from '\(from)' is not a date (YYYY-MM-DD)"))
        }
        guard let end = SimulationParameters.day(to) else {
            throw ValidationError(tr("--to '\(to)' no es una fecha (AAAA-MM-DD)", "--to '\(to)' is not a date (YYYY-MM-DD)"))
        }
        guard end > first else {
            throw ValidationError(tr("--to (\(to)) debe ser posterior a --from (\(from)): la ventana es [--from, --to)",
                                     "--to (\(to)) must be after --from (\(from)): the window is [--from, --to)"))
        }
        guard count > 0 else { throw ValidationError(tr("--count debe ser positivo", "--count must be positive")) }
    }

    func run() throws {
        Log.quiet = quiet
        var p = SimulationParameters(count: count, startDay: SimulationParameters.day(from)!, endDay: SimulationParameters.day(to)!, seed: seed)
        p.attractorShare = attractorShare
        p.repeatShare = repeatShare
        let request = SimulateJob.Request(output: output, parameters: p, calibration: calibration, layers: geodata.layerSource,
                                          fromText: from, toText: to)
        _ = try engine { try SimulateJob.run(request, log: Log.engine) }
    }
}
