import Foundation
import Localization
import Primitives

/// The part of the territory an analysis covers: chosen features of one polygon layer.
/// Default (DOMAIN.md §1): the localidades without Sumapaz (code 20), which is rural and would
/// otherwise dominate any city-wide grid. Recorded in every output.
public struct StudyArea: Sendable {
    public let layer: PolygonLayer
    public let codes: [String]
    /// Selected features, as indexes into `layer`.
    public let features: [Int]
    /// "localidades:01,02,…" — what outputs record.
    public let description: String
    /// Exact locator over the selected features only.
    private let locator: PolygonLocator

    public static let defaultSpec = "localidades-without-20"

    public enum SpecError: Error, CustomStringConvertible, Equatable {
        case unknownCodes(layer: String, codes: [String], known: [String])
        case empty(String)
        public var description: String {
            switch self {
            case let .unknownCodes(layer, codes, known):
                return tr("--area: \(layer) no tiene ningún elemento con código \(codes.joined(separator: ", ")); los códigos son: ",
                          "--area: \(layer) has no feature with code \(codes.joined(separator: ", ")); codes are: ") + known.joined(separator: ", ")
            case let .empty(spec): return tr("--area '\(spec)' no selecciona nada", "--area '\(spec)' selects nothing")
            }
        }
    }

    /// Parses `--area`: `all` (every localidad), `LAYER:CODE,CODE` (e.g. `upl:UPL01,UPL02`), `LAYER`
    /// (all its features), or the default (localidades without 20).
    public static func parse(_ spec: String?, catalog: LayerCatalog, crs: String) throws -> StudyArea {
        let s = spec ?? defaultSpec
        let layerName: String, wanted: [String]?, excluded: Set<String>
        if s == defaultSpec { layerName = "localidades"; wanted = nil; excluded = ["20"] }
        else if s == "all" { layerName = "localidades"; wanted = nil; excluded = [] }
        else if let colon = s.firstIndex(of: ":") {
            layerName = String(s[..<colon])
            wanted = s[s.index(after: colon)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            excluded = []
        } else { layerName = s; wanted = nil; excluded = [] }
        let layer = try PolygonLayer.load(catalog.spec(named: layerName), catalog: catalog, crs: crs)
        let features: [Int]
        if let wanted {
            let unknown = wanted.filter { !layer.ids.contains($0) }
            guard unknown.isEmpty else { throw SpecError.unknownCodes(layer: layerName, codes: unknown, known: layer.ids) }
            features = layer.ids.indices.filter { wanted.contains(layer.ids[$0]) }
        } else {
            features = layer.ids.indices.filter { !excluded.contains(layer.ids[$0]) }
        }
        guard !features.isEmpty else { throw SpecError.empty(s) }
        let codes = features.map { layer.ids[$0] }
        let text = s == defaultSpec ? "localidades:\(codes.joined(separator: ",")) (sin Sumapaz)" : "\(layerName):\(codes.joined(separator: ","))"
        return StudyArea(layer: layer, codes: codes, features: features, description: text,
                         locator: LayerSet.shared.locator(for: layer, features: features))
    }

    /// Envelope of the selected features in the working CRS.
    public var envelope: Envelope {
        var e = Envelope.empty
        for f in features { e.expand(layer.polygons[f].envelope) }
        return e
    }

    /// Area of the selected features (km², GEOS).
    public var areaKm2: Double { features.reduce(0) { $0 + layer.areasKm2[$1] } }

    /// For each point, whether it lies in the study area (exact, GEOS-backed locator; a point on
    /// the area's outer boundary counts as inside).
    public func contains(x: [Double], y: [Double]) throws -> [Bool] {
        try locator.locate(x: x, y: y).map { $0 >= 0 }
    }

    /// `contains` for the centres of a grid's cells, row by row from the origin: cell (c, r) has
    /// centre (originX + (c + ½)·s, originY + (r + ½)·s), as `Grid.centre` computes it. The mask of
    /// a grid depends only on the area and the grid, so the layer set keeps it (and the layer cache
    /// between runs): a warm run does no point-in-polygon test for it.
    public func containsCellCentres(originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int) throws -> [Bool] {
        try LayerSet.shared.cellMask(of: self, grid: (originX, originY, cellSize, columns, rows)) {
            var cx: [Double] = [], cy: [Double] = []
            cx.reserveCapacity(columns * rows); cy.reserveCapacity(columns * rows)
            for r in 0..<rows {
                for c in 0..<columns {
                    cx.append(originX + (Double(c) + 0.5) * cellSize); cy.append(originY + (Double(r) + 0.5) * cellSize)
                }
            }
            return try contains(x: cx, y: cy)
        }
    }
}
