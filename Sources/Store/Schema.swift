/// Schema of an Atalaya incident store, version 3 (`PRAGMA user_version = 3`; version 1 and 2 stores
/// are migrated by `open`, see `Schema.migrateFrom1` and `Schema.migrateFrom2`).
///
/// - `incidents`: one row per incident, keyed by `incident_key` (the export's id, or `sha:` + the
///   hex content hash when the export has no id column, with `#k` for the k-th identical row of a
///   file; unique through `Schema.keyIndex`, what makes upserts idempotent), `content_hash` (32-byte
///   SHA-256 BLOB, see `RecordEncoder`). Coordinates in lon/lat (as read) and x/y in the working CRS
///   (`meta.crs`), the `tile` (see `Tile`) the point falls in, the codes of the units it falls in,
///   the source file and line, and the original `record` as a JSON object of column → value.
/// - Secondary indexes (`Schema.indexes`): time, (category, time), (tile, time). A bulk ingest into
///   an empty or small store drops them in its first batch (the tile index only when the store was
///   empty) and re-creates them in its final transaction; `IncidentStore.open` re-creates any that is missing (an interrupted bulk ingest).
///   The first load of a file without ids into an empty store drops the unique key index too (its
///   keys are unique by construction, and other writers wait for it: `meta.first_load`): sorting a
///   million random content-hash keys once is far faster than inserting them one by one. (A version 1
///   store keeps the UNIQUE constraint of its table instead; that one is never dropped.)
/// - `unit_tiles`: the unit index. One row per (unit column, code, tile) that some incident has, so
///   "this UPZ" is answered as: its tiles → the (tile, time) index → the exact `upz` test. Written in
///   the same transaction as the incidents that need it; never shrinks (a superset stays correct).
///   Seven B-tree indexes (one per unit, built by sorting every row) made a bulk ingest three times
///   slower than these three and a table of a few thousand rows.
/// - `incidents_rtree`: R*Tree over the occupied **tiles** (id = tile key, box = the tile's cell
///   widened by `Tile.margin`), not over incidents. Every non-NULL `incidents.tile` has its entry:
///   the ingest inserts a tile's entry (insert-or-ignore) in the same transaction as the first row in
///   it; triggers (`tileTriggers`, which never read the R*Tree they write) add the entry of a tile set
///   by an UPDATE and remove a tile's entry when its last incident is deleted or moved away. A box query goes R*Tree → tiles → (tile, time) index →
///   exact x/y test.
/// - `layer_sets`: the layer files that assigned units (version 3). `layers` is a JSON array of
///   `{"name", "sha256"}` (manifest name, SHA-256 of the file's bytes) in name order, unique, so the
///   same files are the same set; `incidents.layer_set` names the set that gave a row its unit codes
///   (NULL: stored before version 3, or without layers). `IncidentStore.reassign` recomputes the rows
///   of other sets.
/// - `sources`: one row per ingested file. Written in the first batch's transaction; the counts and
///   the file's SHA-256 are filled in by the final transaction, so a row with NULL counts marks an
///   interrupted ingest.
/// - `meta`: key/value (`crs`, `created_by`, `schema_version`; `bulk_ingest` = "pid@host" while a bulk
///   ingest runs with its secondary indexes dropped; `first_load` = "pid@host" while a first load runs
///   without its key index).
enum Schema {
    static let version = 3

    static let create = """
    CREATE TABLE IF NOT EXISTS meta(
        key TEXT PRIMARY KEY,
        value TEXT
    );
    CREATE TABLE IF NOT EXISTS sources(
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        sha256 TEXT,
        ingested_at TEXT NOT NULL,
        rows_read INTEGER,
        accepted INTEGER,
        rejected INTEGER,
        inserted INTEGER,
        updated INTEGER,
        unchanged INTEGER
    );
    \(layerSetsTable)
    CREATE TABLE IF NOT EXISTS incidents(
        rowid INTEGER PRIMARY KEY,
        incident_key TEXT NOT NULL,
        content_hash BLOB NOT NULL,
        time INTEGER,
        category TEXT,
        lon REAL,
        lat REAL,
        x REAL,
        y REAL,
        tile INTEGER,
        localidad TEXT,
        upz TEXT,
        upl TEXT,
        municipio TEXT,
        cuadrante TEXT,
        source_id INTEGER REFERENCES sources(id),
        line INTEGER,
        record TEXT,
        layer_set INTEGER REFERENCES layer_sets(id)
    );
    CREATE UNIQUE INDEX IF NOT EXISTS incidents_key ON incidents(incident_key);
    \(unitTilesTable)
    CREATE VIRTUAL TABLE IF NOT EXISTS incidents_rtree USING rtree(id, minx, maxx, miny, maxy);
    \(tileTriggers)
    """

    /// Secondary indexes: (name, SQL). Dropped and re-created by bulk ingests; re-created by `open`.
    /// Category and tile carry the time as second key, so the usual questions ("this category in this
    /// month", "this UPZ in this month" through `unit_tiles`) are index ranges, not scans.
    static let indexes: [(name: String, sql: String)] = [
        ("incidents_time", "CREATE INDEX IF NOT EXISTS incidents_time ON incidents(time)"),
        ("incidents_category_time", "CREATE INDEX IF NOT EXISTS incidents_category_time ON incidents(category, time)"),
        (tileTimeIndex, "CREATE INDEX IF NOT EXISTS \(tileTimeIndex) ON incidents(tile, time)"),
    ]

    /// Keep `incidents_rtree` in step with `incidents.tile` when a row moves (an upsert of a corrected
    /// record) or is deleted. An R*Tree refuses any write while one of its read cursors in the same
    /// statement still holds a node (SQLITE_LOCKED_VTAB, error 518 "database table is locked"): the
    /// earlier trigger tested `NOT EXISTS (SELECT … FROM incidents_rtree …)` and then deleted the old
    /// tile's entry in the same program, so a row moving into an occupied tile out of a tile it left
    /// empty failed the whole batch. Here no trigger reads the R*Tree: the new tile's entry is written
    /// as delete-by-id then insert (same box), and the test "no incident left in the old tile" is on
    /// `incidents`, in the WHEN clause, before a plain delete-by-id.
    static let tileTriggers = """
    DROP TRIGGER IF EXISTS incidents_tile_update;
    DROP TRIGGER IF EXISTS incidents_tile_delete;
    CREATE TRIGGER IF NOT EXISTS incidents_tile_enter AFTER UPDATE OF tile ON incidents
    WHEN new.tile IS NOT NULL AND old.tile IS NOT new.tile BEGIN
        DELETE FROM incidents_rtree WHERE id = new.tile;
        INSERT INTO incidents_rtree(id, minx, maxx, miny, maxy) VALUES (new.tile,
            ((new.tile & 4294967295) - 2147483648) * \(Tile.sizeSQL) - \(Tile.marginSQL),
            ((new.tile & 4294967295) - 2147483648 + 1) * \(Tile.sizeSQL) + \(Tile.marginSQL),
            (new.tile >> 32) * \(Tile.sizeSQL) - \(Tile.marginSQL),
            ((new.tile >> 32) + 1) * \(Tile.sizeSQL) + \(Tile.marginSQL));
    END;
    CREATE TRIGGER IF NOT EXISTS incidents_tile_leave AFTER UPDATE OF tile ON incidents
    WHEN old.tile IS NOT NULL AND old.tile IS NOT new.tile
         AND NOT EXISTS (SELECT 1 FROM incidents WHERE tile = old.tile) BEGIN
        DELETE FROM incidents_rtree WHERE id = old.tile;
    END;
    CREATE TRIGGER IF NOT EXISTS incidents_tile_gone AFTER DELETE ON incidents
    WHEN old.tile IS NOT NULL AND NOT EXISTS (SELECT 1 FROM incidents WHERE tile = old.tile) BEGIN
        DELETE FROM incidents_rtree WHERE id = old.tile;
    END;
    """

    /// Names of the triggers of `tileTriggers` (a store missing one — written by an earlier build, or
    /// migrated from version 1, which had none — gets them from `IncidentStore.installTileTriggers`).
    static let tileTriggerNames = ["incidents_tile_enter", "incidents_tile_leave", "incidents_tile_gone"]

    /// The (tile, time) index: also what the tile triggers probe (kept by a bulk ingest into a non-empty store).
    static let tileTimeIndex = "incidents_tile_time"

    static let unitTilesTable = """
        CREATE TABLE IF NOT EXISTS unit_tiles(
            unit TEXT NOT NULL,
            code TEXT NOT NULL,
            tile INTEGER NOT NULL,
            PRIMARY KEY (unit, code, tile)
        ) WITHOUT ROWID;
        """

    /// The unique index on `incident_key` (schema version 2; a version 1 table has a UNIQUE constraint).
    static let keyIndex = (name: "incidents_key",
                           sql: "CREATE UNIQUE INDEX IF NOT EXISTS incidents_key ON incidents(incident_key)")

    /// Indexes of earlier builds (dropped by `open`).
    static let obsoleteIndexes = ["incidents_category", "incidents_localidad", "incidents_upz", "incidents_upl",
                                  "incidents_cuadrante", "incidents_localidad_time", "incidents_upz_time",
                                  "incidents_upl_time", "incidents_cuadrante_time", "incidents_tile"]

    static let layerSetsTable = """
        CREATE TABLE IF NOT EXISTS layer_sets(
            id INTEGER PRIMARY KEY,
            layers TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL
        );
        """

    /// Version 2 → 3, in one transaction (after `migrateFrom1` for a version 1 store): the layer sets
    /// and each row's `layer_set` (NULL: units of unknown layers, `reassign` recomputes them), and the
    /// R*Tree triggers that never read the R*Tree.
    static let migrateFrom2 = """
    \(layerSetsTable)
    ALTER TABLE incidents ADD COLUMN layer_set INTEGER REFERENCES layer_sets(id);
    \(tileTriggers)
    UPDATE meta SET value = '3' WHERE key = 'schema_version';
    PRAGMA user_version = 3;
    """

    /// Version 1 → 2, in one transaction: the record moves into `incidents`, the per-unit indexes give
    /// way to `unit_tiles` (filled from the stored rows), the tile index gains the time.
    static let migrateFrom1 = """
    ALTER TABLE incidents ADD COLUMN record TEXT;
    UPDATE incidents SET record = (SELECT r.record FROM incident_records r WHERE r.rowid = incidents.rowid);
    DROP TRIGGER IF EXISTS incidents_record_delete;
    DROP TABLE IF EXISTS incident_records;
    \(obsoleteIndexes.map { "DROP INDEX IF EXISTS \($0);" }.joined(separator: "\n"))
    \(unitTilesTable)
    \(unitColumns.map { u in
        "INSERT OR IGNORE INTO unit_tiles(unit, code, tile) SELECT DISTINCT '\(u.column)', \(u.column), tile FROM incidents WHERE \(u.column) IS NOT NULL AND tile IS NOT NULL;"
    }.joined(separator: "\n"))
    UPDATE meta SET value = '2' WHERE key = 'schema_version';
    PRAGMA user_version = 2;
    """

    /// Store column for each assignment layer name (the manifest's names; the column names are accepted too).
    static let unitColumns: [(column: String, layers: [String])] = [
        ("localidad", ["localidades", "localidad"]),
        ("upz", ["upz"]),
        ("upl", ["upl"]),
        ("municipio", ["municipios_region", "municipio", "municipios"]),
        ("cuadrante", ["policia_cuadrantes", "cuadrante", "cuadrantes"]),
    ]
}

/// The spatial grid of the R*Tree: square cells of `size` metres in the working CRS (EPSG:9377).
///
/// Cell (ix, iy) = (⌊x/size⌋, ⌊y/size⌋); key = iy << 32 | (ix + 2³¹), so the key is unique for
/// |ix|, |iy| < 2³¹ and both are recoverable in SQL (`(key & 0xFFFFFFFF) - 2³¹`, `key >> 32`).
/// The R*Tree box of a cell is widened by `margin` so that rounding in ⌊x/size⌋ (and SQLite's
/// 32-bit boxes, which are rounded outwards anyway) can never leave a point outside its tile's box.
enum Tile {
    static let size: Double = 250
    static let margin: Double = 1
    static let sizeSQL = "250.0"
    static let marginSQL = "1.0"

    /// nil for a missing/non-finite coordinate or one too far out for the key.
    @inline(__always)
    static func key(x: Double, y: Double) -> Int64? {
        guard x.isFinite, y.isFinite else { return nil }
        let fx = (x / size).rounded(.down), fy = (y / size).rounded(.down)
        guard abs(fx) < 2_147_483_647, abs(fy) < 2_147_483_647 else { return nil }
        return Int64(fy) << 32 | (Int64(fx) + 2_147_483_648)
    }

    /// The R*Tree box of a key (cell widened by `margin`).
    static func box(_ key: Int64) -> (minX: Double, maxX: Double, minY: Double, maxY: Double) {
        let ix = Double((key & 0xFFFF_FFFF) - 2_147_483_648), iy = Double(key >> 32)
        return (ix * size - margin, (ix + 1) * size + margin, iy * size - margin, (iy + 1) * size + margin)
    }
}
