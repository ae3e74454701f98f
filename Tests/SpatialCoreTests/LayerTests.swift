import Foundation
import Testing
import SpatialCore
import Primitives
import TestSupport

@Suite struct LayerTests {
    /// Feature counts as PROVENANCE.md gives them.
    @Test(arguments: [("localidades", 20), ("upz", 116), ("upl", 33), ("municipios_region", 47), ("policia_cuadrantes", 1051)])
    func polygonLayerCounts(_ name: String, _ expected: Int) {
        let layer = TestLayers.polygons(name)
        #expect(layer.count == expected)
        #expect(Set(layer.ids).count == expected)
        #expect(layer.invalid.isEmpty)  // PROVENANCE.md: every geometry passes shapely.is_valid
    }

    /// GEOS areas in EPSG:9377 agree with the SDP's own LocArea field (m², another projection) within 0.5 %.
    @Test func localidadAreasMatchOfficialField() throws {
        let layer = TestLayers.polygons("localidades")
        let path = try TestLayers.catalog.resolve(TestLayers.catalog.spec(named: "localidades"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let features = json["features"] as! [[String: Any]]
        for (i, f) in features.enumerated() {
            let official = ((f["properties"] as! [String: Any])["LocArea"] as! NSNumber).doubleValue / 1e6
            #expect(abs(layer.areasKm2[i] - official) / official < 0.005, "\(layer.ids[i])")
        }
        // The district's official area is 1,636 km² (163,635 ha, SDP).
        #expect(abs(layer.areasKm2.reduce(0, +) - 1636) < 16)
    }

    @Test func namesKeepOfficialSpelling() {
        let layer = TestLayers.polygons("localidades")
        #expect(layer.names[layer.ids.firstIndex(of: "01")!] == "Usaquén")
        #expect(layer.names[layer.ids.firstIndex(of: "10")!] == "Engativá")
    }

    /// A layer is found by its name, then by its output column (how users name units); others are refused.
    @Test func layersAreFoundByNameOrColumn() throws {
        let catalog = LayerCatalog(manifestPath: "m.json", layers: [
            LayerSpec(name: "localidades", file: "l.geojson", idField: "id", nameField: nil, role: .admin, source: "t", column: "localidad"),
            LayerSpec(name: "localidad", file: "x.geojson", idField: "id", nameField: nil, role: .admin, source: "t", column: "otra"),
            LayerSpec(name: "policia_cuadrantes", file: "c.geojson", idField: "id", nameField: nil, role: .patrol, source: "t", column: "cuadrante"),
        ], searchPaths: [])
        #expect(try catalog.spec(named: "cuadrante").name == "policia_cuadrantes")
        #expect(try catalog.spec(named: "localidad").file == "x.geojson")   // a layer's own name wins
        #expect(throws: LayerError.unknownLayer("cuadrantes", known: ["localidades", "localidad", "policia_cuadrantes"])) {
            try catalog.spec(named: "cuadrantes")
        }
    }

    @Test func missingLayerFileNamesTheFolders() throws {
        let catalog = LayerCatalog(manifestPath: "m.json", layers: [
            LayerSpec(name: "x", file: "nope.geojson", idField: "id", nameField: nil, role: .admin, source: "test", column: nil),
        ], searchPaths: ["/tmp/a", "/tmp/b"])
        #expect(throws: LayerError.fileNotFound(layer: "x", file: "nope.geojson", tried: ["/tmp/a/nope.geojson", "/tmp/b/nope.geojson"])) {
            try PolygonLayer.load(catalog.spec(named: "x"), catalog: catalog)
        }
    }

    /// A self-intersecting "bow-tie" is reported invalid and repaired through GEOSMakeValid.
    @Test func invalidPolygonIsRepairedAndReported() throws {
        let dir = try TestFiles.tempDir("layer")
        let geojson = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[-74.10,4.60],[-74.08,4.62],[-74.08,4.60],[-74.10,4.62],[-74.10,4.60]]]}},
        {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-74.2,4.5],[-74.19,4.5],[-74.19,4.51],[-74.2,4.51],[-74.2,4.5]]]]}}
        ]}
        """
        try geojson.write(to: dir.appendingPathComponent("bowtie.geojson"), atomically: true, encoding: .utf8)
        let catalog = LayerCatalog(manifestPath: "m.json", layers: [
            LayerSpec(name: "bowtie", file: "bowtie.geojson", idField: "code", nameField: nil, role: .admin, source: "test", column: nil),
        ], searchPaths: [dir.path])
        let layer = try PolygonLayer.load(catalog.spec(named: "bowtie"), catalog: catalog)
        #expect(layer.invalid.count == 1)
        #expect(layer.invalid.first?.id == "A")
        #expect(layer.invalid.first?.repaired == true)
        #expect(layer.invalid.first?.reason.contains("Self-intersection") == true)
        #expect(layer.polygons[0].parts.count == 2)  // the bow-tie becomes two triangles
        #expect(layer.geometryTypes == ["MultiPolygon", "Polygon"])
    }
}

@Suite struct BuiltInManifestTests {
    /// The manifest built into the binary is the project's geodata/manifest.json, entry for entry.
    @Test func builtInManifestMatchesFile() throws {
        let file = try LayerCatalog.load(manifest: TestPaths.packageRoot.appendingPathComponent("geodata/manifest.json").path, searchPaths: [])
        let empty = try TestFiles.tempDir("no-manifest")
        defer { try? FileManager.default.removeItem(at: empty) }
        let builtIn = try LayerCatalog.load(searchPaths: [empty.path])
        #expect(builtIn.manifestPath == LayerCatalog.builtInManifestPath)
        #expect(builtIn.layers == file.layers)
        #expect(builtIn.layers.count == 12)
    }

    /// A manifest named explicitly but absent is an error, not a silent fallback.
    @Test func namedManifestMustExist() {
        #expect(throws: LayerError.self) { try LayerCatalog.load(manifest: "/nonexistent/manifest.json", searchPaths: []) }
    }
}
