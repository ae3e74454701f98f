import ArgumentParser
import Foundation
import Localization
import Engine
import Primitives

@main
struct Atalaya: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atalaya",
        abstract: tr("Motor de mapas de riesgo y puntos calientes para Bogotá-Región.", "Geospatial risk mapping and hotspot engine for Bogotá-Región."),
        discussion: tr("""
        Ubica registros de incidentes (delitos, llamadas al 123, reportes de convivencia) en su localidad, \
        UPZ, UPL, municipio y cuadrante de policía, mide distancias a la infraestructura estratégica y \
        escribe resultados con su procedencia. Los cálculos se hacen en un CRS métrico (por defecto \
        EPSG:9377, MAGNA-SIRGAS Origen-Nacional); el GeoJSON se lee y escribe en EPSG:4326 lon/lat.

        Las capas se describen en el manifiesto incorporado (o en un manifest.json propio) y sus archivos se \
        buscan en --geodata DIR, $ATALAYA_GEODATA, ./geodata y ../shared/geodata. \
        Idioma: español por defecto; --lang en (o ATALAYA_LANG=en, LANG=en_*) para inglés.
        """, """
        Places incident records (crimes, 123 calls, convivencia reports) in their localidad, UPZ, UPL, \
        municipio and police cuadrante, measures distances to strategic infrastructure, and writes \
        results with their provenance. Computation is in a metric CRS (default EPSG:9377, \
        MAGNA-SIRGAS Origen-Nacional); GeoJSON is read and written in EPSG:4326 lon/lat.

        Layers are described by the built-in manifest (or a manifest.json of your own) and their files \
        are looked for in --geodata DIR, $ATALAYA_GEODATA, ./geodata and ../shared/geodata. \
        Language: Spanish by default; --lang en (or ATALAYA_LANG=en, LANG=en_*) for English.
        """),
        version: AtalayaVersion.current,
        subcommands: [LayersCommand.self, AssignCommand.self, DensityCommand.self, HotspotsCommand.self,
                      IngestCommand.self, ReassignCommand.self, TrendsCommand.self, EmergingCommand.self, NearRepeatCommand.self, SimulateCommand.self]
    )

    static func main() {
        Engine.prepareProcess()
        // `--lang es|en` is global and must be known before help and messages are built:
        // it is taken out of the arguments and handed on through ATALAYA_LANG (read once by `Lang`).
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let i = arguments.firstIndex(where: { $0 == "--lang" || $0.hasPrefix("--lang=") }) {
            let value = arguments[i].hasPrefix("--lang=") ? String(arguments[i].dropFirst("--lang=".count))
                : (i + 1 < arguments.count ? arguments[i + 1] : "")
            guard Lang(rawValue: value.lowercased()) != nil else {
                FileHandle.standardError.write(Data("error: --lang '\(value)': use es o en / use es or en\n".utf8))
                Foundation.exit(64)
            }
            setenv("ATALAYA_LANG", value.lowercased(), 1)
            arguments.removeSubrange(i...(arguments[i].hasPrefix("--lang=") ? i : min(i + 1, arguments.count - 1)))
        }
        main(arguments)
    }
}
