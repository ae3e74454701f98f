import Foundation
import Localization
import Primitives

/// Reads a GeoJSON FeatureCollection (or a single Feature) of Point features.
///
/// Coordinates come from the geometry (`latColumn`/`lonColumn` = "geometry"; user lat/lon overrides are
/// ignored); time/category/id come from the properties, detected like CSV columns. Accepted features'
/// properties are rendered as `,`-delimited CSV records in the table buffer so `fields`/`writeRecord`
/// work exactly as for CSV input.
enum GeoJSONIncidents {
    static func read(utf8 bytes: [UInt8], encoding: String, source: String, options: ReadOptions) throws -> ReadResult {
        let doc: JSONValue
        do { doc = try MiniJSONParser.parse(bytes) } catch let e as JSONParseError {
            throw IncidentReadError.malformedGeoJSON(path: source, reason: e.message)
        }
        let features: [JSONValue]
        switch doc["type"] {
        case .string("FeatureCollection")?:
            guard case let .array(f)? = doc["features"] else {
                throw IncidentReadError.malformedGeoJSON(path: source, reason: tr("FeatureCollection sin un arreglo 'features'", "FeatureCollection without a 'features' array"))
            }
            features = f
        case .string("Feature")?:
            features = [doc]
        default:
            throw IncidentReadError.malformedGeoJSON(path: source, reason: tr("se esperaba un FeatureCollection o un Feature", "expected a FeatureCollection or Feature"))
        }
        if features.isEmpty { throw IncidentReadError.empty(path: source) }

        // Header = union of property keys in first-seen order.
        var header: [String] = []
        var keyIndex: [String: Int] = [:]
        var rows: [[(Int, String)]] = []
        rows.reserveCapacity(features.count)
        for f in features {
            var row: [(Int, String)] = []
            if case let .object(props)? = f["properties"] {
                for (k, v) in props {
                    let idx: Int
                    if let known = keyIndex[k] { idx = known } else { idx = header.count; keyIndex[k] = idx; header.append(k) }
                    row.append((idx, v.propertyText))
                }
            }
            rows.append(row)
        }
        let roles = try ColumnDetection.optionalRoles(header: header, mapping: options.columns, path: source)
        let timeName = roles.time.map { header[$0] }
        let idName = roles.id.map { header[$0] }
        let rules = CoordinateRules(options)

        var buffer: [UInt8] = []
        var starts: [Int] = [], ends: [Int] = [], lines: [Int32] = []
        var lat: [Double] = [], lon: [Double] = [], swapped: [Bool] = [], time: [Int64] = []
        var rejects: [RejectedRow] = []
        var firstLineOfId: [String: Int] = [:]
        let geo = "geometry"

        for (k, f) in features.enumerated() {
            let line = k + 1
            func reject(_ reason: RejectReason, _ field: String?, _ detail: String) {
                rejects.append(RejectedRow(line: line, reason: reason, field: field, detail: detail, text: f.compactText))
            }
            var values = [String](repeating: "", count: header.count)
            for (i, v) in rows[k] { values[i] = v }

            guard case .string("Feature")? = f["type"] else { reject(.malformedRecord, nil, tr("no es un Feature", "not a Feature")); continue }
            guard let g = f["geometry"], case .object = g else {
                if f["geometry"] == nil || { if case .null? = f["geometry"] { return true }; return false }() {
                    reject(.missingCoordinate, geo, "geometry=null")
                } else {
                    reject(.malformedRecord, geo, tr("geometry no es un objeto", "geometry is not an object"))
                }
                continue
            }
            guard case .string("Point")? = g["type"] else {
                var t = tr("desconocido", "unknown")
                if case let .string(s)? = g["type"] { t = s }
                reject(.malformedRecord, geo, tr("geometría de tipo \(t), se esperaba Point", "geometry type \(t), expected Point"))
                continue
            }
            guard case let .array(c)? = g["coordinates"] else {
                if g["coordinates"] == nil || { if case .null? = g["coordinates"] { return true }; return false }() {
                    reject(.missingCoordinate, geo, tr("faltan las coordenadas (coordinates)", "coordinates missing"))
                } else {
                    reject(.malformedRecord, geo, tr("coordinates no es un arreglo", "coordinates is not an array"))
                }
                continue
            }
            let lonP = c.count > 0 ? number(c[0]) : .missing
            let latP = c.count > 1 ? number(c[1]) : .missing
            guard case let .value(la) = latP, case let .value(lo) = lonP else {
                let coordText = g["coordinates"]!.compactText
                for bad in [NumberParse.missing, .nonNumeric, .nonFinite] where latP == bad || lonP == bad {
                    let reason: RejectReason = bad == .missing ? .missingCoordinate : bad == .nonNumeric ? .nonNumericCoordinate : .nonFiniteCoordinate
                    reject(reason, geo, "coordinates=\(coordText)")
                    break
                }
                continue
            }
            let coordText = "coordinates=\(g["coordinates"]!.compactText)"
            var latV = la, lonV = lo, wasSwapped = false
            switch rules.check(lat: la, lon: lo) {
            case let .accept(a, o, s): latV = a; lonV = o; wasSwapped = s
            case .nullIsland: reject(.nullIsland, geo, coordText); continue
            case .swapped: reject(.swappedLatLon, geo, coordText); continue
            case .outOfRange: reject(.outOfRange, geo, coordText); continue
            }
            var t = Int64.min
            if let tc = roles.time {
                let v = values[tc].trimmingCharacters(in: .whitespaces)
                if v.isEmpty { reject(.missingDate, timeName, "\(timeName!)=''"); continue }
                guard let parsed = DateParser.parse(v) else { reject(.unparseableDate, timeName, "\(timeName!)='\(v)'"); continue }
                t = parsed
            }
            if let ic = roles.id {
                let v = values[ic].trimmingCharacters(in: .whitespaces)
                if !v.isEmpty {
                    if let first = firstLineOfId[v] {
                        reject(.duplicateId, idName, "\(idName!)='\(v)' " + tr("(visto por primera vez en la línea \(first))", "(first seen on line \(first))"))
                        continue
                    }
                    firstLineOfId[v] = line
                }
            }
            starts.append(buffer.count)
            for (i, v) in values.enumerated() {
                if i > 0 { buffer.append(Byte.comma) }
                TextEscaping.appendCSVField(v, into: &buffer)
            }
            ends.append(buffer.count)
            buffer.append(Byte.lf)
            lines.append(Int32(line)); lat.append(latV); lon.append(lonV); swapped.append(wasSwapped); time.append(t)
        }

        let table = IncidentTable(
            source: source, format: .geojson, encoding: encoding, delimiter: Byte.comma, header: header,
            latColumn: geo, lonColumn: geo, timeColumn: timeName,
            categoryColumn: roles.category.map { header[$0] }, idColumn: idName,
            lines: lines, lon: lon, lat: lat, swapFixed: swapped, time: time, dataRows: features.count,
            buffer: buffer, recordStart: starts, recordEnd: ends, categoryIndex: roles.category, idIndex: roles.id)
        return ReadResult(table: table, rejects: rejects)
    }

    /// A coordinate member: numbers as is; numeric strings are tolerated; null → missing.
    private static func number(_ v: JSONValue) -> NumberParse {
        switch v {
        case let .number(d, _): return d.isFinite ? .value(d) : .nonFinite
        case .null: return .missing
        case let .string(s):
            let t = s.trimmingCharacters(in: .whitespaces)
            var u = t
            return u.withUTF8 { b in b.isEmpty ? .missing : CoordinateParsing.parse(b.baseAddress!, 0, b.count) }
        default: return .nonNumeric
        }
    }
}
