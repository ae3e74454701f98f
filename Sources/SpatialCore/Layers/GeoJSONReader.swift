import Foundation

/// Errors reading a layer file, naming the file and the feature.
public enum LayerError: Error, Hashable, Sendable, CustomStringConvertible {
    case manifestNotFound(tried: [String])
    case malformedManifest(path: String, reason: String)
    case unknownLayer(String, known: [String])
    case fileNotFound(layer: String, file: String, tried: [String])
    case malformed(path: String, feature: Int?, reason: String)
    case missingField(path: String, feature: Int, field: String)
    case wrongGeometry(path: String, feature: Int, expected: String, found: String)

    public var description: String {
        switch self {
        case let .manifestNotFound(tried): return "no layer manifest found; tried: \(tried.joined(separator: ", "))"
        case let .malformedManifest(path, reason): return "\(path): invalid manifest: \(reason)"
        case let .unknownLayer(name, known): return "unknown layer '\(name)'; known layers: \(known.joined(separator: ", "))"
        case let .fileNotFound(layer, file, tried): return "layer '\(layer)': file '\(file)' not found; looked in: \(tried.joined(separator: ", "))"
        case let .malformed(path, feature, reason):
            return "\(path)\(feature.map { ": feature \($0)" } ?? ""): \(reason)"
        case let .missingField(path, feature, field): return "\(path): feature \(feature): field '\(field)' is missing or empty"
        case let .wrongGeometry(path, feature, expected, found): return "\(path): feature \(feature): expected \(expected) geometry, found \(found)"
        }
    }
}

/// One GeoJSON feature as read: its geometry in lon/lat and its properties as text.
struct RawFeature {
    enum Shape { case polygonal(Polygonal), point(Point), none(String) }
    let index: Int                // 1-based position in the file
    let shape: Shape
    let properties: [String: String]
}

/// Reads GeoJSON FeatureCollections (RFC 7946) of Polygon/MultiPolygon or Point features.
enum GeoJSONReader {
    static func read(path: String) throws -> [RawFeature] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LayerError.malformed(path: path, feature: nil, reason: "cannot read file")
        }
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw LayerError.malformed(path: path, feature: nil, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let dict = root as? [String: Any], let features = dict["features"] as? [[String: Any]] else {
            throw LayerError.malformed(path: path, feature: nil, reason: "not a GeoJSON FeatureCollection")
        }
        return try features.enumerated().map { (i, f) in
            let props = (f["properties"] as? [String: Any] ?? [:]).compactMapValues(propertyText)
            let shape = try parseGeometry(f["geometry"] as? [String: Any], path: path, feature: i + 1)
            return RawFeature(index: i + 1, shape: shape, properties: props)
        }
    }

    /// Property values as text: integers without ".0", null → absent.
    static func propertyText(_ v: Any) -> String? {
        switch v {
        case is NSNull: return nil
        case let s as String: return s
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }  // JSON booleans
            let d = n.doubleValue
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return "\(d)"
        default: return "\(v)"
        }
    }

    private static func parseGeometry(_ g: [String: Any]?, path: String, feature: Int) throws -> RawFeature.Shape {
        guard let g, let type = g["type"] as? String else { return .none("null") }
        func fail(_ r: String) -> LayerError { .malformed(path: path, feature: feature, reason: r) }
        func point(_ any: Any) throws -> Point {
            guard let a = any as? [Any], a.count >= 2, let x = (a[0] as? NSNumber)?.doubleValue, let y = (a[1] as? NSNumber)?.doubleValue,
                  x.isFinite, y.isFinite else { throw fail("bad coordinate \(any)") }
            return Point(x: x, y: y)
        }
        func ring(_ any: Any) throws -> Ring {
            guard let a = any as? [Any] else { throw fail("bad ring") }
            var r = try a.map(point)
            if let first = r.first, first != r.last { r.append(first) }  // tolerate unclosed rings
            return r
        }
        func polygon(_ any: Any) throws -> Polygon {
            guard let rings = any as? [Any], !rings.isEmpty else { throw fail("polygon without rings") }
            return Polygon(exterior: try ring(rings[0]), holes: try rings.dropFirst().map(ring))
        }
        switch type {
        case "Point": return .point(try point(g["coordinates"] as Any))
        case "Polygon": return .polygonal(Polygonal(parts: [try polygon(g["coordinates"] as Any)]))
        case "MultiPolygon":
            guard let parts = g["coordinates"] as? [Any] else { throw fail("bad MultiPolygon") }
            return .polygonal(Polygonal(parts: try parts.map(polygon)))
        default: return .none(type)
        }
    }
}
