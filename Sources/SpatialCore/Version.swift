import Primitives

extension AtalayaVersion {
    /// Library versions for provenance records.
    public static var libraries: [String: String] { ["geos": geosVersion, "proj": Projection.version] }
}
