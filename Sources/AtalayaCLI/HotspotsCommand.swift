import Analysis
import ArgumentParser
import Formats
import Foundation
import Localization
import Engine

struct HotspotsCommand: ParsableCommand {
    enum Method: String, ExpressibleByArgument, CaseIterable { case kde, gistar, lisa }
    enum PValues: String, ExpressibleByArgument, CaseIterable { case fdr, raw }

    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: tr("Polígonos de puntos calientes: celdas más densas del KDE, Gi* de Getis-Ord (con FDR) o I de Moran local.", "Hotspot polygons: densest KDE cells, Getis-Ord Gi* (with FDR) or Local Moran's I."),
        discussion: tr("""
        kde (por defecto): las celdas más densas que cubren --top por ciento del área de estudio, disueltas \
        exactamente en polígonos ordenados por incidentes; cada uno tiene rank, incidents, share, area_km2, \
        pai, peak_density y los códigos y nombres de las localidades, UPZ, UPL, municipios y cuadrantes que \
        toca (p. ej. localidades ["08"] y localidades_names ["Kennedy"], ordenados por código). Se descartan \
        los polígonos con menos de --min-incidents incidentes (por defecto 1); la procedencia dice cuántos.
        gistar: conteos por celda (o por polígono con --units upz), Gi* con pesos binarios que incluyen la \
        propia unidad, banda de distancia --distance (por defecto 3 tamaños de celda) o límites compartidos \
        para polígonos; por unidad count, gi_z, gi_p, gi_p_fdr (Benjamini–Hochberg), gi_bin (−3…3 como \
        ArcGIS, sobre la p ajustada por FDR salvo --p-values raw). En celdas, los polígonos disueltos de las \
        celdas calientes (gi_bin ≥ 2) van a su propio archivo junto a la salida: SALIDA.hot.geojson (o \
        SALIDA.hot.gpkg). En polígonos, una unidad con 0 incidentes nunca se llama caliente (su z viene solo \
        de sus vecinos, p. ej. un municipio pequeño junto a Bogotá): gi_bin 0 y una nota, listada en stderr; \
        se advierte cuando las unidades tienen tamaños muy distintos (Gi* sobre conteos favorece las grandes).
        lisa: I de Moran local con --permutations permutaciones condicionales con semilla, pseudo-p, FDR y \
        cuadrante (HH, LH, LL, HL); significant (booleano) sobre la p ajustada por FDR salvo --p-values raw.
        --profile sfhotspot también copia los ajustes de hotspot_gistar de sfhotspot: vecinos reina (una \
        banda de celda × √2) y p sin ajustar.
        Salida: GeoJSON (EPSG:4326, RFC 7946) con la procedencia en el miembro "atalaya", o GeoPackage.
        """, """
        kde (default): the densest cells covering --top percent of the study area, dissolved exactly \
        into polygons ranked by incidents; each has rank, incidents, share, area_km2, pai, peak_density \
        and the codes and names of the localidades, UPZ, UPL, municipios and cuadrantes it touches \
        (e.g. localidades ["08"] and localidades_names ["Kennedy"], sorted by code). Polygons with fewer \
        than --min-incidents incidents (default 1) are dropped; the provenance says how many.
        gistar: incident counts per cell (or per polygon with --units upz), Gi* with binary weights \
        including self, distance band --distance (default 3 cell sizes) or shared boundaries for \
        polygons; per unit count, gi_z, gi_p, gi_p_fdr (Benjamini–Hochberg), gi_bin (−3…3 as ArcGIS, \
        on the FDR-adjusted p unless --p-values raw). On cells, the dissolved polygons of hot cells \
        (gi_bin ≥ 2) go to their own file beside the output: OUTPUT.hot.geojson (or OUTPUT.hot.gpkg). \
        On polygons, a unit with 0 incidents is never called hot (its z comes from its neighbours \
        only, e.g. a small municipio beside Bogotá): gi_bin 0 and a note, listed on stderr; units of \
        very different sizes are warned about (Gi* on counts favours large units; compare rates).
        lisa: Local Moran's I with --permutations seeded conditional permutations, pseudo-p, FDR and \
        quadrant (HH, LH, LL, HL); significant (a boolean) on the FDR-adjusted p unless --p-values raw.
        --profile sfhotspot also copies sfhotspot's hotspot_gistar settings: queen neighbours (a band \
        of cell × √2) and unadjusted p.
        Output: GeoJSON (EPSG:4326, RFC 7946) with provenance in the "atalaya" member.
        """)
    )

    @Argument(help: ArgumentHelp(tr("Archivo de incidentes (.csv o .geojson); o use --store.", "Incident file (.csv or .geojson); or use --store."))) var input: String?
    @Option(name: .shortAndLong, help: ArgumentHelp(tr("Salida: .geojson (EPSG:4326) o .gpkg (GeoPackage, CRS de trabajo).", "Output: .geojson (EPSG:4326) or .gpkg (GeoPackage, working CRS)."), valueName: "path")) var output: String
    @Option(help: ArgumentHelp(tr("kde, gistar o lisa.", "kde, gistar or lisa."))) var method: Method = .kde
    @Option(help: ArgumentHelp(tr("kde: porcentaje del área de estudio cubierto por celdas calientes.", "kde: percent of the study area covered by hotspot cells."))) var top: Double = 5
    @Option(help: ArgumentHelp(tr("gistar: banda de distancia en metros (por defecto: 3 tamaños de celda; con --profile sfhotspot, celda × √2).", "gistar: distance band in metres (default: 3 cell sizes; with --profile sfhotspot, cell × √2)."), valueName: "metres")) var distance: Double?
    @Option(help: ArgumentHelp(tr("gistar/lisa: 'cells' o una capa de polígonos (p. ej. upz, upl, localidades, policia_cuadrantes).", "gistar/lisa: 'cells' or a polygon layer (e.g. upz, upl, localidades, policia_cuadrantes)."), valueName: "cells|layer"))
    var units: String = "cells"
    @Option(help: ArgumentHelp(tr("lisa: número de permutaciones condicionales.", "lisa: number of conditional permutations."))) var permutations: Int = 999
    @Option(help: ArgumentHelp(tr("lisa: semilla aleatoria.", "lisa: random seed."))) var seed: UInt64 = 2026
    @Option(name: .customLong("p-values"), help: ArgumentHelp(tr("Clases de gistar y significancia de lisa: fdr (ajustado por Benjamini–Hochberg; por defecto) o raw (sin ajustar; por defecto del perfil sfhotspot).", "gistar bins and lisa's significant: fdr (Benjamini–Hochberg adjusted; default) or raw (unadjusted; the sfhotspot profile's default)."), valueName: "fdr|raw"))
    var pValues: PValues?
    @Option(help: ArgumentHelp(tr("Polígonos de kde y gistar: descarta los que tengan menos incidentes que esto (por defecto 1: ningún polígono sin incidentes; 0 conserva todos). La procedencia de la salida dice cuántos se descartaron.", "kde and gistar polygons: drop polygons with fewer incidents than this (default 1: no polygon without an incident; 0 keeps all). The output's provenance states how many were dropped."), valueName: "n"))
    var minIncidents: Int = 1
    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var incidents: IncidentInputOptions
    @OptionGroup var geodata: GeodataOptions
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func validate() throws {
        try analysis.selection.checkSource(input)
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["geojson", "json", "gpkg"].contains(ext) else { throw ValidationError(tr("--output debe ser un archivo .geojson o .gpkg", "--output must be a .geojson or .gpkg file")) }
        guard top > 0 && top <= 100 else { throw ValidationError(tr("--top debe estar en (0, 100]", "--top must be in (0, 100]")) }
        if let d = distance, !(d > 0 && d.isFinite) { throw ValidationError(tr("--distance debe ser un número positivo de metros", "--distance must be a positive number of metres")) }
        guard permutations >= 9 && permutations <= 99_999 else { throw ValidationError(tr("--permutations debe estar entre 9 y 99999", "--permutations must be between 9 and 99999")) }
        guard minIncidents >= 0 else { throw ValidationError(tr("--min-incidents debe ser 0 o más", "--min-incidents must be 0 or more")) }
    }

    /// Each layer once, in first-use order.
    static func distinct(_ layers: [Provenance.LayerUsed]) -> [Provenance.LayerUsed] {
        var seen = Set<String>()
        return layers.filter { seen.insert($0.name).inserted }
    }

    func run() throws {
        Log.quiet = quiet
        var clock = Stopwatch()
        let rejects = incidents.rejects ?? AssignRequest.defaultRejectsPath(output: output)
        try OutputPaths.checkDistinct(inputs: [input, analysis.selection.store], outputs: [output, rejects])
        let (catalog, points, grid, cellSource) = try analysis.prepare(input: input, incidents: incidents, geodata: geodata, rejects: rejects)
        let units: HotspotUnits = units == "cells" ? .cells : .layer(units)
        let features: [PolygonFeature]
        var hot: [PolygonFeature]? = nil
        var provenance: Provenance
        switch method {
        case .kde:
            let bw = try DensityJob.bandwidth(try analysis.bandwidthChoice(), points: points)
            let density = try DensityJob.run(points: points, grid: grid, kernel: analysis.resolvedKernel, bandwidth: bw,
                                             cellSource: cellSource, units: .density, edge: analysis.edge)
            for w in density.warnings { Log.warn(w) }
            Log.info(bw.explanation)
            Log.info("densidad calculada (\(clock.lap()))")
            let touched = try TouchedLayers(catalog: catalog, crs: geodata.workCRS)
            let out = try HotspotJob.kde(points: points, density: density, topPercent: top, touched: touched, minIncidents: minIncidents)
            logDropped(out.analysis)
            features = out.features
            provenance = DensityJob.provenance(density, points: points, command: "hotspots", extra: out.analysis.merging(["top_percent": String(top)]) { $1 })
            provenance.layers = Self.distinct(grid.layers + touched.used)
        case .gistar, .lisa:
            var settings = analysis.profile == .sfhotspot ? HotspotJob.Settings.sfhotspot : HotspotJob.Settings()
            if let p = pValues { settings.fdr = p == .fdr }
            let out: (features: [PolygonFeature], analysis: [String: String])
            var layersUsed = grid.layers
            if method == .gistar {
                let touched = try TouchedLayers(catalog: catalog, crs: geodata.workCRS)
                layersUsed += touched.used
                let gi = try HotspotJob.giStar(points: points, grid: grid, distance: distance, units: units, catalog: catalog, touched: touched,
                                               minIncidents: minIncidents, settings: settings)
                for w in gi.warnings { Log.warn(w) }
                logDropped(gi.analysis)
                out = (gi.features, gi.analysis.merging(units == .cells ? ["hot_polygons_file": hotPath] : [:]) { $1 })
                layersUsed += gi.layers
                hot = units == .cells ? gi.hot : nil
            } else {
                let moran = try HotspotJob.lisa(points: points, grid: grid, units: units, permutations: permutations, seed: seed, catalog: catalog,
                                                fdr: settings.fdr)
                out = (moran.features, moran.analysis)
                layersUsed += moran.layers
            }
            features = out.features
            let (inputRecord, counts) = points.provenanceInput()
            provenance = Provenance(command: "hotspots", crs: grid.crs, input: inputRecord, counts: counts,
                                    layers: Self.distinct(layersUsed), rules: AnalysisGrid.rules)
            provenance.grid = grid.record
            var a = out.analysis
            a["cell_source"] = cellSource
            a["weights"] = points.weightColumn ?? "none (each incident counts 1)"
            a["incidents_after_filters"] = String(points.count)
            a.merge(points.filter.analysisRecord) { $1 }
            provenance.analysis = a
        }
        Log.info("\(features.count) polígonos (\(clock.lap()))")
        try writePolygons(features, provenance: provenance, table: "hotspots", crs: geodata.workCRS, to: output)
        Log.info("escrito \(output)")
        if let hot {
            // Cells and the polygons dissolved from them are different layers: a file each.
            if hot.isEmpty && hotPath.lowercased().hasSuffix(".gpkg") {
                Log.info("ningún polígono caliente (gi_bin ≥ 2): no se escribe \(hotPath)")
            } else {
                try writePolygons(hot, provenance: provenance, table: "hot_polygons", crs: geodata.workCRS, to: hotPath)
                Log.info("escrito \(hotPath): \(hot.count) polígonos calientes (gi_bin ≥ 2)")
            }
        }
    }

    /// Where gistar's hot polygons go: OUTPUT.hot.EXT beside the cells.
    var hotPath: String {
        let ext = (output as NSString).pathExtension
        return (output as NSString).deletingPathExtension + ".hot." + ext
    }

    func logDropped(_ analysis: [String: String]) {
        if let d = analysis["polygons_dropped"].flatMap(Int.init), d > 0 {
            Log.info("\(d) polígonos con menos de \(minIncidents) incidente(s) descartados (--min-incidents \(minIncidents))")
        }
    }
}
