import Foundation
import Incidents
import Primitives
import SpatialCore

/// A property value in a GeoJSON output.
public enum PropertyValue: Sendable, Equatable {
    case string(String)
    case number(Double, decimals: Int)
    case int(Int)
    case bool(Bool)
    case strings([String])
    /// A list of numbers (a series); non-finite values are written as null.
    case numbers([Double], decimals: Int)
    case null
}

/// One output polygon: geometry in the working CRS (a writer projects it if its format needs another) and its
/// ordered properties.
public struct PolygonFeature: Sendable {
    public var geometry: Polygonal
    public var properties: [(String, PropertyValue)]
    public init(geometry: Polygonal, properties: [(String, PropertyValue)]) {
        self.geometry = geometry; self.properties = properties
    }
}

/// Writes polygon features as RFC 7946 GeoJSON: lon/lat, exterior rings counter-clockwise and holes
/// clockwise, 7 decimals (≈1 cm), no `crs` member, provenance in the foreign member `"atalaya"`.
/// Written atomically (`AtomicFile`).
public enum PolygonGeoJSON {
    /// - Parameter crs: the CRS of the features' geometry (projected here to EPSG:4326 in one PROJ batch).
    public static func write(_ features: [PolygonFeature], crs: String, provenance: Provenance, to path: String) throws {
        let lonlat = try Polygonal.project(features.map(\.geometry), from: crs, to: WorkingCRS.geographic)
        var provenance = provenance
        provenance.outputCRS = WorkingCRS.geographic   // what this file's coordinates are in (RFC 7946)
        var out: [UInt8] = Array(#"{"type":"FeatureCollection","atalaya":"#.utf8)
        out += Array(try provenance.jsonData(pretty: false))
        out += Array(#","features":["#.utf8)
        for (k, f) in features.enumerated() {
            out += Array((k == 0 ? "\n" : ",\n").utf8)
            out += Array(#"{"type":"Feature","geometry":"#.utf8)
            appendGeometry(lonlat[k], into: &out)
            out += Array(#","properties":{"#.utf8)
            for (j, (key, value)) in f.properties.enumerated() {
                if j > 0 { out.append(44) }
                TextEscaping.appendJSONString(key, into: &out); out.append(58)
                append(value, into: &out)
            }
            out += Array("}}".utf8)
        }
        out += Array("\n]}\n".utf8)
        try AtomicFile.write(out, to: path)
    }

    static func append(_ v: PropertyValue, into out: inout [UInt8]) {
        switch v {
        case let .string(s): TextEscaping.appendJSONString(s, into: &out)
        case let .number(d, decimals): if d.isFinite { ByteText.appendFixed(d, decimals: decimals, into: &out) } else { out += Array("null".utf8) }
        case let .int(i): out += Array(String(i).utf8)
        case let .bool(b): out += Array((b ? "true" : "false").utf8)
        case let .strings(list):
            out.append(91)
            for (k, s) in list.enumerated() { if k > 0 { out.append(44) }; TextEscaping.appendJSONString(s, into: &out) }
            out.append(93)
        case let .numbers(list, decimals):
            out.append(91)
            for (k, d) in list.enumerated() {
                if k > 0 { out.append(44) }
                append(.number(d, decimals: decimals), into: &out)
            }
            out.append(93)
        case .null: out += Array("null".utf8)
        }
    }

    static func appendGeometry(_ g: Polygonal, into out: inout [UInt8]) {
        let multi = g.parts.count != 1
        out += Array((multi ? #"{"type":"MultiPolygon","coordinates":["# : #"{"type":"Polygon","coordinates":"#).utf8)
        for (pi, part) in g.parts.enumerated() {
            if pi > 0 { out.append(44) }
            out.append(91)
            for (ri, ring) in part.rings.enumerated() {
                if ri > 0 { out.append(44) }
                // RFC 7946 §3.1.6: exterior counter-clockwise, holes clockwise.
                let ccw = signedArea(ring) > 0
                let oriented = (ri == 0) == ccw ? ring : ring.reversed()
                out.append(91)
                for (k, p) in oriented.enumerated() {
                    if k > 0 { out.append(44) }
                    out.append(91)
                    ByteText.appendFixed(p.x, decimals: 7, into: &out); out.append(44)
                    ByteText.appendFixed(p.y, decimals: 7, into: &out)
                    out.append(93)
                }
                out.append(93)
            }
            out.append(93)
        }
        out += Array((multi ? "]}" : "}").utf8)
    }

    /// Shoelace area: positive for counter-clockwise rings.
    static func signedArea(_ ring: Ring) -> Double {
        guard ring.count > 2 else { return 0 }
        var a = 0.0
        for k in 0..<(ring.count - 1) { a += ring[k].x * ring[k + 1].y - ring[k + 1].x * ring[k].y }
        return a / 2
    }
}
