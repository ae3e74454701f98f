import Foundation
import Localization
import Primitives

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
        case let .manifestNotFound(tried):
            return tr("no se encontró el manifiesto de capas (manifest.json); se buscó en: ",
                      "no layer manifest (manifest.json) found; tried: ") + tried.joined(separator: ", ")
        case let .malformedManifest(path, reason): return tr("\(path): manifiesto inválido: \(reason)", "\(path): invalid manifest: \(reason)")
        case let .unknownLayer(name, known):
            return tr("capa desconocida '\(name)'; capas conocidas: ", "unknown layer '\(name)'; known layers: ") + known.joined(separator: ", ")
        case let .fileNotFound(layer, file, tried):
            return tr("capa '\(layer)': no se encontró el archivo '\(file)'; se buscó en: \(tried.joined(separator: ", ")). "
                      + "Ponga las capas GeoJSON (EPSG:4326) en una de esas carpetas, o indique la suya con --geodata DIR o ATALAYA_GEODATA=DIR",
                      "layer '\(layer)': file '\(file)' not found; looked in: \(tried.joined(separator: ", ")). "
                      + "Put the GeoJSON layers (EPSG:4326) in one of those folders, or name yours with --geodata DIR or ATALAYA_GEODATA=DIR")
        case let .malformed(path, feature, reason):
            return "\(path)\(feature.map { tr(": elemento \($0)", ": feature \($0)") } ?? ""): \(reason)"
        case let .missingField(path, feature, field):
            return tr("\(path): elemento \(feature): el campo '\(field)' falta o está vacío", "\(path): feature \(feature): field '\(field)' is missing or empty")
        case let .wrongGeometry(path, feature, expected, found):
            return tr("\(path): elemento \(feature): se esperaba geometría \(expected), se encontró \(found)",
                      "\(path): feature \(feature): expected \(expected) geometry, found \(found)")
        }
    }
}

/// One GeoJSON feature as read: its geometry in lon/lat and its properties as text.
struct RawFeature {
    enum Shape { case polygonal(Polygonal), point(Point), none(String) }
    let index: Int                // 1-based position in the file
    let type: String              // geometry type as declared ("MultiPolygon", "Point", "null")
    let shape: Shape
    let properties: [String: String]
}

/// Reads GeoJSON FeatureCollections (RFC 7946) of Polygon/MultiPolygon or Point features.
enum GeoJSONReader {
    static func read(path: String) throws -> [RawFeature] {
        guard let data = FileManager.default.contents(atPath: path) else { throw unreadable(path) }
        return try features(try parse([UInt8](data), path: path), path: path)
    }

    /// The error for a file that cannot be read.
    static func unreadable(_ path: String) -> LayerError {
        LayerError.malformed(path: path, feature: nil, reason: tr("no se puede leer el archivo", "cannot read file"))
    }

    /// The features of a FeatureCollection's bytes, geometries not yet checked.
    static func parse(_ bytes: [UInt8], path: String) throws -> [GeoJSONParser.Feature] {
        do { return try GeoJSONParser.features(in: bytes) } catch let e as GeoJSONParser.Failure {
            throw LayerError.malformed(path: path, feature: nil, reason: tr("JSON inválido en el byte \(e.offset): \(e.message)", "invalid JSON at byte \(e.offset): \(e.message)"))
        }
    }

    /// Parsed features with their geometries checked and converted.
    static func features(_ features: [GeoJSONParser.Feature], path: String) throws -> [RawFeature] {
        try features.enumerated().map { (i, f) in
            RawFeature(index: i + 1, type: f.geometry?.type ?? "null",
                       shape: try shape(f.geometry, path: path, feature: i + 1), properties: f.properties)
        }
    }

    private static func shape(_ g: GeoJSONParser.Geometry?, path: String, feature: Int) throws -> RawFeature.Shape {
        guard let g, let type = g.type else { return .none("null") }
        func fail(_ r: String) -> LayerError { .malformed(path: path, feature: feature, reason: r) }
        typealias C = GeoJSONParser.Coordinates
        func ring(_ c: C) throws -> Ring {
            guard case var .positions(r) = c else { throw fail("bad ring in \(type)") }
            if let first = r.first, first != r.last { r.append(first) }  // tolerate unclosed rings
            for p in r where !p.x.isFinite || !p.y.isFinite { throw fail("non-finite coordinate") }
            return r
        }
        func polygon(_ c: C) throws -> Polygon {
            switch c {
            case let .positions(r) where !r.isEmpty: return Polygon(exterior: try ring(.positions(r)))
            case let .nested(rings) where !rings.isEmpty:
                return Polygon(exterior: try ring(rings[0]), holes: try rings.dropFirst().map(ring))
            default: throw fail("polygon without rings")
            }
        }
        switch (type, g.coordinates) {
        case let ("Point", .position(p)?):
            guard p.x.isFinite, p.y.isFinite else { throw fail("non-finite coordinate") }
            return .point(p)
        case let ("Polygon", c?): return .polygonal(Polygonal(parts: [try polygon(c)]))
        case let ("MultiPolygon", .nested(parts)?): return .polygonal(Polygonal(parts: try parts.map(polygon)))
        case let ("MultiPolygon", .positions(r)?) where r.isEmpty: return .polygonal(Polygonal(parts: []))
        case ("Point", _), ("Polygon", _), ("MultiPolygon", _): throw fail("bad coordinates for \(type)")
        default: return .none(type)
        }
    }
}
