import ArgumentParser
import Engine
import Formats
import Foundation
import Localization

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: tr("Ubica cada incidente en su localidad, UPZ, UPL, municipio y cuadrante, con distancias a la infraestructura.", "Place every incident in its localidad, UPZ, UPL, municipio and cuadrante, with distances to infrastructure."),
        discussion: tr("""
        Entrada: CSV (UTF-8 o Latin-1, ',' o ';') o puntos GeoJSON. Salida según la extensión: .csv (con la \
        procedencia en <salida>.provenance.json) o .geojson (procedencia en el miembro "atalaya"). Se conserva \
        cada columna de entrada y se añaden x, y (CRS de trabajo, metros), <unidad>_code, <unidad>_name, status, \
        nearest_<capa>_id, nearest_<capa>_m (metros) y coord_fix.

        Nada se descarta en silencio: las filas con coordenadas, fechas o identificadores repetidos inválidos \
        van al archivo de rechazos con número de línea y motivo; filas de entrada = filas de salida + filas \
        rechazadas. Un punto fuera de todo polígono administrativo se conserva con status=outside.

        Regla de límites: un punto dentro de un polígono lo recibe (predicado exacto de GEOS); un punto sobre \
        un límite compartido recibe el polígono de menor código (orden de bytes) y, a igualdad, el primero del \
        archivo.
        """, """
        Input: CSV (UTF-8 or Latin-1, ',' or ';') or GeoJSON points. Output by extension: .csv (plus a \
        provenance sidecar <output-stem>.provenance.json) or .geojson (provenance in the "atalaya" member). Every input \
        column is kept and x, y (working CRS, metres), <unit>_code, <unit>_name, status, \
        nearest_<layer>_id, nearest_<layer>_m (metres) and coord_fix are appended.

        Nothing is dropped silently: rows with bad coordinates, dates or duplicate ids go to the rejects \
        file with line number and reason; input rows = output rows + rejected rows. A point in no \
        admin polygon is kept with status=outside.

        Boundary rule: a point inside a polygon gets it (GEOS exact predicate); a point on a shared \
        boundary gets the polygon with the smallest code (byte order), then the first in the file.
        """)
    )

    @Argument(help: ArgumentHelp(tr("Archivo de incidentes (.csv o .geojson).", "Incident file (.csv or .geojson)."))) var input: String
    @Option(name: .shortAndLong, help: ArgumentHelp(tr("Archivo de salida: .csv, .geojson o .gpkg (puntos GeoPackage en el CRS de trabajo).", "Output file: .csv, .geojson or .gpkg (GeoPackage points in the working CRS)."), valueName: "path")) var output: String
    @OptionGroup var incidents: IncidentInputOptions
    @Option(name: .customLong("category"), help: ArgumentHelp(tr("Columna de categoría (igual que --category-column).", "Category column (same as --category-column)."), valueName: "column"))
    var categoryAlias: String?
    @OptionGroup var geodata: GeodataOptions
    @Option(help: ArgumentHelp(tr("Imprime los incidentes por unidad de esta capa de polígonos (p. ej. localidades, upz, upl, policia_cuadrantes).", "Print incidents per unit of this polygon layer (e.g. localidades, upz, upl, policia_cuadrantes)."), valueName: "layer"))
    var summary: String?
    @Flag(help: ArgumentHelp(tr("Imprime el resumen en JSON.", "Print the summary as JSON."))) var json = false
    @Option(help: ArgumentHelp(tr("Tamaño de celda en metros del índice exacto de polígonos (menor: menos pruebas GEOS, más memoria).", "Raster cell size in metres of the exact polygon index (smaller: fewer GEOS tests, more memory)."), valueName: "metres"))
    var indexCell: Double = 4
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func validate() throws {
        try incidents.checkCategoryAlias(categoryAlias)
        _ = try EnrichedOutput.format(of: output)
        if indexCell <= 0 || !indexCell.isFinite { throw ValidationError(tr("--index-cell debe ser un número positivo de metros", "--index-cell must be a positive number of metres")) }
    }

    func run() throws {
        Log.quiet = quiet
        let request = AssignRequest(input: input, output: output, rejects: incidents.rejects,
                                    readOptions: incidents.readOptions(categoryAlias: categoryAlias), inputCRS: incidents.crs,
                                    workCRS: geodata.workCRS, indexCell: indexCell)
        let (_, table) = try engine { try AssignPipeline.run(request, layers: geodata.layerSource, summary: summary, log: Log.engine) }
        if let table { print(json ? try table.renderJSON() : table.renderTable(), terminator: json ? "\n" : "") }
    }
}
