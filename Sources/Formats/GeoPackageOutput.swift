import Foundation
import Incidents
import Primitives
import SpatialCore

/// `.gpkg` outputs (OGC GeoPackage) in the working CRS, with the provenance JSON as the layer's
/// `gpkg_contents.description`. QGIS and GDAL open them directly.
public enum GeoPackageOutput {
    static func layer(table: String, crs: String, geometryType: String, columns: [GeoPackageColumn],
                      provenance: Provenance) throws -> GeoPackageLayer {
        let epsg = Int(crs.uppercased().replacingOccurrences(of: "EPSG:", with: "")) ?? 0
        var provenance = provenance
        provenance.outputCRS = crs   // a GeoPackage layer is written in the working CRS
        return GeoPackageLayer(table: table, description: String(decoding: try provenance.jsonData(pretty: false), as: UTF8.self),
                               srsID: epsg, srsName: crs, srsDefinition: try Projection.wkt(crs, esri: false),
                               geometryType: geometryType, columns: columns)
    }

    /// Polygon features (geometry in the working CRS `crs`) written as they are.
    public static func write(_ features: [PolygonFeature], crs: String, table: String, provenance: Provenance, to path: String) throws {
        var names: [String] = [], types: [String: String] = [:]
        for f in features {
            for (k, v) in f.properties {
                if types[k] == nil { names.append(k) }
                switch v {
                case .int, .bool: if types[k] == nil { types[k] = "INTEGER" }
                case .number: if types[k] == nil || types[k] == "INTEGER" { types[k] = "REAL" }
                case .string, .strings, .numbers: types[k] = "TEXT"
                case .null: break
                }
            }
        }
        let columns = names.map { GeoPackageColumn(name: $0, type: types[$0] ?? "TEXT") }
        let rows = features.map { f -> (GeoPackageGeometry, [GeoPackageValue]) in
            let shape = f.geometry
            let byName = Dictionary(f.properties, uniquingKeysWith: { a, _ in a })
            return (.polygon(shape), columns.map { c in value(byName[c.name] ?? .null, type: c.type) })
        }
        try GeoPackageWriter.write(layer: layer(table: table, crs: crs, geometryType: "MULTIPOLYGON", columns: columns,
                                                provenance: provenance), rows: rows, to: path)
    }

    static func value(_ v: PropertyValue, type: String) -> GeoPackageValue {
        switch v {
        case let .string(s): return .text(s)
        case let .int(i): return type == "REAL" ? .real(Double(i)) : .integer(Int64(i))
        case let .bool(b): return .integer(b ? 1 : 0)   // GeoPackage has no boolean type: 1/0
        case let .number(d, _): return d.isFinite ? .real(d) : .null
        case .strings, .numbers:
            // Lists are kept as JSON array text (GeoPackage has no array type).
            var out: [UInt8] = []
            PolygonGeoJSON.append(v, into: &out)
            return .text(String(decoding: out, as: UTF8.self))
        case .null: return .null
        }
    }

    /// Enriched incidents (`assign`) as points in the working CRS: every input column as TEXT, then
    /// the appended columns.
    public static func writeIncidents(table t: IncidentTable, x: [Double], y: [Double], assignment: Assignment,
                                      layers: AssignmentLayers, provenance: Provenance, to path: String) throws {
        let extra = EnrichedColumns(layers: layers, existing: t.header)
        var columns = t.header.map { GeoPackageColumn(name: sanitize($0), type: "TEXT") }
        var k = 0
        columns += ["x", "y"].map { _ in defer { k += 1 }; return GeoPackageColumn(name: extra.names[k], type: "REAL") }
        for _ in layers.polygonLayers { columns += [GeoPackageColumn(name: extra.names[k], type: "TEXT"), GeoPackageColumn(name: extra.names[k + 1], type: "TEXT")]; k += 2 }
        columns.append(GeoPackageColumn(name: extra.names[k], type: "TEXT")); k += 1
        for _ in layers.pointLayers { columns += [GeoPackageColumn(name: extra.names[k], type: "TEXT"), GeoPackageColumn(name: extra.names[k + 1], type: "REAL")]; k += 2 }
        columns.append(GeoPackageColumn(name: extra.names[k], type: "TEXT"))
        // Column names must be unique once sanitised.
        var seen = Set<String>()
        columns = columns.map { c in
            var n = c.name; var i = 2
            while !seen.insert(n.lowercased()).inserted { n = c.name + "_\(i)"; i += 1 }
            return GeoPackageColumn(name: n, type: c.type)
        }
        let rows = (0..<t.count).lazy.map { i -> (GeoPackageGeometry, [GeoPackageValue]) in
            var v: [GeoPackageValue] = t.fields(i).map { .text($0) }
            v += [.real(x[i]), .real(y[i])]
            for (l, layer) in layers.polygonLayers.enumerated() {
                let f = Int(assignment.polygonIndex[l][i])
                v += f >= 0 ? [.text(layer.ids[f]), .text(layer.names[f])] : [.null, .null]
            }
            v.append(.text(assignment.status[i].rawValue))
            for (l, layer) in layers.pointLayers.enumerated() {
                let f = Int(assignment.nearestIndex[l][i])
                v += f >= 0 ? [.text(layer.ids[f]), .real(assignment.nearestDistance[l][i])] : [.null, .null]
            }
            v.append(t.wasSwapFixed(i) ? .text("swapped") : .null)
            return (.point(x: x[i], y: y[i]), v)
        }
        try GeoPackageWriter.write(layer: layer(table: "incidentes", crs: layers.crs, geometryType: "POINT", columns: columns,
                                                provenance: provenance), rows: rows, to: path)
    }

    /// GeoPackage column names: letters, digits and underscores, not starting with a digit, not fid/geom.
    static func sanitize(_ name: String) -> String {
        var s = String(name.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "_" })
        if s.isEmpty || s.first!.isNumber { s = "c_" + s }
        if ["fid", "geom"].contains(s.lowercased()) { s += "_input" }
        return s
    }
}
