import Foundation
import Testing
import SQLite
import TestSupport

/// `.gpkg` outputs of assign and hotspots, read back through SQLite against the OGC tables.
@Suite(.serialized) struct GeoPackageCommandTests {
    @Test func assignAndHotspotsWriteGeoPackages() throws {
        let dir = try TestFiles.tempDir("gpkg")
        let csv = try MappingCommandTests.kennedyCSV(dir, count: 300)
        let points = dir.appendingPathComponent("a.gpkg").path
        let a = try CLI.run(["assign", csv.path, "-o", points, "-q"])
        #expect(a.status == 0, "\(a.stderr)")
        let db = try Database(path: points, flags: [.readOnly])
        #expect(try db.scalarInt("PRAGMA application_id") == 0x4750_4B47)
        #expect(try db.scalarText("SELECT data_type FROM gpkg_contents WHERE table_name = 'incidentes'") == "features")
        #expect(try db.scalarInt("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'incidentes'") == 9377)
        #expect(try db.scalarText("SELECT geometry_type_name FROM gpkg_geometry_columns") == "POINT")
        #expect(try db.scalarInt("SELECT count(*) FROM incidentes") == 300)
        #expect(try db.scalarInt("SELECT count(*) FROM incidentes WHERE localidad_code = '08'") == 300)
        #expect(try db.scalarInt("SELECT count(*) FROM rtree_incidentes_geom") == 300)
        let description = try db.scalarText("SELECT description FROM gpkg_contents") ?? ""
        #expect(description.contains("\"crs\":\"EPSG:9377\""))

        let polys = dir.appendingPathComponent("h.gpkg").path
        let h = try CLI.run(["hotspots", csv.path, "-o", polys, "--cell", "50", "--bandwidth", "300", "--top", "0.5", "-q"])
        #expect(h.status == 0, "\(h.stderr)")
        let hdb = try Database(path: polys, flags: [.readOnly])
        #expect(try hdb.scalarText("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = 'hotspots'") == "MULTIPOLYGON")
        let n = try hdb.scalarInt("SELECT count(*) FROM hotspots") ?? 0
        #expect(n > 0)
        #expect(try hdb.scalarInt("SELECT sum(incidents) FROM hotspots") ?? 0 > 0)
        #expect(try hdb.scalarText("PRAGMA integrity_check") == "ok")

        // Hotspot polygons are unions of grid cells, written in the working CRS as computed: every extent
        // edge lies exactly on a grid line (they used to go 9377 → 4326 → 9377 and come back ~1e-9 m off).
        let grid = try #require(JSONSerialization.jsonObject(with: Data(providerDescription(hdb).utf8)) as? [String: Any])["grid"] as? [String: Any]
        let cell = try #require(grid?["cell_size"] as? Double), ox = try #require(grid?["origin_x"] as? Double)
        let oy = try #require(grid?["origin_y"] as? Double)
        let edges = [("min_x", ox), ("max_x", ox), ("min_y", oy), ("max_y", oy)]
        for (column, origin) in edges {
            let v = try #require(try hdb.scalarText("SELECT \(column) FROM gpkg_contents WHERE table_name = 'hotspots'").flatMap(Double.init))
            let k = (v - origin) / cell
            #expect(k == k.rounded(), "\(column) = \(v) is not on a grid line (origin \(origin), cell \(cell))")
        }
    }

    private func providerDescription(_ db: Database) throws -> String {
        try db.scalarText("SELECT description FROM gpkg_contents") ?? ""
    }
}
