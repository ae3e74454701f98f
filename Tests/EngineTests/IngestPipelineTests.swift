import Crypto
import Foundation
import Incidents
import SpatialCore
@testable import Store
import Testing
@testable import Engine
import Primitives
import TestSupport

/// The streamed ingest (blocks → project → assign → store) must store exactly what the whole-file
/// ingest stores, whatever the block and batch sizes.
@Suite(.serialized) struct IngestPipelineTests {
    static let layers: AssignmentLayers = try! IngestPipeline.unitLayers(catalog: TestLayers.catalog, crs: WorkingCRS.default)

    /// 2,000 rows around Bogotá (some outside every localidad), every 97th without coordinates, every
    /// 89th repeating the id of row k − 1500 (so most repeats are blocks away from their first line).
    static func csv(_ dir: String) throws -> String {
        var text = "id,fecha_hecho,delito,latitud,longitud\n"
        for k in 1...2000 {
            let lat = 4.45 + Double((k * 7919) % 4000) / 10_000, lon = -74.25 + Double((k * 104_729) % 2500) / 10_000
            let id = k % 89 == 0 && k > 1500 ? "C\(k - 1500)" : "C\(k)"
            let coords = k % 97 == 0 ? ",," : String(format: ",%.6f,%.6f", lat, lon)
            text += "\(id),2025-0\(1 + k % 9)-1\(k % 10) 0\(k % 10):15:00,\(["HURTO A PERSONAS", "LESIONES PERSONALES", "HURTO DE CELULARES"][k % 3])\(coords)\n"
        }
        let path = dir + "/c.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func rows(_ store: IncidentStore) throws -> [String] {
        let s = try store.db.prepare("""
            SELECT i.incident_key, hex(i.content_hash), i.time, i.category, i.x, i.y, i.tile, i.localidad, i.upz, i.upl,
                   i.municipio, i.cuadrante, i.line, i.record
            FROM incidents i ORDER BY i.incident_key
            """)
        var out = [String]()
        while try s.step() { out.append((0..<14).map { s.text(Int32($0)) ?? "NULL" }.joined(separator: "|")) }
        return out
    }

    @Test func streamedEqualsWholeFile() throws {
        let dir = try TestFiles.tempDir("ingest-pipeline").path
        let path = try Self.csv(dir)
        let layers = Self.layers

        // Reference: the whole file read at once and ingested in one call.
        let whole = try ProjectedIncidents.load(path: path, options: ReadOptions(), inputCRS: WorkingCRS.geographic, workCRS: WorkingCRS.default)
        let reference = try IncidentStore.open(path: dir + "/whole.sqlite")
        let units = IncidentStore.units(from: try Assignment.compute(x: whole.x, y: whole.y, layers: layers), layers: layers)
        let expected = try reference.ingest(read: whole.read, x: whole.x, y: whole.y, units: units, sourcePath: path)
        // 2000 rows: 20 without coordinates (k = 97·j) and 6 repeats (k = 1513, 1602, 1691, 1780, 1869, 1958,
        // none a multiple of 97, each repeating an accepted row's id).
        let noCoords = (1...2000).filter { $0 % 97 == 0 }.count
        let repeats = (1501...2000).filter { $0 % 89 == 0 && $0 % 97 != 0 }.count
        #expect(expected.rejected == noCoords + repeats && expected.accepted == 2000 - noCoords - repeats)

        for (block, batch) in [(700, 97), (64 << 10, 1000), (16 << 20, 50_000)] {
            let store = try IncidentStore.open(path: dir + "/stream-\(block).sqlite")
            let rejects = dir + "/stream-\(block).rejects.csv"
            var lastProgress = 0
            let outcome = try IngestPipeline.run(IngestRequest(input: path, rejects: rejects, batchSize: batch, blockBytes: block),
                                                 store: store, layers: layers) { lastProgress = $0.rowsStored }
            let r = outcome.report
            #expect(r.rowsRead == expected.rowsRead && r.accepted == expected.accepted && r.rejected == expected.rejected)
            #expect(r.inserted == expected.accepted && lastProgress == expected.accepted)
            #expect(try rows(store) == rows(reference), "block \(block)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: rejects)) == Data(RejectsWriter.render(whole.read.rejects)))
            let sha = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
            let source = try #require(try store.sources().first)
            #expect(source.sha256 == sha && source.accepted == expected.accepted && source.rejected == expected.rejected)
            #expect(outcome.rejectsByReason[.duplicateId] == repeats && outcome.rejectsByReason[.missingCoordinate] == noCoords)
            // The same file again: nothing new.
            let again = try IngestPipeline.run(IngestRequest(input: path, rejects: rejects, batchSize: batch, blockBytes: block),
                                               store: store, layers: layers).report
            #expect(again.inserted == 0 && again.updated == 0 && again.unchanged == expected.accepted)
            #expect(try store.integrityCheck() == ["ok"])
        }
    }
}
