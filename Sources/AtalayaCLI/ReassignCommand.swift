import ArgumentParser
import Engine
import Formats
import Foundation
import Localization

struct ReassignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reassign",
        abstract: tr("Recalcula las unidades de los incidentes almacenados que se asignaron con otras capas (p. ej. un nuevo juego de cuadrantes).",
                     "Recompute the units of stored incidents assigned with other layers (e.g. a new cuadrante set)."),
        discussion: tr("""
        Cada fila del almacén registra el conjunto de capas (nombre y SHA-256 de cada archivo de capa de \
        unidades) que le dio su localidad, UPZ, UPL, municipio y cuadrante. Esta orden recalcula, a partir \
        de las coordenadas almacenadas, las unidades de las filas cuyo conjunto de capas no es el actual \
        (las capas que se encuentran ahora, vea --geodata), les registra el conjunto actual y actualiza el \
        índice de unidades. Las filas ya asignadas con las capas actuales no se tocan, así que ejecutarla dos \
        veces no cambia nada. Una transacción por lote; se rechaza mientras corre una ingesta. Con --json, \
        los conteos en stdout (schemas/reassign.schema.json).
        """, """
        Every row of the store records the layer set (name and SHA-256 of each unit layer file) that \
        gave it its localidad, UPZ, UPL, municipio and cuadrante. This recomputes, from the stored \
        coordinates, the units of the rows whose layer set is not the current one (the layers found \
        now, see --geodata), records the current set on them and updates the unit index. Rows already \
        assigned with the current layers are left alone, so running it twice changes nothing. One \
        transaction per batch; refused while an ingest runs. With --json, the counts on stdout \
        (schemas/reassign.schema.json).
        """)
    )

    @Option(help: ArgumentHelp(tr("Archivo del almacén.", "Store file."), valueName: "path")) var store: String = "atalaya.sqlite"
    @Option(help: ArgumentHelp(tr("Filas por transacción.", "Rows per transaction."))) var batchSize: Int = IngestRequest.defaultBatchSize
    @OptionGroup var geodata: GeodataOptions
    @Flag(help: ArgumentHelp(tr("Escribe los conteos como JSON en stdout.", "Print the counts as JSON on stdout."))) var json = false
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError(tr("--batch-size debe ser positivo", "--batch-size must be positive")) }
        if !FileManager.default.fileExists(atPath: store) {
            throw ValidationError(tr("no existe el almacén '\(store)'", "the store '\(store)' does not exist"))
        }
    }

    func run() throws {
        Log.quiet = quiet
        let report = try engine { try IngestPipeline.reassign(store: store, layers: geodata.layerSource, batchSize: batchSize, log: Log.engine) }
        if json { print(try JSONStyle.text(IngestPipeline.ReassignDocument(report))) }
    }
}
