import Foundation
import Primitives
import Testing
@testable import Formats
import SpatialCore
import TestSupport

@Suite struct RasterWriterTests {
    /// 3 × 2 raster at 50 m cells, lower-left (4,880,000, 2,070,000) in EPSG:9377; row 0 south.
    static let g = Grid(originX: 4_880_000, originY: 2_070_000, cellSize: 50, columns: 3, rows: 2, crs: "EPSG:9377")
    static let values: [Float] = [1, 2, 3, .nan, 5, 6]   // south row: 1 2 3; north row: NaN 5 6

    /// Reads back the TIFF with an independent minimal parser: tags, georeference and north-up pixels.
    @Test func geotiffReadsBackWithItsGeoreference() throws {
        let path = try TestFiles.tempDir("raster").appendingPathComponent("r.tif").path
        try GeoTIFFWriter.write(values: Self.values, grid: Self.g, to: path)
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func f64(_ o: Int) -> Double { Double(bitPattern: UInt64(u32(o)) | UInt64(u32(o + 4)) << 32) }
        #expect(b[0] == 0x49 && b[1] == 0x49 && u16(2) == 42)
        let ifd = u32(4)
        var tags: [Int: (type: Int, count: Int, at: Int)] = [:]
        for k in 0..<u16(ifd) {
            let e = ifd + 2 + 12 * k
            let type = u16(e + 2), count = u32(e + 4)
            let size = [1: 1, 2: 1, 3: 2, 4: 4, 12: 8][type]! * count
            tags[u16(e)] = (type, count, size <= 4 ? e + 8 : u32(e + 8))
        }
        #expect(u32(tags[256]!.at) == 3 && u32(tags[257]!.at) == 2)
        #expect(u16(tags[339]!.at) == 3 && u16(tags[258]!.at) == 32)
        let scale = tags[33550]!, tie = tags[33922]!
        #expect(f64(scale.at) == 50 && f64(scale.at + 8) == 50)
        #expect(f64(tie.at + 24) == 4_880_000 && f64(tie.at + 32) == 2_070_100)   // upper-left corner
        let keys = tags[34735]!
        let geoKeys = (0..<keys.count).map { u16(keys.at + 2 * $0) }
        #expect(geoKeys.contains(3072) && geoKeys[geoKeys.firstIndex(of: 3072)! + 3] == 9377)
        let data = u32(tags[273]!.at)
        let pixels = (0..<6).map { Float(bitPattern: UInt32(u32(data + 4 * $0))) }
        #expect(pixels == [-9999, 5, 6, 1, 2, 3])  // north row first, NaN → NoData
    }

    @Test func asciiGridAndPrj() throws {
        let path = try TestFiles.tempDir("raster").appendingPathComponent("r.asc").path
        try AsciiGridWriter.write(values: Self.values, grid: Self.g, prjWKT: try Projection.wkt("EPSG:9377", esri: true), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "ncols 3\nnrows 2\nxllcorner 4880000.0\nyllcorner 2070000.0\ncellsize 50.0\nNODATA_value -9999\n-9999 5.0 6.0\n1.0 2.0 3.0\n")
        let prj = try String(contentsOfFile: (path as NSString).deletingPathExtension + ".prj", encoding: .utf8)
        #expect(prj.contains("Origen-Nacional") || prj.contains("Origen_Nacional"))
        #expect(prj.contains("Transverse_Mercator") && prj.contains("5000000"))
    }
}
