import SpatialCore
import Store

/// What the store needs from the layers, computed here so that the Store links no geometry library.
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

    /// The layer set of `layers`' polygon layers (those that give units): name and SHA-256 of each file,
    /// in name order.
    /// - Throws: `StoreError.invalidInput` naming a layer file that cannot be read.
    public static func layerSet(of layers: AssignmentLayers) throws -> [LayerFile] {
        try layers.polygonLayers.map { layer in
            // The digest the layer set keyed the layer by when it was loaded: not hashed a second time.
            guard let sha = try? LayerSet.shared.sha256(path: layer.path) else {
                throw StoreError.invalidInput(reason: "no se pudo leer la capa \(layer.spec.name) (\(layer.path))")
            }
            return LayerFile(name: layer.spec.name, sha256: sha)
        }.sorted { $0.name < $1.name }
    }

    /// `reassign(layerSet:assign:)` with `layers`: their set, and their exact assignment of each point.
    public func reassign(layers: AssignmentLayers, layerSet: [LayerFile]? = nil, batchSize: Int = IncidentStore.defaultBatchSize,
                         progress: ((Int) -> Void)? = nil) throws -> ReassignReport {
        try reassign(layerSet: layerSet ?? IncidentStore.layerSet(of: layers), batchSize: batchSize,
                     assign: { x, y in IncidentStore.units(from: try Assignment.compute(x: x, y: y, layers: layers), layers: layers) },
                     progress: progress)
    }
}
