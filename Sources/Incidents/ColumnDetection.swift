import Foundation

/// Column indices for each role after detection.
struct ResolvedColumns {
    var lat: Int
    var lon: Int
    var time: Int?
    var category: Int?
    var id: Int?
}

/// Finds role columns by name: exact match of a user-given name first, otherwise a match after
/// normalisation (lower-case, accents removed, only letters/digits kept — so `Fecha Hecho`,
/// `fecha_hecho` and `FECHA-HECHO` are the same name).
enum ColumnDetection {
    static let latNames = ["latitud", "lat", "latitude", "latitud_y"]
    static let lonNames = ["longitud", "lon", "lng", "long", "longitude", "longitud_x"]
    static let xNames = ["x", "este", "easting", "coord_x"]
    static let yNames = ["y", "norte", "northing", "coord_y"]
    static let timeNames = ["fecha_hecho", "fecha", "date", "fecha_hora", "datetime", "timestamp"]
    static let categoryNames = ["delito", "categoria", "category", "tipo_delito", "conducta"]
    static let idNames = ["id", "id_incidente", "incident_id", "radicado", "codigo"]

    static func normalize(_ name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        return String(String.UnicodeScalarView(folded.unicodeScalars.filter {
            CharacterSet.alphanumerics.contains($0)
        }))
    }

    /// Candidate names for the lat (y) and lon (x) roles. Projected input prefers x/y names; geographic
    /// input also falls back to x/y because ArcGIS exports name degree columns X/Y.
    static func coordinateCandidates(projected: Bool) -> (lat: [String], lon: [String]) {
        projected ? (yNames + latNames, xNames + lonNames) : (latNames + yNames, lonNames + xNames)
    }

    /// Index of the column for a role, or nil when not found and not required.
    /// Throws `columnNotFound` when a user-named column does not exist or a required role is undetected.
    static func find(role: String, userName: String?, candidates: [String], header: [String],
                     required: Bool, path: String) throws -> Int? {
        if let userName {
            if let i = header.firstIndex(of: userName) { return i }
            let n = normalize(userName)
            if let i = header.firstIndex(where: { normalize($0) == n }) { return i }
            throw IncidentReadError.columnNotFound(path: path, role: role, tried: [userName], available: header)
        }
        let normalizedHeader = header.map(normalize)
        for c in candidates {
            if let i = normalizedHeader.firstIndex(of: normalize(c)) { return i }
        }
        if required {
            throw IncidentReadError.columnNotFound(path: path, role: role, tried: candidates, available: header)
        }
        return nil
    }

    /// Resolves optional roles (time, category, id).
    static func optionalRoles(header: [String], mapping: ColumnMapping, path: String) throws -> (time: Int?, category: Int?, id: Int?) {
        let t = try find(role: "time", userName: mapping.time, candidates: timeNames, header: header, required: false, path: path)
        let c = try find(role: "category", userName: mapping.category, candidates: categoryNames, header: header, required: false, path: path)
        let i = try find(role: "id", userName: mapping.id, candidates: idNames, header: header, required: false, path: path)
        return (t, c, i)
    }

    static func resolve(header: [String], options: ReadOptions, path: String) throws -> ResolvedColumns {
        let cands = coordinateCandidates(projected: options.projected)
        let lat = try find(role: "latitude", userName: options.columns.lat, candidates: cands.lat, header: header, required: true, path: path)!
        let lon = try find(role: "longitude", userName: options.columns.lon, candidates: cands.lon, header: header, required: true, path: path)!
        let opt = try optionalRoles(header: header, mapping: options.columns, path: path)
        return ResolvedColumns(lat: lat, lon: lon, time: opt.time, category: opt.category, id: opt.id)
    }
}
