import Dispatch
import Formats
import Foundation
import Synchronization
import Incidents
import Primitives
import SpatialCore
import Store

/// One file for `atalaya ingest`.
public struct IngestRequest: Sendable {
    public var input: String
    public var rejects: String
    public var readOptions: ReadOptions
    /// CRS of the input coordinates (EPSG:4326 unless projected x/y).
    public var inputCRS: String
    public var workCRS: String
    /// Rows per store transaction.
    public var batchSize: Int
    /// Bytes of the file validated at a time (memory is bounded by a few blocks whatever the file size).
    public var blockBytes: Int

    /// `<input without extension>.rejects.csv` beside the input, so files of the same name in different
    /// folders keep their own rejects.
    public static func defaultRejectsPath(input: String) -> String {
        (input as NSString).deletingPathExtension + ".rejects.csv"
    }

    public init(input: String, rejects: String, readOptions: ReadOptions = ReadOptions(),
                inputCRS: String = WorkingCRS.geographic, workCRS: String = WorkingCRS.default,
                batchSize: Int = IncidentStore.defaultBatchSize, blockBytes: Int = IngestRequest.defaultBlockBytes) {
        self.input = input; self.rejects = rejects; self.readOptions = readOptions
        self.inputCRS = inputCRS; self.workCRS = workCRS; self.batchSize = batchSize; self.blockBytes = blockBytes
    }

    public static let defaultBlockBytes = 16 << 20
}

/// What an ingest of one file did.
public struct IngestOutcome: Sendable {
    public let report: IngestReport
    public let rejectsByReason: [RejectReason: Int]
    /// Text encoding of the file (first non-ASCII block's).
    public let encoding: String
}

/// Where a streamed ingest stands, for progress lines.
public struct IngestProgress: Sendable {
    public let bytesRead: Int, fileBytes: Int
    public let rowsStored: Int
}

/// `atalaya ingest` for one file as a library call: the file is streamed block by block (read and
/// validate → project → assign on one thread, store on the caller's), so memory stays bounded by a
/// few blocks and the SQLite writer never waits for parsing.
public enum IngestPipeline {
    /// Layers whose codes the store keeps (those present in the catalog).
    public static func unitLayers(catalog: LayerCatalog, crs: String) throws -> AssignmentLayers {
        let names = catalog.layers.map(\.name).filter { IncidentStore.unitLayerNames.contains($0) }
        return try AssignmentLayers.load(catalog: catalog, crs: crs, names: names)
    }

    /// Streams `request.input` into `store`. Rejects go to `request.rejects` as they are found (a
    /// temporary file put in place at the end, only when there are rejects; also when no row was valid).
    /// - Throws: `IncidentReadError` (unreadable, no columns, no data, no valid row — after the valid
    ///   part was stored), `StoreError`, PROJ errors.
    public static func run(_ request: IngestRequest, store: IncidentStore, layers: AssignmentLayers,
                           progress: (IngestProgress) -> Void = { _ in }) throws -> IngestOutcome {
        var options = request.readOptions
        options.projected = try !Projection.isGeographic(request.inputCRS)
        let area = layers.studyAreaLonLat
        if !options.projected && !area.isEmpty { options.expectedLonLatBox = (area.minX, area.minY, area.maxX, area.maxY) }
        let projectedInput = options.projected
        let opened = try IncidentStream(path: request.input, options: options, blockBytes: request.blockBytes)
        let fileSize = opened.fileSize
        // The stream goes to the producer thread, which alone uses it from then on (the mutex hands it over);
        // what the writer needs at the end comes back in `.end`.
        let streamForProducer = Mutex<IncidentStream?>(opened)
        let rejects = RejectsFile(path: request.rejects)
        // The layer files behind the units, recorded with every row (`layer_sets`, `reassign`).
        let layerSet = try IncidentStore.layerSet(of: layers)

        // Producer: the next block, projected and assigned, is prepared while this one is stored.
        let handoff = Handoff()
        let producerDone = DispatchSemaphore(value: 0)
        let producer = Thread {
            defer { producerDone.signal() }
            guard let stream = streamForProducer.withLock({ $0.take() }) else { return }
            let hasher = SourceHasher()
            stream.onRawBytes = { hasher.update($0) }
            do {
                while let read = try stream.next() {
                    let projected = try ProjectedIncidents.project(read, projected: projectedInput,
                                                                  inputCRS: request.inputCRS, workCRS: request.workCRS)
                    let assignment = try Assignment.compute(x: projected.x, y: projected.y, layers: layers)
                    guard handoff.put(.block(projected, IncidentStore.units(from: assignment, layers: layers),
                                             bytesRead: stream.bytesRead)) else { return }
                }
                _ = handoff.put(.end(rowsRead: stream.dataRows, rejected: stream.rejected, encoding: stream.encoding,
                                     sha256: hasher.finalizeHex()))
            } catch {
                _ = handoff.put(.failed(error))
            }
        }
        producer.stackSize = 8 << 20
        producer.start()
        // On every way out (a refused ingest, a failed batch) the producer is stopped and waited for: a
        // process that exits while it still reads, projects (PROJ) or assigns (GEOS) would tear those
        // libraries down under it (a refused ingest died of SIGSEGV on a loaded machine).
        defer { handoff.cancel(); producerDone.wait() }

        var session: IngestSession?
        var stored = 0
        var rejectCounts: [RejectReason: Int] = [:]
        while true {
            switch handoff.take() {
            case let .block(block, units, bytesRead):
                try rejects.append(block.read.rejects)
                for (reason, n) in block.read.rejectCounts { rejectCounts[reason, default: 0] += n }
                if session == nil {
                    // Rows expected in the whole file, from this block's density (decides the bulk path).
                    let perByte = Double(block.read.table.dataRows) / Double(max(bytesRead, 1))
                    session = try store.beginIngest(sourcePath: request.input,
                                                    expectedRows: Int(perByte * Double(fileSize)),
                                                    batchSize: request.batchSize, layerSet: layerSet)
                }
                let before = stored
                try session!.add(block.read, x: block.x, y: block.y, units: units) { done in
                    progress(IngestProgress(bytesRead: bytesRead, fileBytes: fileSize, rowsStored: before + done))
                }
                stored += block.read.table.count
            case let .end(rowsRead, rejected, encoding, sha256):
                let s = try session ?? store.beginIngest(sourcePath: request.input, expectedRows: 0, layerSet: layerSet)
                let report = try s.finish(rowsRead: rowsRead, rejected: rejected, sha256: sha256)
                try rejects.finish()
                return IngestOutcome(report: report, rejectsByReason: rejectCounts, encoding: encoding)
            case let .failed(error):
                // A file without one valid row still leaves its rejects: a streamed CSV's are all appended
                // by now; a file read whole (GeoJSON) carries them in the error.
                if case let IncidentReadError.noValidRows(_, _, whole) = error {
                    try rejects.append(whole)
                    try rejects.finish()
                }
                throw error
            }
        }
    }

    enum Item: Sendable {
        case block(ProjectedIncidents, [String: [String?]], bytesRead: Int)
        /// The file's totals and SHA-256, from the producer that read it.
        case end(rowsRead: Int, rejected: Int, encoding: String, sha256: String)
        case failed(Error)
    }

    /// A one-slot queue between the producer thread and the writer. Safe to share: `slot` and `cancelled`
    /// are only read or written with `lock` held, and the items are Sendable.
    final class Handoff: @unchecked Sendable {
        private let lock = NSCondition()
        private var slot: Item?
        private var cancelled = false

        /// Waits for the slot to be free; false when the consumer has gone.
        func put(_ item: Item) -> Bool {
            lock.lock(); defer { lock.unlock() }
            while slot != nil && !cancelled { lock.wait() }
            if cancelled { return false }
            slot = item
            lock.broadcast()
            return true
        }

        func take() -> Item {
            lock.lock(); defer { lock.unlock() }
            while slot == nil { lock.wait() }
            let item = slot!
            slot = nil
            lock.broadcast()
            return item
        }

        func cancel() {
            lock.lock(); cancelled = true; slot = nil; lock.broadcast(); lock.unlock()
        }
    }
}
