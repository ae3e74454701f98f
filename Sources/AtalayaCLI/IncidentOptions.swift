import ArgumentParser
import Engine
import Foundation
import Incidents
import Localization
import Primitives

/// How to read an incident export: column names, CRS, swapped coordinates, rejects file.
struct IncidentInputOptions: ParsableArguments {
    @Option(help: ArgumentHelp(tr("Columna de latitud (o y). Por defecto: se detecta latitud/lat/latitude (y/norte/northing con un --crs proyectado).", "Latitude (or y) column. Default: auto-detect latitud/lat/latitude (y/norte/northing with a projected --crs)."), valueName: "column"))
    var lat: String?
    @Option(help: ArgumentHelp(tr("Columna de longitud (o x). Por defecto: se detecta longitud/lon/lng/longitude (x/este/easting).", "Longitude (or x) column. Default: auto-detect longitud/lon/lng/longitude (x/este/easting)."), valueName: "column"))
    var lon: String?
    @Option(help: ArgumentHelp(tr("Columna de fecha/hora. Por defecto: se detecta fecha_hecho/fecha/date.", "Date/time column. Default: auto-detect fecha_hecho/fecha/date."), valueName: "column"))
    var time: String?
    // Not `--category`: the analysis commands use that name for the category filter.
    @Option(name: .customLong("category-column"),
            help: ArgumentHelp(tr("Columna de categoría. Por defecto: se detecta delito/categoria/category.", "Category column. Default: auto-detect delito/categoria/category."), valueName: "column"))
    var categoryColumn: String?
    @Option(help: ArgumentHelp(tr("Columna de identificador (los duplicados se rechazan). Por defecto: se detecta id.", "Incident id column (duplicates are rejected). Default: auto-detect id."), valueName: "column"))
    var id: String?
    @Option(help: ArgumentHelp(tr("CRS de las coordenadas de entrada: EPSG:4326/EPSG:4686 en grados lon/lat, o un CRS proyectado como EPSG:9377 o EPSG:3116 para columnas x/y.", "CRS of the input coordinates: EPSG:4326/EPSG:4686 lon/lat degrees, or a projected CRS such as EPSG:9377 or EPSG:3116 for x/y columns."), valueName: "crs"))
    var crs: String = WorkingCRS.geographic
    @Flag(help: ArgumentHelp(tr("Corrige las filas con latitud y longitud intercambiadas (por defecto: se rechazan como swapped_lat_lon).", "Correct rows whose latitude and longitude are swapped (default: reject them as swapped_lat_lon).")))
    var fixSwapped = false
    @Option(help: ArgumentHelp(tr("CSV de rechazos (line, reason, field, detail, record), escrito solo cuando hay rechazos. Por defecto: <salida-sin-extensión>.rejects.csv junto a la salida (ingest: <archivo>.rejects.csv junto a cada archivo). No puede ser una entrada ni otra salida.", "Rejects CSV (line, reason, field, detail, record), written only when there are rejects. Default: <output-stem>.rejects.csv beside the output (ingest: <file-stem>.rejects.csv beside each file). Must not be an input or another output."), valueName: "path"))
    var rejects: String?

    /// Column choices and swap handling; the study-area box and projected flag are set by the pipeline.
    /// - Parameter categoryAlias: the category column as named by `--category` in `assign` and `ingest`
    ///   (which have no category filter); checked against `--category-column` by `checkCategoryAlias`.
    func readOptions(categoryAlias: String? = nil) -> ReadOptions {
        let category = categoryColumn ?? categoryAlias
        var o = ReadOptions(columns: ColumnMapping(lat: lat, lon: lon, time: time, category: category, id: id))
        o.fixSwapped = fixSwapped
        return o
    }

    /// `--category` (a column, in `assign` and `ingest`) and `--category-column` must agree when both are given.
    func checkCategoryAlias(_ alias: String?) throws {
        if let alias, let categoryColumn, alias != categoryColumn {
            throw ValidationError(tr("--category '\(alias)' y --category-column '\(categoryColumn)' nombran columnas distintas; indique una", "--category '\(alias)' and --category-column '\(categoryColumn)' name different columns; give one"))
        }
    }

    /// The Engine's file-reading options.
    func fileOptions(categoryAlias: String? = nil) -> IncidentFileOptions {
        IncidentFileOptions(read: readOptions(categoryAlias: categoryAlias), crs: crs, rejects: rejects)
    }
}
