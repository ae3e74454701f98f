import Primitives

/// One attribute value of a GeoPackage feature row.
public enum GeoPackageValue: Sendable, Equatable {
    case text(String)
    case real(Double)
    case integer(Int64)
    case null
}

/// The geometry of one feature, in the CRS of its layer.
public enum GeoPackageGeometry: Sendable {
    /// A point. `x` and `y` both NaN is the empty point (WKB convention); not indexed.
    case point(x: Double, y: Double)
    /// A polygon or multipolygon: always written as MULTIPOLYGON so one column type fits all features.
    /// Rings that are not closed are closed when written. No parts is the empty multipolygon (not indexed).
    case polygon(Primitives.Polygonal)
}

/// A user attribute column of the feature table.
public struct GeoPackageColumn: Sendable, Equatable {
    /// `[A-Za-z_][A-Za-z0-9_]*`, not `fid`/`geom` (any case), unique (case-insensitively) in the layer.
    public let name: String
    /// "TEXT", "REAL" or "INTEGER".
    public let type: String
    public init(name: String, type: String) { self.name = name; self.type = type }
}

/// What to write: one feature table with its CRS and attribute columns.
///
/// The feature table gets `fid INTEGER PRIMARY KEY AUTOINCREMENT` and a geometry column `geom`,
/// then `columns` in order.
public struct GeoPackageLayer: Sendable {
    /// Feature table name, e.g. "hotspots": `[A-Za-z_][A-Za-z0-9_]*`, not starting with `gpkg_`,
    /// `rtree_` or `sqlite_` (reserved).
    public var table: String
    /// `gpkg_contents.description` (the provenance JSON).
    public var description: String
    /// `gpkg_spatial_ref_sys.srs_id`, also used as `organization_coordsys_id` with organization "EPSG".
    public var srsID: Int
    /// `gpkg_spatial_ref_sys.srs_name`, e.g. "MAGNA-SIRGAS 2018 / Origen-Nacional".
    public var srsName: String
    /// CRS WKT. WKT1 goes to `definition`; WKT2 (e.g. from `Projection.wkt(_:esri: false)`) goes to
    /// `definition_12_063` of the `gpkg_crs_wkt` extension, with `definition` = "undefined".
    public var srsDefinition: String
    /// "POINT" or "MULTIPOLYGON".
    public var geometryType: String
    public var columns: [GeoPackageColumn]

    public init(table: String, description: String, srsID: Int, srsName: String, srsDefinition: String,
                geometryType: String, columns: [GeoPackageColumn]) {
        self.table = table
        self.description = description
        self.srsID = srsID
        self.srsName = srsName
        self.srsDefinition = srsDefinition
        self.geometryType = geometryType
        self.columns = columns
    }
}
