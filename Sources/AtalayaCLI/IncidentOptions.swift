import ArgumentParser
import Foundation
import Incidents
import SpatialCore

/// How to read an incident export: column names, CRS, swapped coordinates, rejects file.
struct IncidentInputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Latitude (or y) column. Default: auto-detect latitud/lat/latitude (y/norte/northing with a projected --crs).", valueName: "column"))
    var lat: String?
    @Option(help: ArgumentHelp("Longitude (or x) column. Default: auto-detect longitud/lon/lng/longitude (x/este/easting).", valueName: "column"))
    var lon: String?
    @Option(help: ArgumentHelp("Date/time column. Default: auto-detect fecha_hecho/fecha/date.", valueName: "column"))
    var time: String?
    // Not `--category`: the analysis commands use that name for the category filter.
    @Option(name: .customLong("category-column"),
            help: ArgumentHelp("Category column. Default: auto-detect delito/categoria/category.", valueName: "column"))
    var categoryColumn: String?
    @Option(help: ArgumentHelp("Incident id column (duplicates are rejected). Default: auto-detect id.", valueName: "column"))
    var id: String?
    @Option(help: ArgumentHelp("CRS of the input coordinates: EPSG:4326/EPSG:4686 lon/lat degrees, or a projected CRS such as EPSG:9377 or EPSG:3116 for x/y columns.", valueName: "crs"))
    var crs: String = WorkingCRS.geographic
    @Flag(help: "Correct rows whose latitude and longitude are swapped (default: reject them as swapped_lat_lon).")
    var fixSwapped = false
    @Option(help: ArgumentHelp("Rejects CSV (line, reason, field, detail, record), written only when there are rejects. Default: <output-stem>.rejects.csv beside the output (ingest: <file-stem>.rejects.csv beside each file). Must not be an input or another output.", valueName: "path"))
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
            throw ValidationError("--category '\(alias)' and --category-column '\(categoryColumn)' name different columns; give one")
        }
    }

    /// Stderr report: rows read, accepted, rejected per reason.
    func reportCounts(_ r: ReadResult, rejectsPath: String) {
        Log.info("filas leídas: \(r.table.dataRows) · aceptadas: \(r.table.count) · rechazadas: \(r.rejects.count)")
        for (reason, n) in r.rejectCounts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where n > 0 {
            Log.info("  rechazo \(reason.rawValue): \(n)")
        }
        if !r.rejects.isEmpty { Log.info("  rechazos escritos en \(rejectsPath)") }
    }
}
