import Foundation
import Localization

/// Kind of incident export. Chosen from the file extension by `IncidentReader.read(path:options:)`.
public enum InputFormat: String, Sendable {
    case csv, geojson

    /// `.csv`/`.txt`/`.tsv` → csv, `.geojson`/`.json` → geojson; anything else → nil (the reader then sniffs the content).
    public static func fromExtension(of path: String) -> InputFormat? {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv", "txt", "tsv": return .csv
        case "geojson", "json": return .geojson
        default: return nil
        }
    }
}

/// User overrides for column roles. `nil` means auto-detect (see `ColumnDetection`).
/// Names are matched exactly first, then after normalisation (case, accents, spaces, `_`, `-` ignored).
public struct ColumnMapping: Sendable, Equatable {
    public var lat: String?
    public var lon: String?
    public var time: String?
    public var category: String?
    public var id: String?

    public init(lat: String? = nil, lon: String? = nil, time: String? = nil, category: String? = nil, id: String? = nil) {
        self.lat = lat; self.lon = lon; self.time = time; self.category = category; self.id = id
    }
}

/// How to read and validate an incident export.
public struct ReadOptions: Sendable {
    /// Column overrides; unset roles are auto-detected.
    public var columns: ColumnMapping
    /// Input coordinates are projected x/y (the user gave a projected CRS). Then only finiteness and
    /// exact (0,0) are checked, and auto-detection prefers x/este/easting/coord_x (lon role) and
    /// y/norte/northing/coord_y (lat role), falling back to the geographic names.
    public var projected: Bool
    /// Accept rows whose lat/lon are swapped, swapping them back (`IncidentTable.wasSwapFixed`), instead of rejecting them.
    public var fixSwapped: Bool
    /// Study-area box in degrees, used only to recognise swapped lat/lon. Valid points outside it are accepted.
    public var expectedLonLatBox: (minLon: Double, minLat: Double, maxLon: Double, maxLat: Double)?

    public init(columns: ColumnMapping = ColumnMapping(),
                projected: Bool = false,
                fixSwapped: Bool = false,
                expectedLonLatBox: (minLon: Double, minLat: Double, maxLon: Double, maxLat: Double)? = nil) {
        self.columns = columns
        self.projected = projected
        self.fixSwapped = fixSwapped
        self.expectedLonLatBox = expectedLonLatBox
    }
}

/// Why a data row was rejected. A row gets exactly one reason, the first that applies in the order
/// malformed or unterminated quote → coordinates → date → duplicate id.
public enum RejectReason: String, Sendable, CaseIterable {
    /// More non-empty fields than the header (extra *empty* trailing
    /// fields, e.g. from a trailing delimiter, are tolerated); GeoJSON feature that is not a Feature or
    /// whose geometry is not a Point. Fewer fields than the header is NOT malformed: missing trailing
    /// fields count as empty (so a missing coordinate becomes `missingCoordinate`).
    case malformedRecord = "malformed_record"
    /// A quoted field that never closes (at the end of the file, still open after `CSVQuoting.maxLines`
    /// line breaks / `maxBytes` bytes, or spanning lines and "closed" by a quote that is not followed by
    /// the delimiter or the line end): the record is its first line(s) up to the end
    /// of the line where the quote opened, and reading resumes on the next line, so one bad quote costs one row.
    case unterminatedQuote = "unterminated_quote"
    /// Latitude or longitude empty (or absent), or GeoJSON geometry null/missing.
    case missingCoordinate = "missing_coordinate"
    /// Coordinate text is not a number.
    case nonNumericCoordinate = "non_numeric_coordinate"
    /// NaN or infinity (including numbers that overflow, e.g. `1e999`).
    case nonFiniteCoordinate = "non_finite_coordinate"
    /// |lat| > 90 or |lon| > 180 (geographic input only).
    case outOfRange = "out_of_range"
    /// Exactly (0, 0).
    case nullIsland = "null_island"
    /// Lat/lon swapped (needs `expectedLonLatBox`); only when `fixSwapped` is false.
    case swappedLatLon = "swapped_lat_lon"
    /// A time column exists and the value is empty.
    case missingDate = "missing_date"
    /// A time column exists and the value is not a valid date/time (see `DateParser`).
    case unparseableDate = "unparseable_date"
    /// Second and later occurrences of a non-empty id among otherwise accepted rows (first kept).
    case duplicateId = "duplicate_id"
}

/// One rejected data row.
public struct RejectedRow: Sendable, Equatable {
    /// 1-based physical line of the record's first line (CSV; header is line 1) or 1-based feature index (GeoJSON).
    public let line: Int
    public let reason: RejectReason
    /// Column involved. For pair-level reasons (null island, swapped) both names joined with ",";
    /// nil for malformed records.
    public let field: String?
    /// Human-readable detail, e.g. `latitud='abc'`.
    public let detail: String
    /// Original record text (without the line terminator); compact JSON of the feature for GeoJSON.
    public let text: String

    public init(line: Int, reason: RejectReason, field: String?, detail: String, text: String) {
        self.line = line; self.reason = reason; self.field = field; self.detail = detail; self.text = text
    }
}

/// Accepted rows plus every rejected row. `table.dataRows == table.count + rejects.count` always.
public struct ReadResult: Sendable {
    public let table: IncidentTable
    /// Sorted by line.
    public let rejects: [RejectedRow]

    public init(table: IncidentTable, rejects: [RejectedRow]) {
        self.table = table; self.rejects = rejects
    }

    /// Number of rejects per reason (reasons with zero rejects are absent).
    public var rejectCounts: [RejectReason: Int] {
        var counts: [RejectReason: Int] = [:]
        for r in rejects { counts[r.reason, default: 0] += 1 }
        return counts
    }
}

/// Errors that stop reading altogether (as opposed to per-row rejects).
public enum IncidentReadError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    /// No data rows (only a header, blank lines, or an empty FeatureCollection).
    case empty(path: String)
    /// A required role (latitude/longitude) could not be detected, or a user-named column does not exist.
    case columnNotFound(path: String, role: String, tried: [String], available: [String])
    /// Every data row was rejected. `rejects` holds them when the whole file was read at once (so the
    /// caller can still write them, see `RejectsWriter.keepingRejects`); a streamed read has written them already.
    case noValidRows(path: String, rejected: Int, rejects: [RejectedRow] = [])
    case malformedGeoJSON(path: String, reason: String)
    /// The reader's own conservation check failed (lines read ≠ lines of records, or records ≠
    /// accepted + rejected). A bug, never a property of the file: nothing is written.
    case inconsistent(path: String, detail: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return tr("no se puede leer '\(path)': \(reason)", "cannot read '\(path)': \(reason)")
        case let .empty(path):
            return tr("'\(path)' no tiene filas de datos", "'\(path)' has no data rows")
        case let .columnNotFound(path, role, tried, available):
            let t = tried.joined(separator: ", "), a = available.joined(separator: ", ")
            return tr("'\(path)': no hay columna de \(Self.roleName(role)) (se probó: \(t)); columnas disponibles: \(a)",
                      "'\(path)': no \(role) column (tried: \(t)); available columns: \(a)")
        case let .noValidRows(path, rejected, _):
            if rejected == 1 {
                return tr("'\(path)': se rechazó su única fila de datos; ninguna es válida", "'\(path)': its only data row was rejected")
            }
            return tr("'\(path)': se rechazaron las \(rejected) filas de datos; ninguna es válida",
                      "'\(path)': all \(rejected) data rows were rejected")
        case let .malformedGeoJSON(path, reason):
            return tr("'\(path)' no es un GeoJSON válido: \(reason)", "'\(path)' is not valid GeoJSON: \(reason)")
        case let .inconsistent(path, detail):
            return tr("'\(path)': error interno del lector, los conteos no cuadran (\(detail)); no se escribió nada",
                      "'\(path)': internal reader error, the counts do not add up (\(detail)); nothing was written")
        }
    }

    /// A column role in the current language (`ColumnDetection` names roles in English: latitude, longitude, time, category, id).
    static func roleName(_ role: String) -> String {
        switch role {
        case "latitude": return tr("latitud", role)
        case "longitude": return tr("longitud", role)
        case "time": return tr("fecha", role)
        case "category": return tr("categoría", role)
        default: return role
        }
    }
}
