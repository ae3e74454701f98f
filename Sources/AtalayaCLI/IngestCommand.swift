import ArgumentParser
import Export
import Foundation
import Incidents
import SpatialCore
import Store

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Validate, assign and store incident exports in an SQLite store (idempotent, crash-safe).",
        discussion: """
        Each file is read and validated like `assign` (rejects go to <file-stem>.rejects.csv beside the \
        store), placed in its localidad, UPZ, UPL, municipio and cuadrante, and upserted: the same \
        incident id (or, without an id column, the same content) is never stored twice; changed records \
        are updated and counted. One transaction per batch (WAL), so a killed ingest leaves a consistent \
        store that accepts the same file again.
        """
    )

    @Argument(help: "Incident files (.csv or .geojson).") var files: [String]
    @Option(help: ArgumentHelp("Store file.", valueName: "path")) var store: String = "atalaya.sqlite"
    @Option(help: "Rows per transaction.") var batchSize: Int = IncidentStore.defaultBatchSize
    @OptionGroup var incidents: IncidentInputOptions
    @OptionGroup var geodata: GeodataOptions
    @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one incident file") }
        if batchSize < 1 { throw ValidationError("--batch-size must be positive") }
    }

    func run() throws {
        Log.quiet = quiet
        var clock = Stopwatch()
        let catalog = try geodata.catalog()
        let layers = try AssignmentLayers.load(catalog: catalog, crs: geodata.workCRS)
        let db = try IncidentStore.open(path: store)
        Log.info("capas cargadas; almacén \(store) abierto (\(clock.lap()))")
        let area = layers.studyAreaLonLat
        for file in files {
            var options = incidents.readOptions()
            options.expectedLonLatBox = (area.minX, area.minY, area.maxX, area.maxY)
            let inc = try ProjectedIncidents.load(path: file, options: options, inputCRS: incidents.crs, workCRS: geodata.workCRS)
            let rejects = incidents.rejects ?? (((store as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent(((file as NSString).lastPathComponent as NSString).deletingPathExtension + ".rejects.csv"))
            try RejectsWriter.write(inc.read.rejects, to: rejects)
            incidents.reportCounts(inc.read, rejectsPath: rejects)
            let assignment = try Assignment.compute(x: inc.x, y: inc.y, layers: layers)
            let total = inc.read.table.count
            let report = try db.ingest(read: inc.read, x: inc.x, y: inc.y, units: IncidentStore.units(from: assignment, layers: layers),
                                       sourcePath: file, batchSize: batchSize) { done in
                Log.progress("  \(file): \(done)/\(total) filas guardadas")
            }
            Log.progressDone()
            Log.info("\(file): insertados \(report.inserted) · actualizados \(report.updated) · sin cambios \(report.unchanged) · rechazados \(report.rejected) (\(clock.lap()))")
        }
        Log.info("almacén \(store): \(try db.count()) incidentes")
    }
}
