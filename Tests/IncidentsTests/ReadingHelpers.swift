import Foundation
@testable import Incidents

func readCSV(_ text: String, options: ReadOptions = ReadOptions(), source: String = "test.csv") throws -> ReadResult {
    try IncidentReader.read(data: Array(text.utf8), source: source, format: .csv, options: options)
}

func readBytes(_ bytes: [UInt8], options: ReadOptions = ReadOptions()) throws -> ReadResult {
    try IncidentReader.read(data: bytes, source: "test.csv", format: .csv, options: options)
}

let bogotaBox = (minLon: -74.45, minLat: 3.73, maxLon: -73.99, maxLat: 4.84)

extension IncidentTable {
    func record(_ i: Int) -> String {
        var out: [UInt8] = []
        writeRecord(i, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
