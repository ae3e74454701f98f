import ArgumentParser
import Export
import Foundation
import SpatialCore
import Store

struct ReassignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reassign",
        abstract: "Recompute the units of stored incidents assigned with other layers (e.g. a new cuadrante set).",
        discussion: """
        Every row of the store records the layer set (name and SHA-256 of each unit layer file) that \
        gave it its localidad, UPZ, UPL, municipio and cuadrante. This recomputes, from the stored \
        coordinates, the units of the rows whose layer set is not the current one (the layers found \
        now, see --geodata), records the current set on them and updates the unit index. Rows already \
        assigned with the current layers are left alone, so running it twice changes nothing. One \
        transaction per batch; refused while an ingest runs.
        """
    )

    @Option(help: ArgumentHelp("Store file.", valueName: "path")) var store: String = "atalaya.sqlite"
    @Option(help: "Rows per transaction.") var batchSize: Int = IncidentStore.defaultBatchSize
    @OptionGroup var geodata: GeodataOptions
    @Flag(help: "Print the counts as JSON on stdout.") var json = false
    @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be positive") }
        if !FileManager.default.fileExists(atPath: store) { throw ValidationError("no existe el almacén '\(store)'") }
    }

    func run() throws {
        Log.quiet = quiet
        var clock = Stopwatch()
        let catalog = try geodata.catalog()
        let layers = try IngestPipeline.unitLayers(catalog: catalog, crs: geodata.workCRS)
        let layerSet = try IncidentStore.layerSet(of: layers)
        let db = try IncidentStore.open(path: store)
        Log.info("capas cargadas (\(layerSet.map(\.name).joined(separator: ", "))); almacén \(store) abierto (\(clock.lap()))")
        let report = try db.reassign(layers: layers, layerSet: layerSet, batchSize: batchSize) { done in
            Log.progress("  \(done) filas recalculadas")
        }
        Log.progressDone()
        let units = IncidentStore.unitColumnNames.map { "\($0) \(report.changedByUnit[$0] ?? 0)" }.joined(separator: " · ")
        Log.info("conjunto de capas \(report.layerSetID): filas revisadas \(report.checked) · con unidades cambiadas \(report.changed) (\(units)) (\(clock.lap()))")
        if json {
            var fields = ["\"layer_set\": \(report.layerSetID)", "\"rows_checked\": \(report.checked)",
                          "\"rows_changed\": \(report.changed)"]
            fields.append("\"changed_by_unit\": {" + IncidentStore.unitColumnNames.map { "\"\($0)\": \(report.changedByUnit[$0] ?? 0)" }.joined(separator: ", ") + "}")
            print("{" + fields.joined(separator: ", ") + "}")
        }
    }
}
