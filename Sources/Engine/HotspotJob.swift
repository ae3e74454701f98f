import Analysis
import Formats
import Foundation
import Primitives
import SpatialCore

/// The units a local statistic is computed on.
public enum HotspotUnits: Sendable, Equatable {
    case cells
    case layer(String)   // e.g. "upz": counts per polygon, neighbours by shared boundary
}

/// Layers whose units every hotspot polygon lists: for each, `<layer>` (codes sorted in byte order)
/// and `<layer>_names` (their official names, aligned with the codes).
public struct TouchedLayers {
    let names: [String]
    let overlays: [LayerOverlay]
    /// The layers read, for provenance.
    public let used: [Provenance.LayerUsed]

    /// Every admin and patrol layer of the catalog (localidades, upz, upl, municipios_region,
    /// policia_cuadrantes in the shipped manifest), in catalog order.
    public static func defaultNames(_ catalog: LayerCatalog) -> [String] {
        catalog.layers.filter { $0.role == .admin || $0.role == .patrol }.map(\.name)
    }

    public init(catalog: LayerCatalog, crs: String, names: [String]? = nil) throws {
        var kept: [String] = [], overlays: [LayerOverlay] = [], used: [Provenance.LayerUsed] = []
        for n in names ?? Self.defaultNames(catalog) {
            let layer = try PolygonLayer.load(catalog.spec(named: n), catalog: catalog, crs: crs)
            kept.append(n); overlays.append(try LayerOverlay(layer)); used.append(Provenance.LayerUsed(layer))
        }
        self.names = kept
        self.overlays = overlays
        self.used = used
    }

    func properties(for shape: Polygonal) throws -> [(String, PropertyValue)] {
        try zip(names, overlays).flatMap { name, overlay -> [(String, PropertyValue)] in
            let u = try overlay.units(intersecting: shape)
            return [(name, .strings(u.codes)), (name + "_names", .strings(u.names))]
        }
    }
}

/// Hotspot polygons and statistics: `kde` (densest cells covering a share of the study area),
/// `gistar` (Getis-Ord Gi* with FDR), `lisa` (Local Moran's I with conditional permutations).
public enum HotspotJob {
    /// KDE hotspots: the densest cells covering `topPercent` of the study area's cells (ties broken by
    /// cell order), dissolved into polygons and ranked by incidents (then smaller area first).
    public static func kde(points: AnalysisPoints, density r: DensityResult, topPercent: Double,
                           touched: TouchedLayers, minIncidents: Int = 1) throws -> (features: [PolygonFeature], analysis: [String: String]) {
        let g = r.grid.grid
        let inArea = (0..<g.cellCount).filter { r.grid.mask[$0] }
        let k = Int((Double(inArea.count) * topPercent / 100).rounded(.up))
        let order = inArea.sorted { a, b in
            let va = r.surface.values[a], vb = r.surface.values[b]
            return va == vb ? a < b : va > vb
        }
        var selected = [Bool](repeating: false, count: g.cellCount)
        for c in order.prefix(k) where r.surface.values[c] > 0 { selected[c] = true }
        let parts = CellDissolve.dissolve(originX: g.originX, originY: g.originY, cellSize: g.cellSize,
                                          columns: g.columns, rows: g.rows, selected: selected)
        let ranked = try rank(parts, grid: r.grid, points: points, touched: touched, minIncidents: minIncidents) { part in
            // Peak density: the densest of the polygon's cells.
            [("peak_density", .number(part.cells.lazy.map { r.surface.values[$0] }.max() ?? 0, decimals: 4))]
        }
        let analysis = [
            "hotspot_method": "kde: densest cells covering \(topPercent) % of the study area's cells (\(k) of \(inArea.count)), dissolved exactly (boundary traced on the grid's integer coordinates)",
            "hotspot_incidents_in_study_area": String(ranked.total),
            "pai": "PAI = (n/N)/(a/A), N = incidents in the study area, A = study area km² (Chainey 2008)",
            "min_incidents": ranked.record,
            "polygons_dropped": String(ranked.dropped),
        ]
        return (ranked.features, analysis)
    }

    /// Gi* settings: the distance band when none is given (in cell sizes) and whether significance
    /// (Gi* bins, LISA's `significant`) uses Benjamini–Hochberg adjusted p-values.
    public struct Settings: Sendable {
        public var bandCells: Double
        public var fdr: Bool
        public var source: String
        public init(bandCells: Double = 3, fdr: Bool = true, source: String = "atalaya") {
            self.bandCells = bandCells; self.fdr = fdr; self.source = source
        }
        /// sfhotspot's `hotspot_gistar`: queen neighbours (a band of cell·√2) and unadjusted p.
        public static let sfhotspot = Settings(bandCells: 2.0.squareRoot(), fdr: false, source: "sfhotspot profile")
    }

    /// Gi* on grid cells (binary weights with self, distance band in metres) or on a layer's polygons
    /// (neighbours by shared boundary). On cells, the dissolved polygons of hot cells (gi_bin ≥ 2) come
    /// back apart (`hot`), to be written as their own layer. On polygons, a unit with no incident is never
    /// called hot: its high z comes from its neighbours alone (a small municipio beside Bogotá); its bin
    /// is 0 and `note` says why (listed in `zeroHot`).
    public static func giStar(points: AnalysisPoints, grid: AnalysisGrid, distance: Double?, units: HotspotUnits,
                              catalog: LayerCatalog, touched: TouchedLayers, minIncidents: Int = 1, settings: Settings = Settings()) throws
        -> (features: [PolygonFeature], hot: [PolygonFeature], analysis: [String: String], warnings: [String], layers: [Provenance.LayerUsed]) {
        let pText = settings.fdr ? "the FDR-adjusted p (Benjamini–Hochberg)" : "the unadjusted p (\(settings.source))"
        switch units {
        case .cells:
            let g = grid.grid
            let counts = try g.counts(x: points.x, y: points.y, weights: points.weights)
            let band = distance ?? settings.bandCells * g.cellSize
            let result = GetisOrd.giStarGrid(counts: counts, columns: g.columns, rows: g.rows, mask: grid.mask,
                                             bandCells: band / g.cellSize, fdr: settings.fdr)
            let features = try cellFeatures(grid: grid) { k in
                [("count", .number(counts[k], decimals: 0)), ("gi_z", .number(result.z[k], decimals: 6)),
                 ("gi_p", .number(result.p[k], decimals: 8)), ("gi_p_fdr", .number(result.pFDR[k], decimals: 8)),
                 ("gi_bin", .int(Int(result.bin[k])))]
            }
            let hot = (0..<g.cellCount).map { grid.mask[$0] && result.bin[$0] >= 2 }
            let hotPolygons = try dissolvedHotspots(hot, grid: grid, points: points, touched: touched,
                                                    label: "gi_bin ≥ 2 (hot, 95 % on \(settings.fdr ? "FDR-adjusted" : "unadjusted") p)",
                                                    minIncidents: minIncidents)
            let bandSource = distance != nil ? "given"
                : settings.bandCells == 3 ? "rule: 3 cell sizes (a 29-cell circular neighbourhood)"
                : "\(settings.source): cell size × √2 (queen: the 8 surrounding cells)"
            return (features, hotPolygons.features, [
                "min_incidents": hotPolygons.record,
                "hotspot_method": "gistar: Getis-Ord Gi*, binary weights including self, on grid cells",
                "distance_band_m": String(band),
                "distance_band_source": bandSource,
                "fdr": "Benjamini–Hochberg adjusted p in gi_p_fdr; gi_bin uses \(pText) (±3 p<0.01, ±2 p<0.05, ±1 p<0.10)",
            ], [], [])
        case let .layer(name):
            let layer = try PolygonLayer.load(catalog.spec(named: name), catalog: catalog, crs: grid.crs)
            let values = try polygonCounts(points: points, layer: layer)
            let neighbours = try Contiguity.neighbours(of: layer.polygons)
            let result = GetisOrd.giStar(values: values, neighbours: neighbours, fdr: settings.fdr)
            var bins = result.bin
            var zeroHot: [Int] = []
            for k in 0..<layer.count where values[k] == 0 && bins[k] > 0 { bins[k] = 0; zeroHot.append(k) }
            let note = "0 incidentes: no es un punto caliente; su z alto viene solo de sus vecinas (Gi* incluye a las vecinas en la suma)"
            let features = try polygonFeatures(layer: layer) { k in
                [("code", .string(layer.ids[k])), ("name", .string(layer.names[k])), ("count", .number(values[k], decimals: 0)),
                 ("neighbours", .int(neighbours[k].count)),
                 ("gi_z", .number(result.z[k], decimals: 6)), ("gi_p", .number(result.p[k], decimals: 8)),
                 ("gi_p_fdr", .number(result.pFDR[k], decimals: 8)), ("gi_bin", .int(Int(bins[k]))),
                 ("note", zeroHot.contains(k) ? .string(note) : .null)]
            }
            var warnings: [String] = []
            if !zeroHot.isEmpty {
                warnings.append("\(zeroHot.count) unidades de \(name) sin incidentes tenían gi_bin > 0 por sus vecinas y quedan en 0 (campo note): "
                                + zeroHot.map { "\(layer.ids[$0]) \(layer.names[$0])" }.joined(separator: ", "))
            }
            let areas = layer.areasKm2.filter { $0 > 0 }.sorted()
            if let small = areas.first, let large = areas.last, large / small > 10 {
                warnings.append(String(format: "las unidades de %@ van de %.2f a %.0f km²: Gi* sobre conteos favorece a las unidades grandes y a sus vecinas; compare con tasas (incidentes por habitante) o use celdas", name, small, large))
            }
            return (features, [], [
                "hotspot_method": "gistar: Getis-Ord Gi*, binary weights including self, on \(name) polygons",
                "neighbours": "shared boundary (queen contiguity, GEOS intersects)",
                "fdr": "Benjamini–Hochberg adjusted p in gi_p_fdr; gi_bin uses \(pText)",
                "zero_incident_units": "a unit with 0 incidents is never hot: gi_bin 0 and a note (\(zeroHot.count) such units)",
            ], warnings, [Provenance.LayerUsed(layer)])
        }
    }

    /// Local Moran's I with conditional permutations (row-standardised weights). `significant` (a
    /// boolean) is pseudo-p ≤ 0.05 after Benjamini–Hochberg by default, as Gi*'s bins.
    public static func lisa(points: AnalysisPoints, grid: AnalysisGrid, units: HotspotUnits, permutations: Int, seed: UInt64,
                            catalog: LayerCatalog, fdr: Bool = true) throws
        -> (features: [PolygonFeature], analysis: [String: String], layers: [Provenance.LayerUsed]) {
        func props(_ r: LocalMoranResult, _ k: Int, _ v: Double) -> [(String, PropertyValue)] {
            [("count", .number(v, decimals: 0)), ("lisa_i", .number(r.I[k], decimals: 6)),
             ("lisa_p", .number(r.pseudoP[k], decimals: 6)), ("lisa_p_fdr", .number(r.pFDR[k], decimals: 6)),
             // No quadrant (an island or an excluded location) is null, not the text "none" (house style).
             ("quadrant", r.quadrant[k] == .none ? .null : .string(r.quadrant[k].rawValue)), ("significant", .bool(r.significant[k]))]
        }
        let analysis = ["hotspot_method": "lisa: Local Moran's I, row-standardised weights, conditional permutations",
                        "permutations": String(permutations), "seed": String(seed),
                        "pseudo_p": "(extreme + 1)/(permutations + 1), folded as esda",
                        "significant": fdr ? "lisa_p_fdr ≤ 0.05 (Benjamini–Hochberg)" : "lisa_p ≤ 0.05 (unadjusted)"]
        switch units {
        case .cells:
            let g = grid.grid
            var counts = try g.counts(x: points.x, y: points.y, weights: points.weights)
            for k in 0..<counts.count where !grid.mask[k] { counts[k] = .nan }
            let neighbours = SpatialNeighbours.gridQueen(columns: g.columns, rows: g.rows, mask: grid.mask)
            let r = LocalMoran.compute(values: counts, neighbours: neighbours, permutations: permutations, seed: seed, fdr: fdr)
            return (try cellFeatures(grid: grid) { props(r, $0, counts[$0]) }, analysis.merging(["neighbours": "queen (8 cells)"]) { $1 }, [])
        case let .layer(name):
            let layer = try PolygonLayer.load(catalog.spec(named: name), catalog: catalog, crs: grid.crs)
            let values = try polygonCounts(points: points, layer: layer)
            let neighbours = try Contiguity.neighbours(of: layer.polygons)
            let r = LocalMoran.compute(values: values, neighbours: neighbours, permutations: permutations, seed: seed, fdr: fdr)
            return (try polygonFeatures(layer: layer) { [("code", .string(layer.ids[$0])), ("name", .string(layer.names[$0]))] + props(r, $0, values[$0]) },
                    analysis.merging(["neighbours": "shared boundary (queen contiguity)"]) { $1 }, [Provenance.LayerUsed(layer)])
        }
    }


    // MARK: Helpers

    static func polygonCounts(points: AnalysisPoints, layer: PolygonLayer) throws -> [Double] {
        let hit = try LayerSet.shared.locator(for: layer).locate(x: points.x, y: points.y)
        var v = [Double](repeating: 0, count: layer.count)
        for (i, h) in hit.enumerated() where h >= 0 { v[Int(h)] += points.weights?[i] ?? 1 }
        return v
    }

    static func cellFeatures(grid: AnalysisGrid, _ props: (Int) -> [(String, PropertyValue)]) throws -> [PolygonFeature] {
        let index = (0..<grid.grid.cellCount).filter { grid.mask[$0] }
        return index.map { k in
            let shape = grid.cellSquare(k)
            return PolygonFeature(geometry: shape, properties: [("kind", .string("cell")), ("cell", .int(k))] + props(k))
        }
    }

    static func polygonFeatures(layer: PolygonLayer, _ props: (Int) -> [(String, PropertyValue)]) throws -> [PolygonFeature] {
        return layer.polygons.enumerated().map { k, shape in
            PolygonFeature(geometry: shape, properties: [("kind", .string("unit"))] + props(k))
        }
    }

    /// Ranked polygons of a cell selection: one feature per connected part with at least
    /// `minIncidents` incidents, ranked by incidents (then smaller area first), each with `rank`,
    /// `incidents` (an exact point-in-polygon recount of the study area's incidents), `share`,
    /// `area_km2` (cells × cell area), `pai` = (n/N)/(a/A) (Chainey 2008), `extra` and the units touched.
    static func rank(_ parts: [CellDissolve.Part], grid: AnalysisGrid, points: AnalysisPoints, touched: TouchedLayers,
                     minIncidents: Int, leading: [(String, PropertyValue)] = [],
                     extra: (CellDissolve.Part) -> [(String, PropertyValue)]) throws
        -> (features: [PolygonFeature], total: Int, dropped: Int, record: String) {
        let g = grid.grid
        let shapes = parts.map(\.shape)
        let inStudy = grid.inArea(points)
        let total = inStudy.lazy.filter { $0 }.count
        var incidents = [Int](repeating: 0, count: shapes.count)
        if !shapes.isEmpty {
            // The parts are unions of grid cells, so only a point whose cell is one of them, or that lies
            // within 10⁻⁹ cell of such a cell (on a shared edge or corner), can be in one: the exact
            // locator runs on those points alone and gives the same counts. (Vertices are origin + i·cell
            // and x − origin is exact, so their rounding is far below 10⁻⁹ cell.)
            var selected = [Bool](repeating: false, count: g.cellCount)
            for part in parts { for c in part.cells { selected[c] = true } }
            let cols = g.columns, rows = g.rows, eps = 1e-9
            func isSelected(_ c: Int, _ r: Int) -> Bool { c >= 0 && c < cols && r >= 0 && r < rows && selected[r * cols + c] }
            var cx: [Double] = [], cy: [Double] = []
            for i in 0..<points.count where inStudy[i] {
                let x = points.x[i], y = points.y[i]
                let fc = (x - g.originX) / g.cellSize, fr = (y - g.originY) / g.cellSize
                let c = Int(fc.rounded(.down)), r = Int(fr.rounded(.down))   // in the grid: inStudy
                var near = selected[r * cols + c]
                if !near {
                    let dc = fc - Double(c) < eps ? -1 : Double(c + 1) - fc < eps ? 1 : 0
                    let dr = fr - Double(r) < eps ? -1 : Double(r + 1) - fr < eps ? 1 : 0
                    near = (dc != 0 && isSelected(c + dc, r)) || (dr != 0 && isSelected(c, r + dr))
                        || (dc != 0 && dr != 0 && isSelected(c + dc, r + dr))
                }
                if near { cx.append(x); cy.append(y) }
            }
            let hit = try PolygonLocator(polygons: shapes, ids: shapes.indices.map { String(format: "%08d", $0) }).locate(x: cx, y: cy)
            for h in hit where h >= 0 { incidents[Int(h)] += 1 }
        }
        let areas = parts.map { Double($0.cells.count) * g.cellArea / 1e6 }
        let kept = shapes.indices.filter { incidents[$0] >= minIncidents }
        let ranking = kept.sorted { a, b in
            if incidents[a] != incidents[b] { return incidents[a] > incidents[b] }
            return areas[a] != areas[b] ? areas[a] < areas[b] : a < b
        }
        var features: [PolygonFeature] = []
        for (k, s) in ranking.enumerated() {
            let share = total > 0 ? Double(incidents[s]) / Double(total) : 0
            let areaShare = areas[s] / grid.areaKm2
            var props = leading
            props += [("rank", .int(k + 1)), ("incidents", .int(incidents[s])), ("share", .number(share, decimals: 6)),
                      ("area_km2", .number(areas[s], decimals: 6)),
                      ("pai", .number(areaShare > 0 ? share / areaShare : .nan, decimals: 4))]
            props += extra(parts[s])
            props += try touched.properties(for: shapes[s])
            features.append(PolygonFeature(geometry: shapes[s], properties: props))
        }
        let dropped = shapes.count - kept.count
        return (features, total, dropped,
                "\(minIncidents): polygons with fewer incidents are dropped (\(dropped) of \(shapes.count) dropped)")
    }

    static func dissolvedHotspots(_ selected: [Bool], grid: AnalysisGrid, points: AnalysisPoints, touched: TouchedLayers,
                                  label: String, minIncidents: Int) throws -> (features: [PolygonFeature], record: String) {
        let g = grid.grid
        let parts = CellDissolve.dissolve(originX: g.originX, originY: g.originY, cellSize: g.cellSize,
                                          columns: g.columns, rows: g.rows, selected: selected)
        let ranked = try rank(parts, grid: grid, points: points, touched: touched, minIncidents: minIncidents,
                              leading: [("kind", .string("hotspot")), ("rule", .string(label))]) { _ in [] }
        return (ranked.features, ranked.record)
    }
}
