import Primitives

/// GeoPackage geometry blobs (OGC 12-128r §2.1.3): the binary header followed by ISO WKB, both
/// little-endian.
///
/// Header: "GP", version 0, flags, srs_id (int32), envelope. Flags: bit 0 byte order (1 = little
/// endian), bits 1–3 envelope contents (0 none, 1 = [minx, maxx, miny, maxy]), bit 4 empty geometry,
/// bit 5 extended type (0 = standard). Points carry no envelope (it is the point itself); non-empty
/// multipolygons carry the xy envelope.
enum GeoPackageBinary {
    static let wkbPoint: UInt32 = 1
    static let wkbPolygon: UInt32 = 3
    static let wkbMultiPolygon: UInt32 = 6

    /// Appends the blob of `geometry` to `out`. Returns its envelope, nil when it is empty.
    /// Throws `.invalidInput` for a non-finite coordinate (other than the NaN-NaN empty point).
    static func encode(_ geometry: GeoPackageGeometry, srsID: Int32, into out: inout [UInt8]) throws -> Envelope? {
        switch geometry {
        case let .point(x, y):
            let empty = x.isNaN && y.isNaN
            if !empty && !(x.isFinite && y.isFinite) {
                throw GeoPackageError.invalidInput(reason: "GeoPackage point has a non-finite coordinate")
            }
            header(srsID: srsID, envelope: nil, empty: empty, into: &out)
            out.append(1)
            put(wkbPoint, &out)
            put(x, &out); put(y, &out)
            return empty ? nil : Envelope(minX: x, minY: y, maxX: x, maxY: y)

        case let .polygon(polygonal):
            var env = Envelope.empty
            for part in polygonal.parts {
                for ring in part.rings {
                    for p in ring {
                        guard p.x.isFinite && p.y.isFinite else {
                            throw GeoPackageError.invalidInput(reason: "GeoPackage polygon has a non-finite coordinate")
                        }
                        env.expand(p)
                    }
                }
            }
            let empty = env.isEmpty
            header(srsID: srsID, envelope: empty ? nil : env, empty: empty, into: &out)
            out.append(1)
            put(wkbMultiPolygon, &out)
            put(UInt32(polygonal.parts.count), &out)
            for part in polygonal.parts {
                out.append(1)
                put(wkbPolygon, &out)
                // An empty exterior is the empty polygon (0 rings); its holes are meaningless.
                let rings = part.exterior.isEmpty ? [] : part.rings.filter { !$0.isEmpty }
                put(UInt32(rings.count), &out)
                for ring in rings {
                    let close = ring.first! != ring.last!
                    put(UInt32(ring.count + (close ? 1 : 0)), &out)
                    for p in ring { put(p.x, &out); put(p.y, &out) }
                    if close { put(ring[0].x, &out); put(ring[0].y, &out) }
                }
            }
            return empty ? nil : env
        }
    }

    private static func header(srsID: Int32, envelope: Envelope?, empty: Bool, into out: inout [UInt8]) {
        var flags: UInt8 = 0x01                 // little endian
        if envelope != nil { flags |= 1 << 1 }  // envelope contents indicator 1: [minx, maxx, miny, maxy]
        if empty { flags |= 1 << 4 }
        out.append(0x47); out.append(0x50)      // "GP"
        out.append(0)                           // version 0 (= GeoPackage 1.0 and later)
        out.append(flags)
        put(UInt32(bitPattern: srsID), &out)
        if let e = envelope { put(e.minX, &out); put(e.maxX, &out); put(e.minY, &out); put(e.maxY, &out) }
    }

    @inline(__always)
    private static func put(_ v: UInt32, _ out: inout [UInt8]) {
        // Shifts take bytes by value: little-endian output on any host.
        out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v >> 16)); out.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    @inline(__always)
    private static func put(_ v: Double, _ out: inout [UInt8]) {
        let b = v.bitPattern
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: b >> UInt64(shift))) }
    }
}
