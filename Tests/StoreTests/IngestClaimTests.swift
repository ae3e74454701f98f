import Foundation
import Incidents
import SpatialCore
@testable import Store
import Testing
import TestSupport

/// One ingest at a time per store: the claim (`meta.ingest`) and the first-load decision are one
/// transaction, and a refused ingest writes nothing.
@Suite("Store ingest claim", .serialized)
struct IngestClaimTests {
    @Test("a second ingest is refused before writing anything while a session holds the store")
    func secondIngestRefused() throws {
        let dir = try TestFiles.tempDir("claim").path
        let path = dir + "/s.sqlite"
        let first = try IncidentStore.open(path: path)
        try Synthetic.write(1...100, to: dir + "/a.csv")
        try Synthetic.write(101...200, to: dir + "/b.csv")
        let read = try IncidentReader.read(path: dir + "/a.csv", options: ReadOptions())
        // Session A claims the (empty) store; nothing is written yet.
        let session = try first.beginIngest(sourcePath: dir + "/a.csv", expectedRows: 100)
        let owner = try first.db.scalarText("SELECT value FROM meta WHERE key = 'ingest'")
        #expect(owner?.hasPrefix("\(getpid())@") == true)

        let second = try IncidentStore.open(path: path)
        #expect(throws: StoreError.ingestRunning(path: path, owner: owner ?? "")) {
            try Synthetic.ingest(second, dir + "/b.csv")
        }
        #expect(try second.count() == 0 && second.sources().isEmpty)
        try session.add(read, x: read.table.lon.map { _ in 4_880_000 }, y: read.table.lat.map { _ in 2_070_000 })
        #expect(try second.count() == 100)
        // Still refused between A's batches, still writing nothing.
        #expect(throws: StoreError.ingestRunning(path: path, owner: owner ?? "")) {
            try Synthetic.ingest(second, dir + "/b.csv")
        }
        #expect(try second.count() == 100 && second.sources().count == 1)
        _ = try session.finish(rowsRead: 100, rejected: 0, sha256: nil)
        #expect(try first.db.scalarText("SELECT value FROM meta WHERE key = 'ingest'") == nil)
        // Welcome once A has finished.
        #expect(try Synthetic.ingest(second, dir + "/b.csv").report.inserted == 100)
        #expect(try second.count() == 200 && second.sources().allSatisfy(\.isComplete))
    }

    @Test("a session dropped without finishing gives the store back; a dead process's claim is taken over")
    func claimReleasedOrStale() throws {
        let dir = try TestFiles.tempDir("claim-release").path
        let path = dir + "/s.sqlite"
        let store = try IncidentStore.open(path: path)
        try Synthetic.write(1...50, to: dir + "/a.csv")
        do { _ = try store.beginIngest(sourcePath: dir + "/a.csv", expectedRows: 50) }
        #expect(try store.db.scalarText("SELECT value FROM meta WHERE key = 'ingest'") == nil)
        // What a killed ingest leaves: the claim of a process that no longer exists.
        try store.db.execute("INSERT INTO meta(key, value) VALUES ('ingest', '999999999@\(ProcessInfo.processInfo.hostName)#1')")
        #expect(try Synthetic.ingest(store, dir + "/a.csv").report.inserted == 50)
        #expect(try store.db.scalarText("SELECT value FROM meta WHERE key = 'ingest'") == nil)
    }
}
