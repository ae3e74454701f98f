import Dispatch
import Formats
import Foundation
import Incidents
import Localization
import SpatialCore
import Store

extension IngestRequest {
    /// Rows per transaction (`--batch-size`).
    public static let defaultBatchSize = IncidentStore.defaultBatchSize
}

extension IngestPipeline {
    /// `reassign --json` (schemas/reassign.schema.json): what `IncidentStore.reassign` did.
    public struct ReassignDocument: Encodable, Sendable {
        public var schemaVersion = 1
        public let layerSet: Int64
        public let rowsChecked: Int
        public let rowsChanged: Int
        /// Every unit column, 0 when none of its codes changed.
        public let changedByUnit: [String: Int]

        public init(_ report: ReassignReport) {
            layerSet = report.layerSetID; rowsChecked = report.checked; rowsChanged = report.changed
            changedByUnit = Dictionary(uniqueKeysWithValues: IncidentStore.unitColumnNames.map { ($0, report.changedByUnit[$0] ?? 0) })
        }
    }

    /// `atalaya ingest`: each file validated, assigned and upserted into the store, in order.
    /// - Parameter rejects: per file; nil entries take `IngestRequest.defaultRejectsPath`.
    /// - Returns: the outcome per file and the rows the store holds at the end.
    public static func run(files: [String], store path: String, rejects: [String?], file options: IncidentFileOptions,
                           layers source: LayerSource, batchSize: Int, blockBytes: Int, log: EngineLog = .silent)
        throws -> (outcomes: [IngestOutcome], storeRows: Int) {
        var clock = Stopwatch()
        let catalog = try source.catalog()
        let layers = try unitLayers(catalog: catalog, crs: source.workCRS)
        let rejectsPaths = zip(files, rejects).map { $1 ?? IngestRequest.defaultRejectsPath(input: $0) }
        try OutputPaths.checkDistinct(inputs: files, outputs: [path] + rejectsPaths)
        let db = try IncidentStore.open(path: path)
        log.info(tr("capas cargadas; almacén \(path) abierto (\(clock.lap()))", "layers loaded; store \(path) open (\(clock.lap()))"))
        var outcomes: [IngestOutcome] = []
        for (file, rejects) in zip(files, rejectsPaths) {
            let request = IngestRequest(input: file, rejects: rejects, readOptions: options.read, inputCRS: options.crs,
                                        workCRS: source.workCRS, batchSize: batchSize, blockBytes: blockBytes)
            let started = DispatchTime.now()
            let outcome = try run(request, store: db, layers: layers) { p in
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
                let share = p.fileBytes > 0 ? 100 * Double(p.bytesRead) / Double(p.fileBytes) : 100
                log.progress(String(format: tr("  %@: %.0f %% leído · %d filas guardadas · %.0f filas/s", "  %@: %.0f %% read · %d rows stored · %.0f rows/s"),
                                    file, share, p.rowsStored, Double(p.rowsStored) / max(seconds, 1e-3)))
            }
            log.progressDone()
            let report = outcome.report
            log.info(tr("\(file): filas \(report.rowsRead) · aceptadas \(report.accepted) · rechazadas \(report.rejected) (\(outcome.encoding))",
                        "\(file): rows \(report.rowsRead) · accepted \(report.accepted) · rejected \(report.rejected) (\(outcome.encoding))"))
            for (reason, n) in outcome.rejectsByReason.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where n > 0 {
                log.info(tr("  rechazo \(reason.rawValue): \(n)", "  reject \(reason.rawValue): \(n)"))
            }
            if report.rejected > 0 { log.info(tr("  rechazos escritos en \(rejects)", "  rejects written to \(rejects)")) }
            log.info(tr("\(file): insertados \(report.inserted) · actualizados \(report.updated) · sin cambios \(report.unchanged) (\(clock.lap()))",
                        "\(file): inserted \(report.inserted) · updated \(report.updated) · unchanged \(report.unchanged) (\(clock.lap()))"))
            outcomes.append(outcome)
        }
        let rows = try db.count()
        log.info(tr("almacén \(path): \(rows) incidentes", "store \(path): \(rows) incidents"))
        return (outcomes, rows)
    }

    /// `atalaya reassign`: the units of stored rows assigned with other layers, recomputed from their coordinates.
    public static func reassign(store path: String, layers source: LayerSource, batchSize: Int, log: EngineLog = .silent) throws -> ReassignReport {
        var clock = Stopwatch()
        let catalog = try source.catalog()
        let layers = try unitLayers(catalog: catalog, crs: source.workCRS)
        let layerSet = try IncidentStore.layerSet(of: layers)
        let db = try IncidentStore.open(path: path)
        log.info(tr("capas cargadas (\(layerSet.map(\.name).joined(separator: ", "))); almacén \(path) abierto (\(clock.lap()))",
                    "layers loaded (\(layerSet.map(\.name).joined(separator: ", "))); store \(path) open (\(clock.lap()))"))
        let report = try db.reassign(layers: layers, layerSet: layerSet, batchSize: batchSize) { done in
            log.progress(tr("  \(done) filas recalculadas", "  \(done) rows recomputed"))
        }
        log.progressDone()
        let units = IncidentStore.unitColumnNames.map { "\($0) \(report.changedByUnit[$0] ?? 0)" }.joined(separator: " · ")
        log.info(tr("conjunto de capas \(report.layerSetID): filas revisadas \(report.checked) · con unidades cambiadas \(report.changed) (\(units)) (\(clock.lap()))",
                    "layer set \(report.layerSetID): rows checked \(report.checked) · with changed units \(report.changed) (\(units)) (\(clock.lap()))"))
        return report
    }
}
