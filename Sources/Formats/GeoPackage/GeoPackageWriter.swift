import Foundation
import Localization
import Primitives
import SQLite

/// Writes OGC GeoPackage 1.3 (OGC 12-128r) vector files: one feature table per file.
public enum GeoPackageWriter {
    /// `PRAGMA application_id`: "GPKG".
    static let applicationID: Int32 = 0x4750_4B47
    /// `PRAGMA user_version` for GeoPackage 1.3.0.
    static let userVersion = 10300
    static let geometryColumn = "geom"
    static let fidColumn = "fid"

    /// Creates (replacing any existing file) a GeoPackage with one feature table, its spatial index
    /// (`gpkg_rtree_index` extension with the standard `rtree_<t>_<c>` table, populated), and the
    /// metadata tables. Rows: geometry + values aligned with `layer.columns`. One transaction;
    /// prepared statements.
    ///
    /// The file is built next to `path` and renamed over it only when complete, so a failure leaves
    /// any previous file untouched. Values must match their column's type (`.integer` is also accepted
    /// in a REAL column; `.null` anywhere); geometries must match `layer.geometryType`.
    ///
    /// - Throws: `GeoPackageError.invalidInput` for a bad layer or row, `SQLiteError` (with `path`)
    ///   when SQLite fails.
    public static func write(layer: GeoPackageLayer, rows: some Sequence<(GeoPackageGeometry, [GeoPackageValue])>,
                             to path: String) throws {
        let kinds = try validate(layer, path: path)
        let temp = path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        removeFiles(temp)
        do {
            try build(layer: layer, kinds: kinds, rows: rows, at: temp)
        } catch let error as SQLiteError {
            removeFiles(temp)
            throw error.relabeled(from: temp, to: path)
        } catch let GeoPackageError.invalidInput(reason) {
            removeFiles(temp)
            throw GeoPackageError.invalidInput(reason: reason.replacingOccurrences(of: temp, with: path))
        } catch {
            removeFiles(temp)
            throw error
        }
        // The new file has no journal; stale companions of the old one must not be applied to it.
        for suffix in ["-journal", "-wal", "-shm"] { unlink(path + suffix) }
        if rename(temp, path) != 0 {
            let message = systemErrorText(errno)
            removeFiles(temp)
            throw SQLiteError.sqlite(path: path, code: SQLiteError.cannotOpenCode, message: tr("no se puede reemplazar el archivo: \(message)", "cannot replace the file: \(message)"), sql: nil)
        }
    }

    // MARK: validation

    enum Kind { case text, real, integer }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 128 else { return false }
        func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
        return letter(first) && s.utf8.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
    }

    static func validate(_ layer: GeoPackageLayer, path: String) throws -> [Kind] {
        func fail(_ reason: String) -> GeoPackageError { .invalidInput(reason: "GeoPackage '\(path)': \(reason)") }
        guard isIdentifier(layer.table) else {
            throw fail("table name '\(layer.table)' is not [A-Za-z_][A-Za-z0-9_]* (at most 128 characters)")
        }
        let lower = layer.table.lowercased()
        for reserved in ["gpkg_", "rtree_", "sqlite_"] where lower.hasPrefix(reserved) {
            throw fail("table name '\(layer.table)' uses the reserved prefix '\(reserved)'")
        }
        guard layer.geometryType == "POINT" || layer.geometryType == "MULTIPOLYGON" else {
            throw fail("geometry type '\(layer.geometryType)' is not POINT or MULTIPOLYGON")
        }
        guard let _ = Int32(exactly: layer.srsID) else { throw fail("srs_id \(layer.srsID) does not fit in 32 bits") }
        var seen: Set<String> = [fidColumn, geometryColumn]
        return try layer.columns.map { column in
            guard isIdentifier(column.name) else {
                throw fail("column name '\(column.name)' is not [A-Za-z_][A-Za-z0-9_]*")
            }
            guard seen.insert(column.name.lowercased()).inserted else {
                throw fail("column name '\(column.name)' is reserved (fid, geom) or repeated")
            }
            switch column.type {
            case "TEXT": return .text
            case "REAL": return .real
            case "INTEGER": return .integer
            default: throw fail("column '\(column.name)' has type '\(column.type)', not TEXT, REAL or INTEGER")
            }
        }
    }

    // MARK: writing

    private static func build(layer: GeoPackageLayer, kinds: [Kind],
                              rows: some Sequence<(GeoPackageGeometry, [GeoPackageValue])>, at path: String) throws {
        let db = try Database(path: path)
        try db.execute("""
            PRAGMA application_id = \(applicationID);
            PRAGMA user_version = \(userVersion);
            PRAGMA foreign_keys = ON;
            PRAGMA cache_size = -131072;
            """)
        let t = layer.table, g = geometryColumn
        let rtree = "rtree_\(t)_\(g)"
        let srsID = Int32(layer.srsID)
        let wkt2 = isWKT2(layer.srsDefinition)

        try db.transaction {
            try createMetadataTables(db, crsWKT: wkt2)
            try insertSpatialRefSys(db, layer: layer, wkt2: wkt2)

            let contents = try db.prepare("""
                INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id)
                VALUES (?, 'features', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?)
                """)
            try contents.bind(1, t); try contents.bind(2, t); try contents.bind(3, layer.description)
            try contents.bind(4, Int64(srsID))
            try contents.step()

            let geometryColumns = try db.prepare("""
                INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
                VALUES (?, ?, ?, ?, 0, 0)
                """)
            try geometryColumns.bind(1, t); try geometryColumns.bind(2, g)
            try geometryColumns.bind(3, layer.geometryType); try geometryColumns.bind(4, Int64(srsID))
            try geometryColumns.step()

            let userColumns = layer.columns.map { ", \"\($0.name)\" \($0.type)" }.joined()
            try db.execute("""
                CREATE TABLE "\(t)" ("\(fidColumn)" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "\(g)" \(layer.geometryType)\(userColumns));
                CREATE VIRTUAL TABLE "\(rtree)" USING rtree(id, minx, maxx, miny, maxy);
                INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
                VALUES ('\(t)', '\(g)', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
                """)

            let extent = try insertFeatures(db, layer: layer, kinds: kinds, rows: rows, srsID: srsID)
            if let e = extent {
                let update = try db.prepare("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?")
                try update.bind(1, e.minX); try update.bind(2, e.minY); try update.bind(3, e.maxX); try update.bind(4, e.maxY)
                try update.bind(5, t)
                try update.step()
            }
            // Created after the rows: they call ST_* functions that only GeoPackage-aware readers
            // (GDAL, QGIS, SpatiaLite) register; the index is already populated.
            try db.execute(rtreeTriggers(table: t, column: g, id: fidColumn))
        }
    }

    /// Inserts the rows, then bulk-loads their rtree entries. Returns the extent of the non-empty geometries.
    private static func insertFeatures(_ db: Database, layer: GeoPackageLayer, kinds: [Kind],
                                       rows: some Sequence<(GeoPackageGeometry, [GeoPackageValue])>,
                                       srsID: Int32) throws -> Envelope? {
        let t = layer.table, g = geometryColumn
        let names = ([g] + layer.columns.map(\.name)).map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: layer.columns.count + 1).joined(separator: ", ")
        let insert = try db.prepare("INSERT INTO \"\(t)\" (\(names)) VALUES (\(marks))")
        var index = GeoPackageRTreeLoader()
        index.reserve(rows.underestimatedCount)
        let wantPoints = layer.geometryType == "POINT"
        var blob: [UInt8] = []
        blob.reserveCapacity(1024)
        var extent = Envelope.empty
        var rowNumber = 0

        for (geometry, values) in rows {
            func fail(_ reason: String) -> GeoPackageError {
                .invalidInput(reason: "GeoPackage '\(db.path)': row \(rowNumber): \(reason)")
            }
            switch geometry {
            case .point where !wantPoints: throw fail("a point in a MULTIPOLYGON layer")
            case .polygon where wantPoints: throw fail("a polygon in a POINT layer")
            default: break
            }
            guard values.count == kinds.count else {
                throw fail("\(values.count) values for \(kinds.count) columns")
            }
            blob.removeAll(keepingCapacity: true)
            let envelope: Envelope?
            do { envelope = try GeoPackageBinary.encode(geometry, srsID: srsID, into: &blob) } catch let GeoPackageError.invalidInput(reason) {
                throw fail(reason)
            }
            try insert.bind(1, blob: blob)
            for (i, value) in values.enumerated() {
                let column = Int32(i + 2)
                switch (value, kinds[i]) {
                case (.null, _): try insert.bindNull(column)
                case let (.text(s), .text): try insert.bind(column, s)
                case let (.real(d), .real): try insert.bind(column, d)
                case let (.integer(n), .integer): try insert.bind(column, n)
                case let (.integer(n), .real): try insert.bind(column, Double(n))
                default: throw fail("value \(i) (\(value)) does not fit column '\(layer.columns[i].name)' \(layer.columns[i].type)")
                }
            }
            try insert.step()
            if let e = envelope {
                index.append(id: db.lastInsertRowID, minX: e.minX, maxX: e.maxX, minY: e.minY, maxY: e.maxY)
                extent.expand(e)
            }
            rowNumber += 1
        }
        try index.load(into: db, name: "rtree_\(t)_\(g)")
        return extent.isEmpty ? nil : extent
    }

    // MARK: metadata tables (OGC 12-128r Tables 18, 19/21, 22/23, 25/26)

    private static func createMetadataTables(_ db: Database, crsWKT: Bool) throws {
        try db.execute("""
            CREATE TABLE gpkg_spatial_ref_sys (
              srs_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL PRIMARY KEY,
              organization TEXT NOT NULL,
              organization_coordsys_id INTEGER NOT NULL,
              definition TEXT NOT NULL,
              description TEXT\(crsWKT ? ",\n  definition_12_063 TEXT NOT NULL" : "")
            );
            CREATE TABLE gpkg_contents (
              table_name TEXT NOT NULL PRIMARY KEY,
              data_type TEXT NOT NULL,
              identifier TEXT UNIQUE,
              description TEXT DEFAULT '',
              last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE,
              min_y DOUBLE,
              max_x DOUBLE,
              max_y DOUBLE,
              srs_id INTEGER,
              CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
            );
            CREATE TABLE gpkg_geometry_columns (
              table_name TEXT NOT NULL,
              column_name TEXT NOT NULL,
              geometry_type_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL,
              z TINYINT NOT NULL,
              m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
              CONSTRAINT uk_gc_table_name UNIQUE (table_name),
              CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
              CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
            );
            CREATE TABLE gpkg_extensions (
              table_name TEXT,
              column_name TEXT,
              extension_name TEXT NOT NULL,
              definition TEXT NOT NULL,
              scope TEXT NOT NULL,
              CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
            );
            """)
        if crsWKT {
            try db.execute("""
                INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
                VALUES ('gpkg_spatial_ref_sys', 'definition_12_063', 'gpkg_crs_wkt', 'http://www.geopackage.org/spec/#extension_crs_wkt', 'read-write');
                """)
        }
    }

    /// WKT1 (OGC 01-009) of EPSG:4326 as in the specification's mandatory row.
    static let wgs84WKT1 = #"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#
    /// WKT2 (ISO 19162) of EPSG:4326 for `definition_12_063`.
    static let wgs84WKT2 = #"GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],CS[ellipsoidal,2],AXIS["geodetic latitude (Lat)",north,ORDER[1]],AXIS["geodetic longitude (Lon)",east,ORDER[2]],ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",4326]]"#

    /// The mandatory rows (4326, −1, 0) and the layer's (unless it is one of them).
    private static func insertSpatialRefSys(_ db: Database, layer: GeoPackageLayer, wkt2: Bool) throws {
        let sql = wkt2
            ? "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description, definition_12_063) VALUES (?, ?, ?, ?, ?, ?, ?)"
            : "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)"
        let insert = try db.prepare(sql)
        func row(_ name: String, _ id: Int64, _ org: String, _ definition: String, _ description: String?, _ definition2: String) throws {
            try insert.bind(1, name); try insert.bind(2, id); try insert.bind(3, org); try insert.bind(4, id)
            try insert.bind(5, definition); try insert.bind(6, description)
            if wkt2 { try insert.bind(7, definition2) }
            try insert.step()
        }
        try row("WGS 84 geodetic", 4326, "EPSG", wgs84WKT1, "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid", wgs84WKT2)
        try row("Undefined cartesian SRS", -1, "NONE", "undefined", "undefined cartesian coordinate reference system", "undefined")
        try row("Undefined geographic SRS", 0, "NONE", "undefined", "undefined geographic coordinate reference system", "undefined")
        if ![4326, -1, 0].contains(layer.srsID) {
            let definition = layer.srsDefinition.trimmingCharacters(in: .whitespacesAndNewlines)
            try row(layer.srsName, Int64(layer.srsID), "EPSG",
                    wkt2 ? "undefined" : (definition.isEmpty ? "undefined" : definition), nil, definition)
        }
    }

    /// Whether `wkt` is WKT2 (ISO 19162: PROJCRS, GEOGCRS, BOUNDCRS, …) rather than WKT1 (PROJCS, GEOGCS, …).
    static func isWKT2(_ wkt: String) -> Bool {
        let keyword = wkt.drop { $0.isWhitespace }.prefix { $0.isLetter || $0 == "_" }.uppercased()
        let wkt1: Set<String> = ["PROJCS", "GEOGCS", "GEOCCS", "COMPD_CS", "VERT_CS", "LOCAL_CS", "FITTED_CS", ""]
        return !wkt1.contains(keyword) && wkt.contains("[") && keyword != "UNDEFINED"
    }

    /// The rtree maintenance triggers of GeoPackage 1.3 (Annex F.3).
    static func rtreeTriggers(table t: String, column c: String, id i: String) -> String {
        let r = "\"rtree_\(t)_\(c)\"", T = "\"\(t)\"", C = "\"\(c)\"", I = "\"\(i)\""
        let values = "NEW.\(I), ST_MinX(NEW.\(C)), ST_MaxX(NEW.\(C)), ST_MinY(NEW.\(C)), ST_MaxY(NEW.\(C))"
        return """
            CREATE TRIGGER "rtree_\(t)_\(c)_insert" AFTER INSERT ON \(T)
              WHEN (NEW.\(C) NOT NULL AND NOT ST_IsEmpty(NEW.\(C)))
            BEGIN
              INSERT OR REPLACE INTO \(r) VALUES (\(values));
            END;
            CREATE TRIGGER "rtree_\(t)_\(c)_update1" AFTER UPDATE OF \(C) ON \(T)
              WHEN OLD.\(I) = NEW.\(I) AND (NEW.\(C) NOTNULL AND NOT ST_IsEmpty(NEW.\(C)))
            BEGIN
              INSERT OR REPLACE INTO \(r) VALUES (\(values));
            END;
            CREATE TRIGGER "rtree_\(t)_\(c)_update2" AFTER UPDATE OF \(C) ON \(T)
              WHEN OLD.\(I) = NEW.\(I) AND (NEW.\(C) ISNULL OR ST_IsEmpty(NEW.\(C)))
            BEGIN
              DELETE FROM \(r) WHERE id = OLD.\(I);
            END;
            CREATE TRIGGER "rtree_\(t)_\(c)_update3" AFTER UPDATE ON \(T)
              WHEN OLD.\(I) != NEW.\(I) AND (NEW.\(C) NOTNULL AND NOT ST_IsEmpty(NEW.\(C)))
            BEGIN
              DELETE FROM \(r) WHERE id = OLD.\(I);
              INSERT OR REPLACE INTO \(r) VALUES (\(values));
            END;
            CREATE TRIGGER "rtree_\(t)_\(c)_update4" AFTER UPDATE ON \(T)
              WHEN OLD.\(I) != NEW.\(I) AND (NEW.\(C) ISNULL OR ST_IsEmpty(NEW.\(C)))
            BEGIN
              DELETE FROM \(r) WHERE id IN (OLD.\(I), NEW.\(I));
            END;
            CREATE TRIGGER "rtree_\(t)_\(c)_delete" AFTER DELETE ON \(T)
              WHEN OLD.\(C) NOT NULL
            BEGIN
              DELETE FROM \(r) WHERE id = OLD.\(I);
            END;
            """
    }

    // MARK: files and errors

    private static func removeFiles(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }
}

/// Why a GeoPackage could not be written: a bad layer description or row (SQLite failures are `SQLiteError`).
public enum GeoPackageError: Error, CustomStringConvertible, Hashable, Sendable {
    case invalidInput(reason: String)

    public var description: String {
        switch self {
        case let .invalidInput(reason): return tr("datos no válidos para el GeoPackage: \(reason)", "invalid GeoPackage input: \(reason)")
        }
    }
}
