import ArgumentParser
import Foundation
import Localization
import Export
import SpatialCore

struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: tr("Lista las capas de Bogotá-Región: elementos, geometría, validez, extensión, área, archivo.", "List the Bogotá-Región layers: features, geometry, validity, extent, area, file."),
        discussion: "Every polygon is checked with GEOS (isValid); invalid features are repaired with GEOSMakeValid and counted. Areas are computed in the working CRS."
    )

    @OptionGroup var geodata: GeodataOptions
    @Flag(help: ArgumentHelp(tr("Imprime JSON en vez de una tabla.", "Print JSON instead of a table."))) var json = false
    @Argument(help: ArgumentHelp(tr("Solo estas capas (por defecto: todas las del manifiesto).", "Only these layers (default: all in the manifest)."))) var names: [String] = []

    struct Row: Encodable {
        var name: String, role: String, features: Int, geometry: String, invalid: Int, repaired: Int
        var extent: [Double], areaKm2: Double?, file: String, source: String
        var invalidFeatures: [String]
        enum CodingKeys: String, CodingKey { case name, role, features, geometry, invalid, repaired, extent, areaKm2, file, source, invalidFeatures }
        func encode(to encoder: Encoder) throws {   // every key present, null for no area
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(role, forKey: .role); try c.encode(features, forKey: .features)
            try c.encode(geometry, forKey: .geometry); try c.encode(invalid, forKey: .invalid); try c.encode(repaired, forKey: .repaired)
            try c.encode(extent, forKey: .extent); try c.encode(areaKm2, forKey: .areaKm2); try c.encode(file, forKey: .file)
            try c.encode(source, forKey: .source); try c.encode(invalidFeatures, forKey: .invalidFeatures)
        }
    }
    /// `schemas/layers.schema.json`.
    struct Document: Encodable {
        var schemaVersion = 1
        var manifest: String, workCrs: String
        var layers: [Row]
    }

    func run() throws {
        let catalog = try geodata.catalog()
        let specs = names.isEmpty ? catalog.layers : try names.map { try catalog.spec(named: $0) }
        var rows: [Row] = []
        for spec in specs {
            let probe = try GeoJSONProbe.kind(of: catalog.resolve(spec))
            if probe == "Point" {
                let l = try PointLayer.load(spec, catalog: catalog, crs: geodata.workCRS)
                rows.append(Row(name: spec.name, role: spec.role.rawValue, features: l.count, geometry: "Point", invalid: 0, repaired: 0,
                                extent: env(l.lonLatExtent), areaKm2: nil, file: l.path, source: spec.source,
                                invalidFeatures: l.skipped.map { tr("elemento \($0): sin geometría de punto", "feature \($0): no point geometry") }))
            } else if probe == "Polygon" {
                let l = try PolygonLayer.load(spec, catalog: catalog, crs: geodata.workCRS)
                rows.append(Row(name: spec.name, role: spec.role.rawValue, features: l.count, geometry: l.geometryTypes.joined(separator: "/"),
                                invalid: l.invalid.count, repaired: l.invalid.filter(\.repaired).count,
                                extent: env(l.lonLatExtent), areaKm2: l.areasKm2.reduce(0, +), file: l.path, source: spec.source,
                                invalidFeatures: l.invalid.map { tr("elemento \($0.feature) (\($0.id)): \($0.reason)", "feature \($0.feature) (\($0.id)): \($0.reason)") }))
            } else {
                rows.append(Row(name: spec.name, role: spec.role.rawValue, features: try GeoJSONProbe.count(catalog.resolve(spec)),
                                geometry: probe, invalid: 0, repaired: 0, extent: [], areaKm2: nil,
                                file: try catalog.resolve(spec), source: spec.source, invalidFeatures: []))
            }
        }
        if json {
            print(try JSONStyle.text(Document(manifest: catalog.manifestPath, workCrs: geodata.workCRS, layers: rows)))
            return
        }
        print(tr("Capas (manifiesto: \(catalog.manifestPath); CRS de trabajo: \(geodata.workCRS))", "Layers (manifest: \(catalog.manifestPath); working CRS: \(geodata.workCRS))"))
        let header = [("capa", "layer"), ("rol", "role"), ("elementos", "features"), ("geometría", "geometry"),
                      ("inválidos/reparados", "invalid/repaired"), ("extensión lon/lat", "lon/lat extent"),
                      ("área km²", "area km²"), ("archivo", "file")].map { tr($0, $1) }
        let body = rows.map { r in
            [r.name, r.role, String(r.features), r.geometry, "\(r.invalid)/\(r.repaired)",
             r.extent.isEmpty ? "" : r.extent.map { String(format: "%.4f", $0) }.joined(separator: " "),
             r.areaKm2.map { String(format: "%.2f", $0) } ?? "", r.file]
        }
        var w = header.map(\.count)
        for b in body { for (k, c) in b.enumerated() { w[k] = max(w[k], c.count) } }
        func line(_ c: [String]) -> String { c.enumerated().map { $1 + String(repeating: " ", count: w[$0] - $1.count) }.joined(separator: "  ") }
        print(line(header)); print(w.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for b in body { print(line(b)) }
        for r in rows where !r.invalidFeatures.isEmpty {
            print("\n\(r.name):"); for f in r.invalidFeatures { print("  \(f)") }
        }
    }

    private func env(_ e: Envelope) -> [Double] { [e.minX, e.minY, e.maxX, e.maxY] }
}

/// Peeks at a GeoJSON file's geometry kind without building geometries (the layer set's summary:
/// parsed once per run, cached between runs).
enum GeoJSONProbe {
    static func summary(_ path: String) throws -> GeoJSONSummary {
        do { return try LayerSet.shared.summary(path: path) } catch LayerError.malformed(_, nil, _) {
            throw LayerError.malformed(path: path, feature: nil, reason: tr("no es un FeatureCollection de GeoJSON", "not a GeoJSON FeatureCollection"))
        }
    }
    static func kind(of path: String) throws -> String {
        let types = Set(try summary(path).types)
        if types.isSubset(of: ["Point"]) { return "Point" }
        if types.isSubset(of: ["Polygon", "MultiPolygon"]) { return "Polygon" }
        return types.sorted().joined(separator: "/")
    }
    static func count(_ path: String) throws -> Int { try summary(path).count }
}
