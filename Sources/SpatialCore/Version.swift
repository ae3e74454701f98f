/// Atalaya's own version, recorded in every output.
public enum AtalayaVersion {
    public static let current = "0.1.0"
    /// Library versions for provenance records.
    public static var libraries: [String: String] { ["geos": geosVersion, "proj": Projection.version] }
}
