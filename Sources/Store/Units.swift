import SpatialCore

extension IncidentStore {
    /// The `units` argument of `ingest` from an assignment: polygon layer name → the code of the
    /// feature each incident falls in (nil outside every feature of that layer).
    public static func units(from assignment: Assignment, layers: AssignmentLayers) -> [String: [String?]] {
        var out: [String: [String?]] = [:]
        for (l, layer) in layers.polygonLayers.enumerated() {
            let ids = layer.ids
            out[layer.spec.name] = assignment.polygonIndex[l].map { $0 >= 0 ? ids[Int($0)] : nil }
        }
        return out
    }
}
