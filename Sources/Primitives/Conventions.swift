/// CRS conventions (DOMAIN.md §2).
public enum WorkingCRS {
    /// MAGNA-SIRGAS 2018 / Origen-Nacional, metres.
    public static let `default` = "EPSG:9377"
    /// GeoJSON in and out: lon/lat degrees.
    public static let geographic = "EPSG:4326"
}

/// Atalaya's own version, recorded in every output (library versions: `AtalayaVersion.libraries` in SpatialCore).
public enum AtalayaVersion {
    public static let current = "0.1.0"
}
