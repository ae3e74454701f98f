import ArgumentParser
import SpatialCore
import Store

@main
struct Atalaya: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atalaya",
        abstract: "Geospatial risk mapping and hotspot engine for Bogotá-Región.",
        discussion: """
        Places incident records (crimes, 123 calls, convivencia reports) in their localidad, UPZ, UPL, \
        municipio and police cuadrante, measures distances to strategic infrastructure, and writes \
        results with their provenance. Computation is in a metric CRS (default EPSG:9377, \
        MAGNA-SIRGAS Origen-Nacional); GeoJSON is read and written in EPSG:4326 lon/lat.

        Layers are found through geodata/manifest.json, in $ATALAYA_GEODATA, then ./geodata, \
        then ../shared/geodata (or --geodata DIR).
        """,
        version: AtalayaVersion.current,
        subcommands: [LayersCommand.self, AssignCommand.self, DensityCommand.self, HotspotsCommand.self,
                      IngestCommand.self, ReassignCommand.self, TrendsCommand.self, EmergingCommand.self, NearRepeatCommand.self, SimulateCommand.self]
    )

    static func main() {
        // SQLite's process-wide settings must precede its initialisation, which PROJ triggers when it
        // opens proj.db: set them before anything else runs.
        IncidentStore.prepareProcess()
        main(nil)
    }
}
