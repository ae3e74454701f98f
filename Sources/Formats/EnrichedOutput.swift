import Dispatch
import Foundation
import Incidents
import Primitives
import SpatialCore

/// The columns `assign` appends to every input row.
public struct EnrichedColumns: Sendable {
    public let names: [String]
    let polygonColumns: [String]    // prefixes, one per polygon layer
    let pointColumns: [String]      // layer names, one per point layer

    public init(layers: AssignmentLayers, existing: [String]) {
        polygonColumns = layers.polygonLayers.map { $0.spec.column ?? $0.spec.name }
        pointColumns = layers.pointLayers.map(\.spec.name)
        var n = ["x", "y"]
        for p in polygonColumns { n += ["\(p)_code", "\(p)_name"] }
        n.append("status")
        for p in pointColumns { n += ["nearest_\(p)_id", "nearest_\(p)_m"] }
        n.append("coord_fix")
        // An input column of the same name keeps its name; ours gets a suffix.
        let taken = Set(existing)
        names = n.map { taken.contains($0) ? $0 + "_atalaya" : $0 }
    }
}

/// Writes incidents with their assignment as CSV (with a provenance sidecar `<file-stem>.provenance.json`)
/// or as GeoJSON (provenance in the foreign member `"atalaya"`), chosen by extension. Written atomically.
public enum EnrichedOutput {
    public enum Format { case csv, geojson, geopackage }

    public static func format(of path: String) throws -> Format {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv", "txt": return .csv
        case "geojson", "json": return .geojson
        case "gpkg": return .geopackage
        default: throw FormatError.unsupportedFormat(path: path)
        }
    }

    /// - Parameters: `x`, `y`: working-CRS coordinates of the accepted rows (same order as `table`).
    public static func write(table: IncidentTable, x: [Double], y: [Double], assignment: Assignment,
                             layers: AssignmentLayers, provenance: Provenance, to path: String) throws {
        let fmt = try format(of: path)
        if fmt == .geopackage {
            try GeoPackageOutput.writeIncidents(table: table, x: x, y: y, assignment: assignment, layers: layers,
                                                provenance: provenance, to: path)
            return
        }
        let stream: StreamFormat = fmt == .csv ? .csv : .geojson
        let columns = EnrichedColumns(layers: layers, existing: table.header)
        let writer = try ChunkedFileWriter(path: path)
        do {
            try writeRows(table: table, x: x, y: y, assignment: assignment, layers: layers, provenance: provenance,
                          stream: stream, columns: columns, to: writer)
        } catch {
            writer.abandon()
            throw error
        }
        try writer.close()
        if stream == .csv {
            try provenance.writeSidecar(beside: path)
        }
    }

    private static func writeRows(table: IncidentTable, x: [Double], y: [Double], assignment: Assignment,
                                  layers: AssignmentLayers, provenance: Provenance, stream: StreamFormat,
                                  columns: EnrichedColumns, to writer: ChunkedFileWriter) throws {
        var head: [UInt8] = []
        switch stream {
        case .csv:
            for (k, h) in (table.header + columns.names).enumerated() {
                if k > 0 { head.append(44) }
                TextEscaping.appendCSVField(h, into: &head)
            }
            head.append(10)
        case .geojson:
            head += Array("{\"type\":\"FeatureCollection\",\"atalaya\":".utf8)
            head += Array(try provenance.jsonData(pretty: false))
            head += Array(",\"features\":[\n".utf8)
        }
        try writer.write(head)

        let text = LayerText(layers: layers, format: stream)
        let keys = RenderedStrings(columns.names, render: TextEscaping.appendJSONString)
        // Rows are formatted in parallel blocks and written in order.
        let block = 65_536
        var start = 0
        while start < table.count {
            let end = min(table.count, start + block)
            let rows = BlockColumns(assignment: assignment, text: text, rows: start..<end)
            let parts = ParallelWork.threadCount
            let first = start
            // Chunk c fills buffers[c] only.
            let buffers = SharedBuffer<Data>(repeating: Data(), count: parts)
            ParallelWork.forEachChunk(count: end - start, chunks: parts) { c, range in
                switch stream {
                case .csv:
                    var sink = ByteSink(capacity: range.count * 280)
                    var record: [UInt8] = []
                    for r in range {
                        record.removeAll(keepingCapacity: true)
                        table.writeRecord(first + r, into: &record)
                        sink.append(record)
                        appendCSVColumns(first + r, r, table: table, x: x, y: y, rows: rows, text: text, into: &sink)
                    }
                    buffers[c] = sink.data()
                case .geojson:
                    var out: [UInt8] = []
                    out.reserveCapacity(range.count * 320)
                    for r in range {
                        appendFeature(first + r, r, table: table, x: x, y: y, rows: rows, text: text, keys: keys, into: &out)
                    }
                    buffers[c] = Data(out)
                }
            }
            for c in 0..<parts { try writer.write(buffers[c]) }
            start = end
        }
        if stream == .geojson { try writer.write(Array("]}\n".utf8)) }
    }

    /// The appended columns of one CSV row (after the original record), ending the line.
    private static func appendCSVColumns(_ i: Int, _ r: Int, table: IncidentTable, x: [Double], y: [Double],
                                         rows: BlockColumns, text: LayerText, into out: inout ByteSink) {
        out.append(44); out.appendFixed(x[i], decimals: 2)
        out.append(44); out.appendFixed(y[i], decimals: 2)
        for l in 0..<rows.polygonLayers {
            let f = rows.polygon(r, l)
            out.append(44); if f >= 0 { text.strings.append(text.polygonIDBase[l] + f, into: &out) }
            out.append(44); if f >= 0 { text.strings.append(text.polygonNameBase[l] + f, into: &out) }
        }
        out.append(44); out.append(rows.status[r] == .ok ? ok : outside)
        for l in 0..<rows.pointLayers {
            let f = rows.nearest(r, l)
            out.append(44); if f >= 0 { text.strings.append(text.pointIDBase[l] + f, into: &out) }
            out.append(44); if f >= 0 { out.appendFixed(rows.distance(r, l), decimals: 1) }
        }
        out.append(44); if table.wasSwapFixed(i) { out.append(swapped) }
        out.append(10)
    }

    private static let ok = Array("ok".utf8), outside = Array("outside".utf8), null = Array("null".utf8)
    private static let swapped = Array("swapped".utf8)

    private static func appendFeature(_ i: Int, _ r: Int, table: IncidentTable, x: [Double], y: [Double],
                                      rows: BlockColumns, text: LayerText, keys: RenderedStrings, into out: inout [UInt8]) {
        if i > 0 { out.append(44); out.append(10) }
        out.append(contentsOf: #"{"type":"Feature","geometry":{"type":"Point","coordinates":["#.utf8)
        // RFC 7946: lon/lat; 7 decimals ≈ 1 cm.
        ByteText.appendFixed(table.lon[i], decimals: 7, into: &out); out.append(44)
        ByteText.appendFixed(table.lat[i], decimals: 7, into: &out)
        out.append(contentsOf: #"]},"properties":{"#.utf8)
        for (k, (name, value)) in zip(table.header, table.fields(i)).enumerated() {
            if k > 0 { out.append(44) }
            TextEscaping.appendJSONString(name, into: &out); out.append(58)
            TextEscaping.appendJSONString(value, into: &out)
        }
        var c = 0
        func nextKey() { if c > 0 || !table.header.isEmpty { out.append(44) }; keys.append(c, into: &out); out.append(58); c += 1 }
        nextKey(); ByteText.appendFixed(x[i], decimals: 2, into: &out)
        nextKey(); ByteText.appendFixed(y[i], decimals: 2, into: &out)
        for l in 0..<rows.polygonLayers {
            let f = rows.polygon(r, l)
            nextKey(); if f >= 0 { text.strings.append(text.polygonIDBase[l] + f, into: &out) } else { out += null }
            nextKey(); if f >= 0 { text.strings.append(text.polygonNameBase[l] + f, into: &out) } else { out += null }
        }
        nextKey(); out.append(34); out.append(contentsOf: rows.status[r] == .ok ? ok : outside); out.append(34)
        for l in 0..<rows.pointLayers {
            let f = rows.nearest(r, l)
            nextKey(); if f >= 0 { text.strings.append(text.pointIDBase[l] + f, into: &out) } else { out += null }
            nextKey(); if f >= 0 { ByteText.appendFixed(rows.distance(r, l), decimals: 1, into: &out) } else { out += null }
        }
        nextKey(); if table.wasSwapFixed(i) { TextEscaping.appendJSONString("swapped", into: &out) } else { out += null }
        out.append(125); out.append(125)
    }
}

/// The two formats written row by row.
enum StreamFormat { case csv, geojson }

/// One block of rows' assignment, row-major, so the row loop reads flat arrays
/// (per-layer nested arrays cost a retain/release per access in the hot loop).
struct BlockColumns: Sendable {
    let polygonLayers: Int, pointLayers: Int
    private let polygonIndex: [Int32], nearestIndex: [Int32], nearestDistance: [Double]
    let status: [AssignmentStatus]

    init(assignment: Assignment, text: LayerText, rows: Range<Int>) {
        polygonLayers = assignment.polygonIndex.count
        pointLayers = assignment.nearestIndex.count
        var p = [Int32](repeating: -1, count: rows.count * polygonLayers)
        for (l, column) in assignment.polygonIndex.enumerated() {
            for (r, i) in rows.enumerated() { p[r * polygonLayers + l] = column[i] }
        }
        var n = [Int32](repeating: -1, count: rows.count * pointLayers), d = [Double](repeating: 0, count: rows.count * pointLayers)
        for l in 0..<pointLayers {
            let ci = assignment.nearestIndex[l], cd = assignment.nearestDistance[l]
            for (r, i) in rows.enumerated() { n[r * pointLayers + l] = ci[i]; d[r * pointLayers + l] = cd[i] }
        }
        polygonIndex = p; nearestIndex = n; nearestDistance = d
        status = Array(assignment.status[rows])
    }

    @inline(__always) func polygon(_ r: Int, _ l: Int) -> Int { Int(polygonIndex[r * polygonLayers + l]) }
    @inline(__always) func nearest(_ r: Int, _ l: Int) -> Int { Int(nearestIndex[r * pointLayers + l]) }
    @inline(__always) func distance(_ r: Int, _ l: Int) -> Double { nearestDistance[r * pointLayers + l] }
}

/// Layer ids and names rendered once for one output format, in one buffer.
struct LayerText: Sendable {
    let strings: RenderedStrings
    let polygonIDBase: [Int], polygonNameBase: [Int], pointIDBase: [Int]

    init(layers: AssignmentLayers, format: StreamFormat) {
        var all: [String] = [], pid: [Int] = [], pname: [Int] = [], qid: [Int] = []
        for l in layers.polygonLayers {
            pid.append(all.count); all += l.ids
            pname.append(all.count); all += l.names
        }
        for l in layers.pointLayers { qid.append(all.count); all += l.ids }
        strings = RenderedStrings(all, render: format == .csv ? TextEscaping.appendCSVField : TextEscaping.appendJSONString)
        polygonIDBase = pid; polygonNameBase = pname; pointIDBase = qid
    }
}
