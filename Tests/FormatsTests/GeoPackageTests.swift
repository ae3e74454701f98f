import Foundation
import SpatialCore
@testable import Formats
import Primitives
import SQLite
import Testing
import TestSupport

/// GeoPackage files checked against OGC 12-128r by reading them back with plain SQL (no GDAL).
@Suite("GeoPackage", .serialized)
struct GeoPackageTests {
    // MARK: fixtures

    /// WKT2 of EPSG:9377 as the CLI passes it (PROJ), or a literal WKT2 when PROJ cannot produce it.
    static let wkt9377: String = (try? Projection.wkt("EPSG:9377", esri: false))
        ?? #"PROJCRS["MAGNA-SIRGAS 2018 / Origen-Nacional",BASEGEOGCRS["MAGNA-SIRGAS 2018",DATUM["Marco Geocentrico Nacional de Referencia 2018",ELLIPSOID["GRS 1980",6378137,298.257222101]]],CONVERSION["Colombia Transverse Mercator",METHOD["Transverse Mercator"],PARAMETER["Latitude of natural origin",4],PARAMETER["Longitude of natural origin",-73],PARAMETER["Scale factor at natural origin",0.9992],PARAMETER["False easting",5000000],PARAMETER["False northing",2000000]],CS[Cartesian,2],AXIS["northing (N)",north],AXIS["easting (E)",east],LENGTHUNIT["metre",1],ID["EPSG",9377]]"#

    static func layer(_ table: String, _ type: String, columns: [GeoPackageColumn], wkt: String = wkt9377) -> GeoPackageLayer {
        GeoPackageLayer(table: table, description: #"{"tool":"atalaya","test":true}"#, srsID: 9377,
                        srsName: "MAGNA-SIRGAS 2018 / Origen-Nacional", srsDefinition: wkt,
                        geometryType: type, columns: columns)
    }

    static let points: [(x: Double, y: Double, name: String, score: Double?, n: Int64)] = [
        (4_880_123.25, 2_075_432.75, "Kennedy", 1.5, 10),
        (4_885_000.125, 2_070_001.5, "Suba", nil, 20),
        (4_878_500.0, 2_081_250.875, "Usaquén ñ", -2.25, 30),
    ]

    static func p(_ x: Double, _ y: Double) -> Point { Point(x: x, y: y) }

    /// A square with a hole, and a two-part multipolygon whose last ring is left open (closed on write).
    static let polygons: [Polygonal] = [
        Polygonal(parts: [Polygon(
            exterior: [p(4_880_000, 2_070_000), p(4_881_000, 2_070_000), p(4_881_000, 2_071_000), p(4_880_000, 2_071_000), p(4_880_000, 2_070_000)],
            holes: [[p(4_880_250, 2_070_250), p(4_880_250, 2_070_750), p(4_880_750, 2_070_750), p(4_880_750, 2_070_250), p(4_880_250, 2_070_250)]])]),
        Polygonal(parts: [
            Polygon(exterior: [p(4_890_000.5, 2_080_000.25), p(4_890_100, 2_080_000.25), p(4_890_100, 2_080_100), p(4_890_000.5, 2_080_000.25)]),
            Polygon(exterior: [p(4_895_000, 2_085_000), p(4_895_200, 2_085_000), p(4_895_200, 2_085_300.75)]),
        ]),
    ]

    static func writePoints(to path: String) throws {
        let columns = [GeoPackageColumn(name: "name", type: "TEXT"), GeoPackageColumn(name: "score", type: "REAL"),
                       GeoPackageColumn(name: "n", type: "INTEGER")]
        try GeoPackageWriter.write(layer: layer("hotspots", "POINT", columns: columns), rows: points.map { pt in
            (GeoPackageGeometry.point(x: pt.x, y: pt.y), [.text(pt.name), pt.score.map { .real($0) } ?? .null, .integer(pt.n)])
        }, to: path)
    }

    static func writePolygons(to path: String, wkt: String = wkt9377) throws {
        let columns = [GeoPackageColumn(name: "label", type: "TEXT")]
        try GeoPackageWriter.write(layer: layer("zones", "MULTIPOLYGON", columns: columns, wkt: wkt),
                                   rows: polygons.enumerated().map { (.polygon($1), [.text("z\($0)")]) }, to: path)
    }

    // MARK: decoding (independent of the writer)

    struct Decoded {
        var flags: UInt8
        var srsID: Int32
        var envelope: [Double]
        var wkbType: UInt32
        /// Point: [[[x, y]]]; multipolygon: parts → rings → points.
        var parts: [[[Point]]]
    }

    struct Reader {
        let bytes: [UInt8]
        var at = 0
        var little = true
        mutating func u8() throws -> UInt8 {
            guard at < bytes.count else { throw GeoPackageError.invalidInput(reason: "blob too short") }
            defer { at += 1 }
            return bytes[at]
        }
        mutating func u32() throws -> UInt32 {
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(try u8()) << (little ? 8 * i : 8 * (3 - i)) }
            return v
        }
        mutating func f64() throws -> Double {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(try u8()) << UInt64(little ? 8 * i : 8 * (7 - i)) }
            return Double(bitPattern: v)
        }
    }

    static func decode(_ blob: [UInt8]) throws -> Decoded {
        var r = Reader(bytes: blob)
        #expect(try r.u8() == 0x47 && r.u8() == 0x50, "magic GP")
        #expect(try r.u8() == 0, "version 0")
        let flags = try r.u8()
        #expect(flags & 0b0010_0000 == 0, "standard (not extended) GeoPackage binary")
        r.little = flags & 1 == 1
        let srs = Int32(bitPattern: try r.u32())
        let envelopeCount = [0, 4, 6, 6, 8][Int((flags >> 1) & 0b111)]
        let envelope = try (0..<envelopeCount).map { _ in try r.f64() }
        // WKB
        let order = try r.u8()
        #expect(order == 1, "little-endian WKB")
        r.little = order == 1
        let type = try r.u32()
        var parts: [[[Point]]] = []
        switch type {
        case 1:
            parts = [[[Point(x: try r.f64(), y: try r.f64())]]]
        case 6:
            for _ in 0..<(try r.u32()) {
                r.little = try r.u8() == 1
                #expect(try r.u32() == 3, "polygon inside multipolygon")
                var rings: [[Point]] = []
                for _ in 0..<(try r.u32()) {
                    rings.append(try (0..<(try r.u32())).map { _ in Point(x: try r.f64(), y: try r.f64()) })
                }
                parts.append(rings)
            }
        default:
            Issue.record("unexpected WKB type \(type)")
        }
        #expect(r.at == blob.count, "no trailing bytes")
        return Decoded(flags: flags, srsID: srs, envelope: envelope, wkbType: type, parts: parts)
    }

    // MARK: shared checks

    /// The metadata tables of OGC 12-128r with the layer's rows.
    static func checkMetadata(_ db: Database, table: String, type: String, extent: Envelope, count: Int) throws {
        #expect(try db.scalarInt("PRAGMA application_id") == 0x4750_4B47)
        #expect(try db.scalarInt("PRAGMA user_version") == 10300)
        #expect(try db.column("PRAGMA integrity_check") == ["ok"])
        #expect(try db.column("PRAGMA foreign_key_check").isEmpty)

        // gpkg_spatial_ref_sys: the mandatory rows and ours (WKT2 via the gpkg_crs_wkt extension).
        let srs = try db.prepare("SELECT srs_id, srs_name, organization, organization_coordsys_id, definition, definition_12_063 FROM gpkg_spatial_ref_sys ORDER BY srs_id")
        var rows: [Int64: (String, String, Int64, String, String)] = [:]
        while try srs.step() {
            rows[srs.int64(0)] = (srs.text(1) ?? "", srs.text(2) ?? "", srs.int64(3), srs.text(4) ?? "", srs.text(5) ?? "")
        }
        #expect(Set(rows.keys) == [-1, 0, 4326, 9377])
        #expect(rows[4326]?.1 == "EPSG" && rows[4326]?.2 == 4326 && rows[4326]?.3.hasPrefix("GEOGCS[\"WGS 84\"") == true)
        #expect(rows[-1]?.1 == "NONE" && rows[-1]?.2 == -1 && rows[-1]?.3 == "undefined")
        #expect(rows[0]?.1 == "NONE" && rows[0]?.2 == 0 && rows[0]?.3 == "undefined")
        #expect(rows[9377]?.0 == "MAGNA-SIRGAS 2018 / Origen-Nacional" && rows[9377]?.1 == "EPSG" && rows[9377]?.2 == 9377)
        #expect(rows[9377]?.4 == wkt9377.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try db.scalarInt("SELECT count(*) FROM gpkg_extensions WHERE table_name = 'gpkg_spatial_ref_sys' AND column_name = 'definition_12_063' AND extension_name = 'gpkg_crs_wkt' AND scope = 'read-write'") == 1)

        // gpkg_contents
        let c = try db.prepare("SELECT data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id, last_change FROM gpkg_contents WHERE table_name = ?")
        try c.bind(1, table)
        #expect(try c.step())
        #expect(c.text(0) == "features")
        #expect(c.text(1) == table)
        #expect(c.text(2) == #"{"tool":"atalaya","test":true}"#)
        #expect(c.double(3) == extent.minX && c.double(4) == extent.minY && c.double(5) == extent.maxX && c.double(6) == extent.maxY)
        #expect(c.int64(7) == 9377)
        #expect(c.text(8)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil)
        #expect(try !c.step())
        #expect(try db.scalarInt("SELECT count(*) FROM gpkg_contents") == 1)

        // gpkg_geometry_columns
        let g = try db.prepare("SELECT column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = ?")
        try g.bind(1, table)
        #expect(try g.step())
        #expect(g.text(0) == "geom" && g.text(1) == type && g.int64(2) == 9377 && g.int64(3) == 0 && g.int64(4) == 0)

        // gpkg_extensions: the rtree of geom, and its table and triggers.
        let e = try db.prepare("SELECT definition, scope FROM gpkg_extensions WHERE table_name = ? AND column_name = 'geom' AND extension_name = 'gpkg_rtree_index'")
        try e.bind(1, table)
        #expect(try e.step())
        #expect(e.text(0) == "http://www.geopackage.org/spec120/#extension_rtree" && e.text(1) == "write-only")
        #expect(try db.scalarText("SELECT sql FROM sqlite_master WHERE name = 'rtree_\(table)_geom'")
                == "CREATE VIRTUAL TABLE \"rtree_\(table)_geom\" USING rtree(id, minx, maxx, miny, maxy)")
        #expect(Set(try db.column("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                == Set(["insert", "update1", "update2", "update3", "update4", "delete"].map { "rtree_\(table)_geom_\($0)" }))
        #expect(try db.scalarInt("SELECT count(*) FROM \"rtree_\(table)_geom\"") == Int64(count))
        #expect(try db.scalarText("SELECT rtreecheck('rtree_\(table)_geom')") == "ok")
        #expect(try db.scalarInt("SELECT count(*) FROM \"\(table)\"") == Int64(count))
        // Feature table: fid primary key, geom column typed by its geometry type.
        let info = try db.prepare("SELECT name, type, pk FROM pragma_table_info('\(table)') ORDER BY cid")
        #expect(try info.step())
        #expect(info.text(0) == "fid" && info.text(1) == "INTEGER" && info.int64(2) == 1)
        #expect(try info.step())
        #expect(info.text(0) == "geom" && info.text(1) == type)
    }

    /// SQLite's rtree stores 32-bit floats rounded outward: the box contains the envelope within two float steps.
    static func checkBox(_ db: Database, table: String, fid: Int64, envelope e: Envelope) throws {
        let s = try db.prepare("SELECT minx, maxx, miny, maxy FROM \"rtree_\(table)_geom\" WHERE id = ?")
        try s.bind(1, fid)
        #expect(try s.step())
        // rtree.c rounds with a relative step of 2^-23 after the float conversion: allow two float ulps.
        func down(_ v: Double, _ r: Double) -> Bool { r <= v && v - r <= 2 * Double(Float(v).ulp) }
        func up(_ v: Double, _ r: Double) -> Bool { r >= v && r - v <= 2 * Double(Float(v).ulp) }
        #expect(down(e.minX, s.double(0)) && up(e.maxX, s.double(1)) && down(e.minY, s.double(2)) && up(e.maxY, s.double(3)),
                "rtree box of \(fid): \(s.double(0)) \(s.double(1)) \(s.double(2)) \(s.double(3)) vs \(e)")
    }

    // MARK: tests

    @Test("points: metadata tables, blobs, attributes and rtree")
    func pointsFile() throws {
        let path = try TestFiles.tempDir("points").path + "/hotspots.gpkg"
        try Self.writePoints(to: path)
        let db = try Database(path: path, flags: [.readOnly, .noMutex])
        var extent = Envelope.empty
        for pt in Self.points { extent.expand(Point(x: pt.x, y: pt.y)) }
        try Self.checkMetadata(db, table: "hotspots", type: "POINT", extent: extent, count: 3)

        let s = try db.prepare("SELECT fid, geom, name, score, n, typeof(score) FROM hotspots ORDER BY fid")
        var k = 0
        while try s.step() {
            let pt = Self.points[k]
            #expect(s.int64(0) == Int64(k + 1))
            let d = try Self.decode(s.blob(1))
            #expect(d.flags == 0x01, "little endian, no envelope, not empty")
            #expect(d.srsID == 9377)
            #expect(d.envelope.isEmpty)
            #expect(d.wkbType == 1)
            #expect(d.parts == [[[Point(x: pt.x, y: pt.y)]]])
            #expect(s.text(2) == pt.name)
            if let score = pt.score { #expect(s.double(3) == score) } else { #expect(s.text(5) == "null") }
            #expect(s.int64(4) == pt.n)
            try Self.checkBox(db, table: "hotspots", fid: Int64(k + 1), envelope: Envelope(minX: pt.x, minY: pt.y, maxX: pt.x, maxY: pt.y))
            k += 1
        }
        #expect(k == 3)
    }

    @Test("polygons: MULTIPOLYGON blobs with envelopes, holes kept, open rings closed")
    func polygonsFile() throws {
        let path = try TestFiles.tempDir("polygons").path + "/zones.gpkg"
        try Self.writePolygons(to: path)
        let db = try Database(path: path, flags: [.readOnly, .noMutex])
        var extent = Envelope.empty
        for poly in Self.polygons { extent.expand(poly.envelope) }
        try Self.checkMetadata(db, table: "zones", type: "MULTIPOLYGON", extent: extent, count: 2)

        let s = try db.prepare("SELECT fid, geom, label FROM zones ORDER BY fid")
        var k = 0
        while try s.step() {
            let poly = Self.polygons[k]
            let env = poly.envelope
            let d = try Self.decode(s.blob(1))
            #expect(d.flags == 0x03, "little endian, xy envelope, not empty")
            #expect(d.srsID == 9377)
            #expect(d.envelope == [env.minX, env.maxX, env.minY, env.maxY])
            #expect(d.wkbType == 6)
            let expected = poly.parts.map { part in
                part.rings.map { ring in ring.first == ring.last ? ring : ring + [ring[0]] }
            }
            #expect(d.parts == expected)
            #expect(s.text(2) == "z\(k)")
            try Self.checkBox(db, table: "zones", fid: s.int64(0), envelope: env)
            k += 1
        }
        #expect(k == 2)
        #expect(Self.polygons[0].parts[0].holes.count == 1)
    }

    @Test("WKT1 definitions go to the definition column, without the crs_wkt extension")
    func wkt1Definition() throws {
        let path = try TestFiles.tempDir("wkt1").path + "/zones.gpkg"
        let wkt1 = #"PROJCS["MAGNA-SIRGAS 2018 / Origen-Nacional",GEOGCS["MAGNA-SIRGAS 2018",DATUM["Marco_Geocentrico_Nacional_de_Referencia_2018",SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",4],PARAMETER["central_meridian",-73],PARAMETER["scale_factor",0.9992],PARAMETER["false_easting",5000000],PARAMETER["false_northing",2000000],UNIT["metre",1],AUTHORITY["EPSG","9377"]]"#
        try Self.writePolygons(to: path, wkt: wkt1)
        let db = try Database(path: path, flags: [.readOnly, .noMutex])
        #expect(try db.scalarText("SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = 9377") == wkt1)
        #expect(try db.scalarInt("SELECT count(*) FROM pragma_table_info('gpkg_spatial_ref_sys') WHERE name = 'definition_12_063'") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM gpkg_extensions WHERE extension_name = 'gpkg_crs_wkt'") == 0)
        #expect(try db.column("PRAGMA integrity_check") == ["ok"])
    }

    @Test("an existing file is replaced; an empty layer has no extent")
    func replaceAndEmpty() throws {
        let path = try TestFiles.tempDir("replace").path + "/hotspots.gpkg"
        try Self.writePolygons(to: path)
        try GeoPackageWriter.write(layer: Self.layer("hotspots", "POINT", columns: []),
                                   rows: [(GeoPackageGeometry, [GeoPackageValue])](), to: path)
        let db = try Database(path: path, flags: [.readOnly, .noMutex])
        #expect(try db.column("SELECT table_name FROM gpkg_contents") == ["hotspots"])
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'zones'") == 0)
        #expect(try db.scalarInt("SELECT min_x FROM gpkg_contents") == nil)
        #expect(try db.scalarInt("SELECT count(*) FROM hotspots") == 0)
        #expect(try db.column("PRAGMA integrity_check") == ["ok"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent) == ["hotspots.gpkg"])
    }

    @Test("empty geometries are flagged and not indexed")
    func emptyGeometries() throws {
        let path = try TestFiles.tempDir("empty").path + "/e.gpkg"
        try GeoPackageWriter.write(layer: Self.layer("pts", "POINT", columns: []), rows: [
            (GeoPackageGeometry.point(x: .nan, y: .nan), [GeoPackageValue]()),
            (.point(x: 1, y: 2), []),
        ], to: path)
        let db = try Database(path: path, flags: [.readOnly, .noMutex])
        let s = try db.prepare("SELECT geom FROM pts ORDER BY fid")
        #expect(try s.step())
        #expect(try Self.decode(s.blob(0)).flags == 0x11)
        #expect(try db.column("SELECT id FROM rtree_pts_geom") == ["2"])
        #expect(try db.scalarInt("SELECT min_x FROM gpkg_contents") == 1)
    }

    @Test("bad input is rejected and leaves no file (nor replaces an existing one)")
    func badInput() throws {
        let dir = try TestFiles.tempDir("bad").path
        let path = dir + "/bad.gpkg"
        for name in ["1abc", "hot spots", "x\";DROP TABLE y", "", "gpkg_mine", "rtree_x", "zonas_ñ"] {
            #expect(throws: GeoPackageError.self, "table '\(name)'") {
                try GeoPackageWriter.write(layer: Self.layer(name, "POINT", columns: []),
                                           rows: [(GeoPackageGeometry.point(x: 1, y: 2), [GeoPackageValue]())], to: path)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))

        let cases: [(GeoPackageLayer, [(GeoPackageGeometry, [GeoPackageValue])])] = [
            (Self.layer("t", "LINESTRING", columns: []), []),
            (Self.layer("t", "POINT", columns: [GeoPackageColumn(name: "fid", type: "TEXT")]), []),
            (Self.layer("t", "POINT", columns: [GeoPackageColumn(name: "a", type: "TEXT"), GeoPackageColumn(name: "A", type: "TEXT")]), []),
            (Self.layer("t", "POINT", columns: [GeoPackageColumn(name: "a", type: "BLOB")]), []),
            (Self.layer("t", "POINT", columns: [GeoPackageColumn(name: "a", type: "TEXT")]), [(.point(x: 1, y: 2), [])]),
            (Self.layer("t", "POINT", columns: [GeoPackageColumn(name: "a", type: "INTEGER")]), [(.point(x: 1, y: 2), [.text("x")])]),
            (Self.layer("t", "POINT", columns: []), [(.polygon(Self.polygons[0]), [])]),
            (Self.layer("t", "MULTIPOLYGON", columns: []), [(.point(x: 1, y: 2), [])]),
            (Self.layer("t", "POINT", columns: []), [(.point(x: .infinity, y: 2), [])]),
        ]
        for (i, (layer, rows)) in cases.enumerated() {
            #expect(throws: GeoPackageError.self, "case \(i)") { try GeoPackageWriter.write(layer: layer, rows: rows, to: path) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)

        // A failure after some rows keeps the previous file.
        try Self.writePoints(to: path)
        #expect(throws: GeoPackageError.self) {
            try GeoPackageWriter.write(layer: Self.layer("t", "POINT", columns: []),
                                       rows: [(.point(x: 1, y: 2), []), (.point(x: 3, y: .infinity), [])], to: path)
        }
        let db = try Database(path: path, flags: [.readOnly, .noMutex])
        #expect(try db.scalarInt("SELECT count(*) FROM hotspots") == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["bad.gpkg"])

        // SQLite errors name the requested path.
        do {
            try Self.writePoints(to: dir + "/missing/dir/x.gpkg")
            Issue.record("no error for a missing directory")
        } catch let SQLiteError.sqlite(p, _, _, _) {
            #expect(p == dir + "/missing/dir/x.gpkg")
        }
    }

    @Test("rtree bulk load: a valid multi-level tree answering queries like a scan")
    func rtreeBulkLoad() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)")
        var loader = GeoPackageRTreeLoader()
        var g = UInt64(7)
        func next() -> Double { g = g &* 6364136223846793005 &+ 1442695040888963407; return Double(g >> 11) / 9_007_199_254_740_992 }
        var entries: [(Int64, Envelope)] = []
        for id in stride(from: Int64(5), to: 5 + 3 * 20_000, by: 3) {   // 20,000 entries: 3 levels
            let x = 4_870_000 + next() * 40_000, y = 2_060_000 + next() * 40_000
            let e = Envelope(minX: x, minY: y, maxX: x + next() * 50, maxY: y + next() * 50)
            entries.append((id, e))
            loader.append(id: id, minX: e.minX, maxX: e.maxX, minY: e.minY, maxY: e.maxY)
        }
        #expect(try loader.load(into: db, name: "r"), "shadow tables written directly")
        #expect(try db.scalarText("SELECT rtreecheck('r')") == "ok")
        #expect(try db.scalarInt("SELECT count(*) FROM r") == 20_000)
        #expect(try db.scalarInt("SELECT count(*) FROM r_rowid") == 20_000)
        #expect(try db.scalarInt("SELECT count(*) FROM r_node") == 1 + 8 + 393)  // ⌈20000/51⌉ leaves, ⌈393/51⌉, root
        let q = try db.prepare("SELECT id FROM r WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?")
        for _ in 0..<50 {
            let x = 4_870_000 + next() * 40_000, y = 2_060_000 + next() * 40_000, w = next() * 3_000
            try q.bind(1, x); try q.bind(2, x + w); try q.bind(3, y); try q.bind(4, y + w)
            var got: Set<Int64> = []
            while try q.step() { got.insert(q.int64(0)) }
            // Stored boxes are rounded outward by at most two float steps (0.5 m here): compare away from the edges.
            let inside = Set(entries.filter { $0.1.maxX >= x + 1 && $0.1.minX <= x + w - 1 && $0.1.maxY >= y + 1 && $0.1.minY <= y + w - 1 }.map(\.0))
            let near = Set(entries.filter { $0.1.maxX >= x - 1 && $0.1.minX <= x + w + 1 && $0.1.maxY >= y - 1 && $0.1.minY <= y + w + 1 }.map(\.0))
            #expect(inside.isSubset(of: got) && got.isSubset(of: near))
        }
        // The module keeps working on the loaded tree.
        try db.execute("INSERT INTO r VALUES (1, 0, 1, 0, 1); DELETE FROM r WHERE id IN (5, 8, 11)")
        #expect(try db.scalarText("SELECT rtreecheck('r')") == "ok")
        #expect(try db.scalarInt("SELECT count(*) FROM r") == 19_998)
        // The Hilbert curve starts in the 8×8 corner block at the origin and moves one cell per step.
        var cellOf: [UInt64: (Int, Int)] = [:]
        for x in 0..<8 { for y in 0..<8 { cellOf[GeoPackageRTreeLoader.hilbert(UInt32(x), UInt32(y))] = (x, y) } }
        #expect(Set(cellOf.keys) == Set(0..<64))
        #expect((1..<64).allSatisfy { d in
            let a = cellOf[UInt64(d - 1)]!, b = cellOf[UInt64(d)]!
            return abs(a.0 - b.0) + abs(a.1 - b.1) == 1
        })
    }

    @Test("1,000,000 points in one transaction")
    func millionPoints() throws {
        let dir = try TestFiles.tempDir("million").path
        defer { try? FileManager.default.removeItem(atPath: dir) }   // ~90 MB
        let path = dir + "/m.gpkg"
        let n = 1_000_000
        let columns = [GeoPackageColumn(name: "k", type: "INTEGER"), GeoPackageColumn(name: "v", type: "REAL")]
        var g = UInt64(42)
        let start = Date()
        try GeoPackageWriter.write(layer: Self.layer("m", "POINT", columns: columns), rows: (0..<n).lazy.map { k in
            g = g &* 6364136223846793005 &+ 1442695040888963407
            let x = 4_870_000 + Double(g >> 40) / 16_777_216 * 40_000
            let y = 2_060_000 + Double((g >> 16) & 0xFF_FFFF) / 16_777_216 * 40_000
            return (GeoPackageGeometry.point(x: x, y: y), [.integer(Int64(k)), .real(Double(k) / 7)])
        }, to: path)
        let seconds = Date().timeIntervalSince(start)
        print("GeoPackage: \(n) points written in \(String(format: "%.2f", seconds)) s")
        let db = try Database(path: path, flags: [.readOnly, .noMutex])
        #expect(try db.scalarInt("SELECT count(*) FROM m") == Int64(n))
        #expect(try db.scalarInt("SELECT count(*) FROM rtree_m_geom") == Int64(n))
        #expect(try db.scalarText("SELECT rtreecheck('rtree_m_geom')") == "ok")
        #expect(seconds < 20, "generous bound for slow CI machines; ~\(seconds) s here")
    }
}
