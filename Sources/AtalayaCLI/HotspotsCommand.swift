import ArgumentParser
import Engine
import Foundation
import Localization

extension HotspotJob.Request.Method: ExpressibleByArgument {}

struct HotspotsCommand: ParsableCommand {
    typealias Method = HotspotJob.Request.Method
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

    func run() throws {
        Log.quiet = quiet
        let request = HotspotJob.Request(source: analysis.selection.source(input: input, incidents: incidents), layers: geodata.layerSource,
                                      settings: try analysis.settings(), output: output, method: method, topPercent: top,
                                      distance: distance, units: units == "cells" ? .cells : .layer(units),
                                      permutations: permutations, seed: seed, fdr: pValues.map { $0 == .fdr }, minIncidents: minIncidents)
        _ = try engine { try HotspotJob.run(request, log: Log.engine) }
    }
}
