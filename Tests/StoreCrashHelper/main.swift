// Test helper for StoreTests' crash-safety test: ingests a CSV into a store with a small batch size
// and prints "batch N committed" after every committed batch, so the test can SIGKILL it mid-ingest.
//
// usage: StoreCrashHelper <store.sqlite> <incidents.csv> <batch size>
import Foundation
import Incidents
import Primitives
import SpatialCore
import Store

/// One line to stdout, written at once (unbuffered), so the test sees each line before a SIGKILL.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let args = CommandLine.arguments
guard args.count == 4, let batchSize = Int(args[3]) else {
    FileHandle.standardError.write(Data("usage: StoreCrashHelper <store.sqlite> <incidents.csv> <batch size>\n".utf8))
    exit(2)
}
do {
    let store = try IncidentStore.open(path: args[1])
    let read = try IncidentReader.read(path: args[2], options: ReadOptions())
    var x = read.table.lon, y = read.table.lat
    try Projection.transformParallel(from: WorkingCRS.geographic, to: WorkingCRS.default, x: &x, y: &y)
    say("ready \(read.table.count)")
    var batch = 0
    let started = Date()
    let report = try store.ingest(read: read, x: x, y: y, sourcePath: args[2], batchSize: batchSize) { _ in
        batch += 1
        say("batch \(batch) committed")
    }
    say("done inserted=\(report.inserted) updated=\(report.updated) unchanged=\(report.unchanged) "
          + String(format: "in %.2f s", Date().timeIntervalSince(started)))
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
