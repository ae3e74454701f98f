import Foundation

/// What a layer is for.
public enum LayerRole: String, Codable, Sendable, CaseIterable {
    case admin, patrol, infrastructure, context
}

/// One manifest entry: which file holds the layer and which fields carry id and name.
public struct LayerSpec: Codable, Sendable, Hashable {
    public var name: String
    public var file: String
    public var idField: String
    public var nameField: String?
    public var role: LayerRole
    public var source: String
    /// Output column prefix, e.g. "localidad" → localidad_code, localidad_name.
    public var column: String?

    public init(name: String, file: String, idField: String, nameField: String?, role: LayerRole, source: String, column: String? = nil) {
        self.name = name; self.file = file; self.idField = idField; self.nameField = nameField
        self.role = role; self.source = source; self.column = column
    }

    enum CodingKeys: String, CodingKey {
        case name, file, role, source, column
        case idField = "id_field", nameField = "name_field"
    }
}

/// The manifest and the folders where layer files are looked for, in order:
/// `$ATALAYA_GEODATA`, the project's `geodata/`, then `../shared/geodata/`.
public struct LayerCatalog: Sendable {
    public let manifestPath: String
    public let layers: [LayerSpec]
    public let searchPaths: [String]

    public static let manifestFileName = "manifest.json"

    /// Folders searched for layers, most specific first.
    public static func defaultSearchPaths(environment: [String: String] = ProcessInfo.processInfo.environment,
                                          currentDirectory: String = FileManager.default.currentDirectoryPath) -> [String] {
        var paths: [String] = []
        if let env = environment["ATALAYA_GEODATA"], !env.isEmpty { paths.append(env) }
        // Project folders: the working directory, and the checkout that built this executable
        // (…/.build/<config>/atalaya → …). Each contributes geodata/ and then ../shared/geodata/.
        // The working directory and its parents (so a nested package such as Benchmarks/ finds the project's).
        var projects = [currentDirectory]
        var up = URL(fileURLWithPath: currentDirectory)
        for _ in 0..<2 { up = up.deletingLastPathComponent(); projects.append(up.path) }
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            if dir.lastPathComponent.hasPrefix(".build") { projects.append(dir.deletingLastPathComponent().path); break }
            dir = dir.deletingLastPathComponent()
        }
        for p in projects { paths.append(p + "/geodata") }
        for p in projects { paths.append(p + "/../shared/geodata") }
        var seen = Set<String>()
        return paths.map { ($0 as NSString).standardizingPath }.filter { seen.insert($0).inserted }
    }

    /// What `manifestPath` says when the built-in manifest is in use.
    public static let builtInManifestPath = "(manifiesto incorporado en atalaya)"

    /// Loads the manifest given, else the first `manifest.json` found in `searchPaths`, else the
    /// built-in one (the standard Bogotá-Región layer set), so that the layer files alone suffice.
    public static func load(manifest: String? = nil, searchPaths: [String] = defaultSearchPaths()) throws -> LayerCatalog {
        struct File: Codable { var layers: [LayerSpec] }
        if let manifest, !FileManager.default.fileExists(atPath: manifest) { throw LayerError.manifestNotFound(tried: [manifest]) }
        let candidates = manifest.map { [$0] } ?? searchPaths.map { $0 + "/" + manifestFileName }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            let file = try JSONDecoder().decode(File.self, from: Data(builtInManifest.utf8))
            return LayerCatalog(manifestPath: builtInManifestPath, layers: file.layers, searchPaths: searchPaths)
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let file = try JSONDecoder().decode(File.self, from: data)
            return LayerCatalog(manifestPath: path, layers: file.layers, searchPaths: searchPaths)
        } catch let e as DecodingError {
            throw LayerError.malformedManifest(path: path, reason: "\(e)")
        }
    }

    public init(manifestPath: String, layers: [LayerSpec], searchPaths: [String]) {
        self.manifestPath = manifestPath
        self.layers = layers
        self.searchPaths = searchPaths
    }

    /// The layer named `name`, or else the one whose output column prefix it is (`localidad` →
    /// localidades, `cuadrante` → policia_cuadrantes), as users name units.
    public func spec(named name: String) throws -> LayerSpec {
        guard let s = layers.first(where: { $0.name == name }) ?? layers.first(where: { $0.column == name }) else {
            throw LayerError.unknownLayer(name, known: layers.map(\.name))
        }
        return s
    }

    /// A data file (e.g. "incidents/….csv") from the first search path that has it.
    public func resolveFile(_ relative: String) throws -> String {
        let tried = relative.hasPrefix("/") ? [relative] : searchPaths.map { $0 + "/" + relative }
        guard let found = tried.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw LayerError.fileNotFound(layer: "-", file: relative, tried: tried)
        }
        return found
    }

    /// The file for a layer: the first search path that has it.
    public func resolve(_ spec: LayerSpec) throws -> String {
        if spec.file.hasPrefix("/") {
            guard FileManager.default.fileExists(atPath: spec.file) else {
                throw LayerError.fileNotFound(layer: spec.name, file: spec.file, tried: [spec.file])
            }
            return spec.file
        }
        let tried = searchPaths.map { $0 + "/" + spec.file }
        guard let found = tried.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw LayerError.fileNotFound(layer: spec.name, file: spec.file, tried: tried)
        }
        return found
    }
}
