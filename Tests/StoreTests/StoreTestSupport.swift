import Engine
import Foundation
import SQLite
import Incidents
import SpatialCore
@testable import Store
import Testing
import TestSupport
import Primitives

/// Synthetic Bogotá exports (Spanish columns) and helpers shared by the store tests.
enum Synthetic {
    static let delitos = ["HURTO A PERSONAS", "LESIONES PERSONALES", "HURTO DE CELULARES", "HOMICIDIOS", "HURTO A RESIDENCIAS"]
    /// 2023-01-01T00:00:00 (civil) in seconds since 1970.
    static let base: Int64 = 1_672_531_200

    /// One incident of the synthetic export; row k is the same in every export that contains it.
    struct Row {
        var id: String
        var time: Int64
        var delito: String
        var lat: Double
        var lon: Double

        init(_ k: Int) {
            var g = TestRandom(seed: UInt64(k) &* 0x9E37_79B9 &+ 17)
            id = "INC-\(k)"
            time = Synthetic.base + Int64(g.next() % (365 * 86_400))
            delito = Synthetic.delitos[Int(g.next() % UInt64(Synthetic.delitos.count))]
            lat = 4.55 + Double(g.next() % 170_000) / 1_000_000   // 4.55 … 4.72
            lon = -74.17 + Double(g.next() % 120_000) / 1_000_000 // −74.17 … −74.05
        }
    }

    /// Writes rows `ks` as CSV. `id: false` drops the id column; `reorder` writes the columns in
    /// another order with blanks around values (same normalized content).
    static func write(_ ks: some Sequence<Int>, to path: String, id: Bool = true, reorder: Bool = false,
                      mutate: ((Int, inout Row) -> Void)? = nil) throws {
        var out = [UInt8]()
        if reorder {
            out.append(contentsOf: Array("longitud;latitud;delito;fecha_hecho\(id ? ";id" : "")\n".utf8))
        } else {
            out.append(contentsOf: Array("\(id ? "id," : "")fecha_hecho,delito,latitud,longitud\n".utf8))
        }
        for k in ks {
            var r = Row(k)
            mutate?(k, &r)
            if reorder {
                appendFixed6(r.lon, &out); out.append(0x3B)
                out.append(0x20); appendFixed6(r.lat, &out); out.append(0x20); out.append(0x3B)
                out.append(contentsOf: Array(" \(r.delito)".utf8)); out.append(0x3B)
                appendDate(r.time, &out)
                if id { out.append(0x3B); out.append(contentsOf: Array(r.id.utf8)) }
            } else {
                if id { out.append(contentsOf: Array(r.id.utf8)); out.append(0x2C) }
                appendDate(r.time, &out); out.append(0x2C)
                out.append(contentsOf: Array(r.delito.utf8)); out.append(0x2C)
                appendFixed6(r.lat, &out); out.append(0x2C)
                appendFixed6(r.lon, &out)
            }
            out.append(0x0A)
        }
        try Data(out).write(to: URL(fileURLWithPath: path))
    }

    static func appendFixed6(_ v: Double, _ out: inout [UInt8]) {
        var micro = Int64((abs(v) * 1_000_000).rounded())
        if v < 0 { out.append(0x2D) }
        let int = micro / 1_000_000
        micro %= 1_000_000
        out.append(contentsOf: Array(String(int).utf8))
        out.append(0x2E)
        var digits = [UInt8](repeating: 0x30, count: 6)
        for i in (0..<6).reversed() { digits[i] = 0x30 + UInt8(micro % 10); micro /= 10 }
        out.append(contentsOf: digits)
    }

    /// `YYYY-MM-DD HH:MM:SS` of a civil time in seconds since 1970 (times after 1970).
    static func appendDate(_ t: Int64, _ out: inout [UInt8]) {
        let days = t / 86_400, secs = t % 86_400
        let c = CivilDate.civil(days: Int(days))
        let y = Int64(c.year), m = Int64(c.month), d = Int64(c.day)
        func two(_ v: Int64) { out.append(0x30 + UInt8(v / 10)); out.append(0x30 + UInt8(v % 10)) }
        out.append(contentsOf: Array(String(y).utf8)); out.append(0x2D)
        two(m); out.append(0x2D); two(d); out.append(0x20)
        two(secs / 3600); out.append(0x3A); two(secs / 60 % 60); out.append(0x3A); two(secs % 60)
    }

    /// Read, project to EPSG:9377, optionally assign, ingest.
    struct Ingested {
        let report: IngestReport
        let read: ReadResult
        let x: [Double], y: [Double]
        let units: [String: [String?]]
    }

    static func ingest(_ store: IncidentStore, _ path: String, layers: AssignmentLayers? = nil,
                       batchSize: Int = 50_000, progress: ((Int) -> Void)? = nil) throws -> Ingested {
        let read = try IncidentReader.read(path: path, options: ReadOptions())
        var x = read.table.lon, y = read.table.lat
        try Projection.transformParallel(from: WorkingCRS.geographic, to: WorkingCRS.default, x: &x, y: &y)
        var units: [String: [String?]] = [:]
        var layerSet: [LayerFile]?
        if let layers {
            units = IncidentStore.units(from: try Assignment.compute(x: x, y: y, layers: layers), layers: layers)
            layerSet = try IncidentStore.layerSet(of: layers)
        }
        let report = try store.ingest(read: read, x: x, y: y, units: units, sourcePath: path, batchSize: batchSize,
                                      layerSet: layerSet, progress: progress)
        return Ingested(report: report, read: read, x: x, y: y, units: units)
    }

    /// Admin and patrol polygon layers from the real geodata, loaded once per process.
    static let layers: AssignmentLayers = try! AssignmentLayers.load(catalog: TestLayers.catalog, names: unitLayerNames)

    /// The unit layers with the files of `dir` searched first (an edited copy of some layer).
    static func layers(searchingFirst dir: String) throws -> AssignmentLayers {
        try AssignmentLayers.load(catalog: TestLayers.catalog(searchingFirst: [dir]), names: unitLayerNames)
    }

    static let unitLayerNames = ["localidades", "upz", "upl", "policia_cuadrantes"]

    /// The real cuadrante layer's GeoJSON, as parsed JSON.
    static func cuadranteLayerJSON() throws -> [String: Any] {
        let path = layers.polygonLayer(named: "policia_cuadrantes")!.layer.path
        return try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// The crash helper executable, built beside the test bundle.
    static var crashHelper: String { TestPaths.builtExecutable("StoreCrashHelper").path }
}

/// The R*Tree holds exactly the occupied tiles (no missing, no stale entry), each row's tile is the
/// tile of its x/y, and each box is its tile's cell widened by `Tile.margin` (32-bit, rounded outwards).
func expectTilesConsistent(_ store: IncidentStore, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let db = store.db
    #expect(try db.scalarInt("SELECT count(*) FROM incidents_rtree") == db.scalarInt("SELECT count(DISTINCT tile) FROM incidents"),
            sourceLocation: sourceLocation)
    #expect(try db.scalarInt("SELECT count(*) FROM incidents WHERE tile IS NOT NULL AND tile NOT IN (SELECT id FROM incidents_rtree)") == 0,
            sourceLocation: sourceLocation)
    let rows = try db.prepare("SELECT x, y, tile FROM incidents")
    var wrong = 0
    while try rows.step() {
        let tile: Int64? = rows.isNull(2) ? nil : rows.int64(2)
        if tile != Tile.key(x: rows.isNull(0) ? .nan : rows.double(0), y: rows.isNull(1) ? .nan : rows.double(1)) { wrong += 1 }
    }
    #expect(wrong == 0, sourceLocation: sourceLocation)
    let boxes = try db.prepare("SELECT id, minx, maxx, miny, maxy FROM incidents_rtree")
    var badBoxes = 0
    while try boxes.step() {
        let b = Tile.box(boxes.int64(0))
        // 32-bit boxes, rounded outwards.
        if !(boxes.double(1) <= b.minX && boxes.double(1) > b.minX - 1 && boxes.double(2) >= b.maxX && boxes.double(2) < b.maxX + 1
             && boxes.double(3) <= b.minY && boxes.double(3) > b.minY - 1 && boxes.double(4) >= b.maxY && boxes.double(4) < b.maxY + 1) {
            badBoxes += 1
        }
    }
    #expect(badBoxes == 0, sourceLocation: sourceLocation)
}

/// `unit_tiles` lists every (unit column, code, tile) some incident has (it may hold more: it never shrinks).
func expectUnitTilesCover(_ store: IncidentStore, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for (column, _) in Schema.unitColumns {
        let missing = try store.db.scalarInt("""
            SELECT count(*) FROM (SELECT DISTINCT \(column) AS code, tile FROM incidents
                                  WHERE \(column) IS NOT NULL AND tile IS NOT NULL) i
            WHERE NOT EXISTS (SELECT 1 FROM unit_tiles u WHERE u.unit = '\(column)' AND u.code = i.code AND u.tile = i.tile)
            """)
        #expect(missing == 0, "unit_tiles misses \(missing ?? -1) (\(column), code, tile) pairs", sourceLocation: sourceLocation)
    }
}

/// SQL of earlier store versions, verbatim, for migration and repair tests.
enum LegacySQL {
    /// The R*Tree triggers of schema version 2 before the corrected-re-export fix: they read the R*Tree
    /// inside the trigger, which SQLite refuses (SQLITE_LOCKED_VTAB, 518) while a cursor holds a node.
    static let tileTriggersV2 = """
    CREATE TRIGGER incidents_tile_update AFTER UPDATE OF tile ON incidents
    WHEN old.tile IS NOT new.tile BEGIN
        INSERT INTO incidents_rtree(id, minx, maxx, miny, maxy)
            SELECT new.tile,
                   ((new.tile & 4294967295) - 2147483648) * 250.0 - 1.0,
                   ((new.tile & 4294967295) - 2147483648 + 1) * 250.0 + 1.0,
                   (new.tile >> 32) * 250.0 - 1.0,
                   ((new.tile >> 32) + 1) * 250.0 + 1.0
            WHERE new.tile IS NOT NULL AND NOT EXISTS (SELECT 1 FROM incidents_rtree WHERE id = new.tile);
        DELETE FROM incidents_rtree WHERE id = old.tile
            AND NOT EXISTS (SELECT 1 FROM incidents WHERE tile = old.tile);
    END;
    CREATE TRIGGER incidents_tile_delete AFTER DELETE ON incidents
    WHEN old.tile IS NOT NULL BEGIN
        DELETE FROM incidents_rtree WHERE id = old.tile
            AND NOT EXISTS (SELECT 1 FROM incidents WHERE tile = old.tile);
    END;
    """
}
