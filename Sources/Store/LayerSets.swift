import Foundation
import SQLite
import Primitives

/// One layer file that assigned units: its manifest name and the SHA-256 (hex) of its bytes.
public struct LayerFile: Sendable, Hashable, Codable {
    public let name: String
    public let sha256: String

    public init(name: String, sha256: String) {
        self.name = name; self.sha256 = sha256
    }
}

/// A row of `layer_sets`.
public struct LayerSetRecord: Sendable, Equatable {
    public let id: Int64
    /// In name order.
    public let layers: [LayerFile]
    /// When the set was first recorded: ISO 8601 in UTC with the offset written as `Z`
    /// (`IncidentStore.timestamp`, e.g. "2026-12-07T20:04:05Z").
    public let created: String
}

/// What `IncidentStore.reassign` did.
public struct ReassignReport: Sendable, Equatable {
    /// `layer_sets.id` of the current layers.
    public let layerSetID: Int64
    /// Rows whose units came from another layer set (or an unknown one) and were recomputed.
    public let checked: Int
    /// Of those, rows with at least one unit code changed.
    public let changed: Int
    /// Rows whose code changed, per store column (`localidad`, `upz`, `upl`, `municipio`, `cuadrante`).
    public let changedByUnit: [String: Int]
}

extension IncidentStore {
    /// The store's wall-clock timestamps (`sources.ingested_at`, `layer_sets.created`): ISO 8601 to the
    /// second, in UTC with the offset written as `Z` ("2026-12-07T20:04:05Z"), so they compare and sort
    /// as text and never depend on the machine's time zone. (Incident times are Bogotá civil time, −05:00.)
    static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// `layer_sets.layers` of a set: `[{"name":…,"sha256":…},…]` in name order (one text per set).
    static func layerSetJSON(_ set: [LayerFile]) -> String {
        let string = TextEscaping.jsonString
        let items = set.sorted { $0.name < $1.name }.map { "{\"name\":\(string($0.name)),\"sha256\":\(string($0.sha256))}" }
        return "[" + items.joined(separator: ",") + "]"
    }

    /// The id of `set` in `layer_sets`, inserted if new; inside the caller's write transaction.
    static func layerSetID(_ set: [LayerFile], in db: Database) throws -> Int64 {
        let json = layerSetJSON(set)
        let insert = try db.prepare("INSERT OR IGNORE INTO layer_sets(layers, created) VALUES (?1, ?2)")
        try insert.bind(1, json)
        try insert.bind(2, IncidentStore.timestamp())
        try insert.step()
        let find = try db.prepare("SELECT id FROM layer_sets WHERE layers = ?1")
        try find.bind(1, json)
        guard try find.step() else { throw StoreError.invalidInput(reason: "layer set not recorded") }
        let id = find.int64(0)
        find.reset()
        return id
    }

    /// Every recorded layer set, oldest first.
    public func layerSets() throws -> [LayerSetRecord] {
        let s = try db.prepare("SELECT id, layers, created FROM layer_sets ORDER BY id")
        var out: [LayerSetRecord] = []
        while try s.step() {
            let layers = try JSONDecoder().decode([LayerFile].self, from: Data((s.text(1) ?? "[]").utf8))
            out.append(LayerSetRecord(id: s.int64(0), layers: layers, created: s.text(2) ?? ""))
        }
        return out
    }

    /// Number of stored rows per `layer_set` (nil key: rows without one).
    public func rowsPerLayerSet() throws -> [Int64?: Int] {
        let s = try db.prepare("SELECT layer_set, count(*) FROM incidents GROUP BY layer_set")
        var out: [Int64?: Int] = [:]
        while try s.step() { out[s.isNull(0) ? nil : s.int64(0)] = Int(s.int64(1)) }
        return out
    }

    /// Recomputes the unit codes of every row whose `layer_set` is not the set of `layers` (rows of
    /// older layers, or stored before layer sets were recorded), from its stored x/y, and records the
    /// current set on them. `unit_tiles` gains the (unit, code, tile) rows the new codes need (it never
    /// shrinks: a superset stays correct). One transaction per `batchSize` rows, under the same claim as
    /// an ingest (refused with `.ingestRunning` while one runs), so an interrupted reassign leaves whole
    /// batches and running it again finishes it.
    /// - Parameters:
    ///   - layerSet: the current layer files (name and SHA-256).
    ///   - assign: the unit codes of points (x, y in the store's CRS) per layer name — the Engine passes
    ///     the current layers' exact assignment (the store itself links no geometry library).
    /// - Complexity: O(n) over the store (rowid order), plus assignment of the rows to recompute.
    public func reassign(layerSet set: [LayerFile], batchSize: Int = IncidentStore.defaultBatchSize,
                         assign: (_ x: [Double], _ y: [Double]) throws -> [String: [String?]],
                         progress: ((Int) -> Void)? = nil) throws -> ReassignReport {
        let marker = BulkMarker.make()
        _ = try claim(marker)
        defer {
            try? IngestSession.clearMarker("ingest", marker, in: db)
            BulkMarker.release(marker)
        }
        try IncidentStore.installTileTriggers(db)
        let setID = try db.transaction { try IncidentStore.layerSetID(set, in: db) }
        let columns = Schema.unitColumns.map(\.column)
        let select = try db.prepare("""
            SELECT rowid, x, y, tile, \(columns.joined(separator: ", ")) FROM incidents
            WHERE rowid > ?1 AND layer_set IS NOT ?2 ORDER BY rowid LIMIT ?3
            """)
        let update = try db.prepare("""
            UPDATE incidents SET \(columns.enumerated().map { "\($1) = ?\($0 + 1)" }.joined(separator: ", ")),
                layer_set = ?\(columns.count + 1) WHERE rowid = ?\(columns.count + 2)
            """)
        let unitTile = try db.prepare("INSERT OR IGNORE INTO unit_tiles(unit, code, tile) VALUES (?1, ?2, ?3)")
        var after: Int64 = 0, checked = 0, changed = 0
        var changedByUnit = Dictionary(uniqueKeysWithValues: columns.map { ($0, 0) })
        while true {
            var rowids: [Int64] = [], x: [Double] = [], y: [Double] = [], tiles: [Int64?] = []
            var old: [[String?]] = []
            try select.bind(1, after)
            try select.bind(2, setID)
            try select.bind(3, Int64(max(1, batchSize)))
            while try select.step() {
                rowids.append(select.int64(0))
                x.append(select.isNull(1) ? .nan : select.double(1))
                y.append(select.isNull(2) ? .nan : select.double(2))
                tiles.append(select.isNull(3) ? nil : select.int64(3))
                old.append(columns.indices.map { select.text(Int32(4 + $0)) })
            }
            guard let last = rowids.last else { break }
            let units = try assign(x, y)
            // Store column → codes of this batch (nil: layer not loaded, codes become NULL as in an ingest).
            let codes: [[String?]?] = Schema.unitColumns.map { u in u.layers.lazy.compactMap { units[$0] }.first }
            var written = Set<IngestSession.UnitTile>()
            try db.transaction {
                for (i, rowid) in rowids.enumerated() {
                    var any = false
                    for (k, column) in columns.enumerated() {
                        let code = codes[k]?[i] ?? nil
                        try update.bind(Int32(k + 1), code)
                        if code != old[i][k] { any = true; changedByUnit[column, default: 0] += 1 }
                        if let code, let tile = tiles[i], written.insert(IngestSession.UnitTile(unit: k, code: code, tile: tile)).inserted {
                            try unitTile.bind(1, column)
                            try unitTile.bind(2, code)
                            try unitTile.bind(3, tile)
                            try unitTile.step()
                        }
                    }
                    try update.bind(Int32(columns.count + 1), setID)
                    try update.bind(Int32(columns.count + 2), rowid)
                    try update.step()
                    if any { changed += 1 }
                }
            }
            checked += rowids.count
            after = last
            progress?(checked)
        }
        return ReassignReport(layerSetID: setID, checked: checked, changed: changed, changedByUnit: changedByUnit)
    }
}
