import Foundation
import Primitives
import Localization
import Incidents

/// Writes a single-band float32 GeoTIFF (baseline TIFF 6.0 + GeoTIFF 1.1 keys), uncompressed, in
/// strips, georeferenced by ModelPixelScale + ModelTiepoint and a GeoKey directory naming the EPSG
/// code of a projected CRS. GDAL and QGIS read the CRS from ProjectedCSTypeGeoKey.
public enum GeoTIFFWriter {
    /// - Parameter values: row-major, row 0 = south (see `Grid`); NaN → NoData.
    public static func write(values: [Float], grid g: Grid, to path: String) throws {
        precondition(values.count == g.columns * g.rows)
        guard let epsg = g.epsgCode else { throw FormatError.cannotWrite(path: path, reason: tr("GeoTIFF necesita un código EPSG; se recibió \(g.crs)", "GeoTIFF needs an EPSG code, got \(g.crs)")) }
        var tiff = TIFFBuilder()
        let rowBytes = g.columns * 4
        let rowsPerStrip = max(1, min(g.rows, (64 * 1024) / max(rowBytes, 1)))
        let strips = (g.rows + rowsPerStrip - 1) / rowsPerStrip

        // Pixel data first (north row first), right after the 8-byte header.
        var data = [UInt8](); data.reserveCapacity(g.rows * rowBytes)
        for r in stride(from: g.rows - 1, through: 0, by: -1) {
            for c in 0..<g.columns {
                let v = values[r * g.columns + c]
                let bits = (v.isNaN ? rasterNoData : v).bitPattern.littleEndian
                withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
            }
        }
        let dataOffset = 8
        var offsets: [UInt32] = [], counts: [UInt32] = []
        for s in 0..<strips {
            let r0 = s * rowsPerStrip, n = min(rowsPerStrip, g.rows - r0)
            offsets.append(UInt32(dataOffset + r0 * rowBytes)); counts.append(UInt32(n * rowBytes))
        }
        tiff.add(256, .long([UInt32(g.columns)]))          // ImageWidth
        tiff.add(257, .long([UInt32(g.rows)]))             // ImageLength
        tiff.add(258, .short([32]))                        // BitsPerSample
        tiff.add(259, .short([1]))                         // Compression: none
        tiff.add(262, .short([1]))                         // Photometric: BlackIsZero
        tiff.add(273, .long(offsets))                      // StripOffsets
        tiff.add(277, .short([1]))                         // SamplesPerPixel
        tiff.add(278, .long([UInt32(rowsPerStrip)]))       // RowsPerStrip
        tiff.add(279, .long(counts))                       // StripByteCounts
        tiff.add(284, .short([1]))                         // PlanarConfiguration: contiguous
        tiff.add(339, .short([3]))                         // SampleFormat: IEEE float
        tiff.add(33550, .double([g.cellSize, g.cellSize, 0]))                  // ModelPixelScale
        tiff.add(33922, .double([0, 0, 0, g.originX, g.maxY, 0]))              // ModelTiepoint: pixel (0,0) corner = upper-left
        // GeoKeyDirectory: version 1.1.0, 4 keys.
        tiff.add(34735, .short([1, 1, 0, 4,
                                1024, 0, 1, 1,                              // GTModelType = projected
                                1025, 0, 1, 1,                              // GTRasterType = PixelIsArea
                                3072, 0, 1, UInt16(clamping: epsg),         // ProjectedCSType = EPSG code
                                3076, 0, 1, 9001]))                         // ProjLinearUnits = metre
        tiff.add(42113, .ascii(String(Int(rasterNoData))))                  // GDAL_NODATA
        let bytes = tiff.build(pixelData: data)
        try AtomicFile.write(bytes, to: path)
    }
}

/// Little-endian classic TIFF with one IFD placed after the pixel data.
struct TIFFBuilder {
    enum Value {
        case short([UInt16]), long([UInt32]), double([Double]), ascii(String)
        var type: UInt16 { switch self { case .short: 3; case .long: 4; case .double: 12; case .ascii: 2 } }
        var count: Int {
            switch self { case let .short(v): v.count; case let .long(v): v.count; case let .double(v): v.count; case let .ascii(s): s.utf8.count + 1 }
        }
        var bytes: [UInt8] {
            var out: [UInt8] = []
            switch self {
            case let .short(v): for x in v { withUnsafeBytes(of: x.littleEndian) { out += $0 } }
            case let .long(v): for x in v { withUnsafeBytes(of: x.littleEndian) { out += $0 } }
            case let .double(v): for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { out += $0 } }
            case let .ascii(s): out += Array(s.utf8); out.append(0)
            }
            return out
        }
    }
    private var entries: [(tag: UInt16, value: Value)] = []

    mutating func add(_ tag: UInt16, _ value: Value) { entries.append((tag, value)) }

    func build(pixelData: [UInt8]) -> [UInt8] {
        let sorted = entries.sorted { $0.tag < $1.tag }   // TIFF requires ascending tags
        var out: [UInt8] = [0x49, 0x49, 42, 0]             // "II", 42
        var ifdOffset = 8 + pixelData.count
        if ifdOffset % 2 == 1 { ifdOffset += 1 }
        withUnsafeBytes(of: UInt32(ifdOffset).littleEndian) { out += $0 }
        out += pixelData
        if out.count < ifdOffset { out.append(0) }
        // IFD: count, 12-byte entries, next-IFD 0, then out-of-line values.
        let ifdSize = 2 + sorted.count * 12 + 4
        var extra: [UInt8] = []
        var ifd: [UInt8] = []
        withUnsafeBytes(of: UInt16(sorted.count).littleEndian) { ifd += $0 }
        for e in sorted {
            withUnsafeBytes(of: e.tag.littleEndian) { ifd += $0 }
            withUnsafeBytes(of: e.value.type.littleEndian) { ifd += $0 }
            withUnsafeBytes(of: UInt32(e.value.count).littleEndian) { ifd += $0 }
            var b = e.value.bytes
            if b.count <= 4 {
                while b.count < 4 { b.append(0) }
                ifd += b
            } else {
                let off = ifdOffset + ifdSize + extra.count
                withUnsafeBytes(of: UInt32(off).littleEndian) { ifd += $0 }
                extra += b
                if extra.count % 2 == 1 { extra.append(0) }
            }
        }
        ifd += [0, 0, 0, 0]
        return out + ifd + extra
    }
}
