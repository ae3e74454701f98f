import ArgumentParser
import Engine
import Foundation
import Localization

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: tr("Valida, asigna y guarda exportaciones de incidentes en un almacén SQLite (idempotente, seguro ante caídas).", "Validate, assign and store incident exports in an SQLite store (idempotent, crash-safe)."),
        discussion: tr("""
        Cada archivo se lee y valida como en `assign` (los rechazos van a <archivo>.rejects.csv junto al \
        archivo, solo si los hay), se ubica en su localidad, UPZ, UPL, municipio y cuadrante, y se inserta o \
        actualiza: el mismo identificador (o, sin columna de identificador, el mismo contenido) nunca se guarda \
        dos veces; los registros cambiados se actualizan y se cuentan. Las filas idénticas de un archivo sin \
        identificadores son incidentes distintos (la k-ésima copia tiene la clave sha:<hash>#k), así que nada \
        se colapsa. Una transacción por lote (WAL): una ingesta interrumpida deja un almacén coherente que \
        acepta de nuevo el mismo archivo. Una ingesta a la vez por almacén: otra iniciada mientras tanto se \
        rechaza (código 1) y no guarda nada. Cada fila registra los archivos de capas (nombre, SHA-256) que le \
        dieron sus unidades; si una capa cambia, `atalaya reassign` las recalcula.

        Los CSV se leen por bloques de --block-mb MiB (la validación, proyección y asignación del bloque \
        siguiente se solapan con el guardado de este), así que la memoria queda acotada sea cual sea el \
        tamaño: diez millones de filas usan bastante menos de 1 GB. Un identificador repetido en cualquier \
        parte del archivo se rechaza como duplicate_id (se conserva el primero), igual que si el archivo se \
        leyera entero. Los GeoJSON se leen enteros.
        """, """
        Each file is read and validated like `assign` (rejects go to <file-stem>.rejects.csv beside the \
        file, only when there are rejects), placed in its localidad, UPZ, UPL, municipio and cuadrante, and upserted: the same \
        incident id (or, without an id column, the same content) is never stored twice; changed records \
        are updated and counted. Identical rows within one file without ids are separate incidents \
        (the k-th copy is keyed sha:<hash>#k), so nothing in a file is collapsed. One transaction per \
        batch (WAL), so a killed ingest leaves a consistent store that accepts the same file again. \
        One ingest at a time per store: another one started meanwhile is refused (exit 1) and stores \
        nothing. Each row records the layer files (name, SHA-256) that gave it its units; after a \
        layer changes, `atalaya reassign` recomputes them.

        CSV files are streamed in blocks of --block-mb MiB (validation, projection and assignment of the \
        next block overlap with storing this one), so memory stays bounded whatever the file size: \
        ten million rows take well under 1 GB. An id repeated anywhere in a file is rejected as \
        duplicate_id (first occurrence kept), exactly as when the file is read whole. GeoJSON files are \
        read whole.
        """)
    )

    @Argument(help: ArgumentHelp(tr("Archivos de incidentes (.csv o .geojson).", "Incident files (.csv or .geojson)."))) var files: [String]
    @Option(help: ArgumentHelp(tr("Archivo del almacén.", "Store file."), valueName: "path")) var store: String = "atalaya.sqlite"
    @Option(help: ArgumentHelp(tr("Filas por transacción.", "Rows per transaction."))) var batchSize: Int = IngestRequest.defaultBatchSize
    @Option(help: ArgumentHelp(tr("MiB de un archivo CSV validados a la vez.", "MiB of a CSV file validated at a time."), valueName: "MiB"))
    var blockMb: Int = IngestRequest.defaultBlockBytes >> 20
    @OptionGroup var incidents: IncidentInputOptions
    @Option(name: .customLong("category"), help: ArgumentHelp(tr("Columna de categoría (igual que --category-column).", "Category column (same as --category-column)."), valueName: "column"))
    var categoryAlias: String?
    @OptionGroup var geodata: GeodataOptions
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func validate() throws {
        try incidents.checkCategoryAlias(categoryAlias)
        if files.isEmpty { throw ValidationError(tr("indique al menos un archivo de incidentes", "give at least one incident file")) }
        if batchSize < 1 { throw ValidationError(tr("--batch-size debe ser positivo", "--batch-size must be positive")) }
        if blockMb < 1 || blockMb > 4096 { throw ValidationError(tr("--block-mb debe estar entre 1 y 4096", "--block-mb must be between 1 and 4096")) }
        if incidents.rejects != nil && files.count > 1 {
            throw ValidationError(tr("--rejects nombra un solo archivo: indique una sola entrada, o deje el valor por omisión <nombre>.rejects.csv junto a cada archivo",
                                     "--rejects names one file: give one input, or leave the default <file-stem>.rejects.csv beside each file"))
        }
    }

    func run() throws {
        Log.quiet = quiet
        _ = try engine {
            try IngestPipeline.run(files: files, store: store, rejects: files.map { _ in incidents.rejects },
                                   file: incidents.fileOptions(categoryAlias: categoryAlias), layers: geodata.layerSource,
                                   batchSize: batchSize, blockBytes: blockMb << 20, log: Log.engine)
        }
    }
}
