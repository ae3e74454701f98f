import ArgumentParser
import Export
import Foundation
import Localization
import SpatialCore

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Place every incident in its localidad, UPZ, UPL, municipio and cuadrante, with distances to infrastructure.",
        discussion: """
        Input: CSV (UTF-8 or Latin-1, ',' or ';') or GeoJSON points. Output by extension: .csv (plus a \
        provenance sidecar <output-stem>.provenance.json) or .geojson (provenance in the "atalaya" member). Every input \
        column is kept and x, y (working CRS, metres), <unit>_code, <unit>_name, status, \
        nearest_<layer>_id, nearest_<layer>_m (metres) and coord_fix are appended.

        Nothing is dropped silently: rows with bad coordinates, dates or duplicate ids go to the rejects \
        file with line number and reason; input rows = output rows + rejected rows. A point in no \
        admin polygon is kept with status=outside.

        Boundary rule: a point inside a polygon gets it (GEOS exact predicate); a point on a shared \
        boundary gets the polygon with the smallest code (byte order), then the first in the file.
        """
    )

    @Argument(help: "Incident file (.csv or .geojson).") var input: String
    @Option(name: .shortAndLong, help: ArgumentHelp("Output file: .csv, .geojson or .gpkg (GeoPackage points in the working CRS).", valueName: "path")) var output: String
    @OptionGroup var incidents: IncidentInputOptions
    @Option(name: .customLong("category"), help: ArgumentHelp("Category column (same as --category-column).", valueName: "column"))
    var categoryAlias: String?
    @OptionGroup var geodata: GeodataOptions
    @Option(help: ArgumentHelp("Print incidents per unit of this polygon layer (e.g. localidades, upz, upl, policia_cuadrantes).", valueName: "layer"))
    var summary: String?
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(help: ArgumentHelp("Raster cell size in metres of the exact polygon index (smaller: fewer GEOS tests, more memory).", valueName: "metres"))
    var indexCell: Double = 4
    @Flag(name: .shortAndLong, help: "No progress on stderr.") var quiet = false

    func validate() throws {
        try incidents.checkCategoryAlias(categoryAlias)
        _ = try EnrichedOutput.format(of: output)
        if indexCell <= 0 || !indexCell.isFinite { throw ValidationError(tr("--index-cell debe ser un número positivo de metros", "--index-cell must be a positive number of metres")) }
    }

    func run() throws {
        Log.quiet = quiet
        var clock = Stopwatch()
        let catalog = try geodata.catalog()
        let layers = try AssignmentLayers.load(catalog: catalog, crs: geodata.workCRS, cellSize: indexCell)
        Log.info(tr("capas cargadas e indexadas: \(layers.polygonLayers.count) polígonos, \(layers.pointLayers.count) puntos (\(clock.lap()))",
                     "layers loaded and indexed: \(layers.polygonLayers.count) polygon layers, \(layers.pointLayers.count) point layers (\(clock.lap()))"))
        let summaryLayer = summary.map { (try? catalog.spec(named: $0).name) ?? $0 }  // `localidad` names localidades
        if let s = summaryLayer, !layers.polygonLayers.contains(where: { $0.spec.name == s }) {
            let names = layers.polygonLayers.map(\.spec.name).joined(separator: ", ")
            throw ValidationError(tr("--summary: '\(s)' no es una capa de polígonos; use una de: \(names)",
                                     "--summary: '\(s)' is not a polygon layer; use one of: \(names)"))
        }
        let request = AssignRequest(input: input, output: output, rejects: incidents.rejects,
                                    readOptions: incidents.readOptions(categoryAlias: categoryAlias), inputCRS: incidents.crs,
                                    workCRS: geodata.workCRS, indexCell: indexCell)
        let report = try AssignPipeline.run(request, layers: layers, progress: Log.info)
        incidents.reportCounts(report.read, rejectsPath: request.rejects)

        if let s = summaryLayer, let k = layers.polygonLayers.firstIndex(where: { $0.spec.name == s }) {
            let table = UnitSummary(layer: layers.polygonLayers[k], assignment: report.assignment, layerIndex: k)
            print(json ? try table.renderJSON() : table.renderTable(), terminator: json ? "\n" : "")
        }
    }
}
