import CGEOS
import Primitives

/// An owned `GEOSGeometry*`. Destroyed in `deinit` unless ownership moved to a parent.
final class GEOSGeometry {
    let context: GEOSContext
    private(set) var pointer: OpaquePointer
    private var owned = true

    init(_ pointer: OpaquePointer, context: GEOSContext) {
        self.pointer = pointer
        self.context = context
    }

    deinit { if owned { GEOSGeom_destroy_r(context.handle, pointer) } }

    /// Gives the pointer to a GEOS constructor that takes ownership of it.
    func releaseOwnership() -> OpaquePointer { owned = false; return pointer }

    // MARK: Construction

    static func point(x: Double, y: Double, context: GEOSContext) throws -> GEOSGeometry {
        // NULL on exception.
        guard let p = GEOSGeom_createPointFromXY_r(context.handle, x, y) else { throw context.error("createPointFromXY") }
        return GEOSGeometry(p, context: context)
    }

    static func ring(_ ring: Ring, context: GEOSContext) throws -> GEOSGeometry {
        guard ring.count >= 4 else { throw GEOSError.invalidInput("ring with \(ring.count) points (at least 4 needed)") }
        guard ring.first == ring.last else { throw GEOSError.invalidInput("ring not closed") }
        for p in ring where !p.x.isFinite || !p.y.isFinite { throw GEOSError.invalidInput("non-finite coordinate") }
        var flat = [Double](); flat.reserveCapacity(ring.count * 2)
        for p in ring { flat.append(p.x); flat.append(p.y) }
        // NULL on exception.
        guard let seq = GEOSCoordSeq_copyFromBuffer_r(context.handle, flat, UInt32(ring.count), 0, 0) else {
            throw context.error("CoordSeq_copyFromBuffer")
        }
        // Takes ownership of seq; NULL on exception.
        guard let r = GEOSGeom_createLinearRing_r(context.handle, seq) else { throw context.error("createLinearRing") }
        return GEOSGeometry(r, context: context)
    }

    static func polygon(_ polygon: Polygon, context: GEOSContext) throws -> GEOSGeometry {
        let shell = try ring(polygon.exterior, context: context)
        let holes = try polygon.holes.map { try ring($0, context: context) }
        var holePointers: [OpaquePointer?] = holes.map { $0.releaseOwnership() }
        // Takes ownership of shell and holes; NULL on exception.
        guard let p = GEOSGeom_createPolygon_r(context.handle, shell.releaseOwnership(), &holePointers, UInt32(holePointers.count)) else {
            throw context.error("createPolygon")
        }
        return GEOSGeometry(p, context: context)
    }

    static func polygonal(_ shape: Polygonal, context: GEOSContext) throws -> GEOSGeometry {
        if shape.parts.count == 1 { return try polygon(shape.parts[0], context: context) }
        let parts = try shape.parts.map { try polygon($0, context: context) }
        var pointers: [OpaquePointer?] = parts.map { $0.releaseOwnership() }
        // Takes ownership of the parts; NULL on exception.
        guard let m = GEOSGeom_createCollection_r(context.handle, Int32(GEOS_MULTIPOLYGON.rawValue), &pointers, UInt32(pointers.count)) else {
            throw context.error("createCollection")
        }
        return GEOSGeometry(m, context: context)
    }

    // MARK: Predicates and measures

    /// Validity with GEOS's reason when invalid.
    func validity() throws -> (valid: Bool, reason: String?) {
        // 2 on exception, 1 valid, 0 invalid.
        switch GEOSisValid_r(context.handle, pointer) {
        case 1: return (true, nil)
        case 0:
            guard let r = GEOSisValidReason_r(context.handle, pointer) else { return (false, nil) }
            defer { GEOSFree_r(context.handle, r) }
            return (false, String(cString: r))
        default: throw context.error("isValid")
        }
    }

    /// Repaired geometry (`GEOSMakeValid_r`, linework method).
    func makeValid() throws -> GEOSGeometry {
        guard let g = GEOSMakeValid_r(context.handle, pointer) else { throw context.error("MakeValid") }
        return GEOSGeometry(g, context: context)
    }

    func area() throws -> Double {
        var a = 0.0
        // 0 on exception.
        guard GEOSArea_r(context.handle, pointer, &a) == 1 else { throw context.error("Area") }
        return a
    }

    func distance(to other: GEOSGeometry) throws -> Double {
        var d = 0.0
        guard GEOSDistance_r(context.handle, pointer, other.pointer, &d) == 1 else { throw context.error("Distance") }
        return d
    }

    /// Length of a linear geometry (0 for points and empty geometries).
    func length() throws -> Double {
        var l = 0.0
        guard GEOSLength_r(context.handle, pointer, &l) == 1 else { throw context.error("Length") }
        return l
    }

    func boundary() throws -> GEOSGeometry {
        guard let g = GEOSBoundary_r(context.handle, pointer) else { throw context.error("Boundary") }
        return GEOSGeometry(g, context: context)
    }

    func intersection(_ other: GEOSGeometry) throws -> GEOSGeometry {
        guard let g = GEOSIntersection_r(context.handle, pointer, other.pointer) else { throw context.error("Intersection") }
        return GEOSGeometry(g, context: context)
    }

    func unaryUnion() throws -> GEOSGeometry {
        guard let g = GEOSUnaryUnion_r(context.handle, pointer) else { throw context.error("UnaryUnion") }
        return GEOSGeometry(g, context: context)
    }

    // MARK: Reading back

    /// The polygonal parts of any geometry (collections from MakeValid included); other types dropped.
    func polygonalParts() throws -> [Polygon] {
        let type = GEOSGeomTypeId_r(context.handle, pointer)
        switch type {
        case Int32(GEOS_POLYGON.rawValue):
            return [try readPolygon(pointer)]
        case Int32(GEOS_MULTIPOLYGON.rawValue), Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            var out: [Polygon] = []
            let n = GEOSGetNumGeometries_r(context.handle, pointer)
            for i in 0..<max(n, 0) {
                // Borrowed pointer, owned by the collection.
                guard let sub = GEOSGetGeometryN_r(context.handle, pointer, i) else { throw context.error("GetGeometryN") }
                let child = GEOSGeometry(sub, context: context)
                _ = child.releaseOwnership()
                out += try child.polygonalParts()
            }
            return out
        default:
            return []
        }
    }

    private func readPolygon(_ poly: OpaquePointer) throws -> Polygon {
        // Borrowed rings, owned by the polygon.
        guard let shell = GEOSGetExteriorRing_r(context.handle, poly) else { throw context.error("GetExteriorRing") }
        let exterior = try readRing(shell)
        let nHoles = GEOSGetNumInteriorRings_r(context.handle, poly)
        var holes: [Ring] = []
        for i in 0..<max(nHoles, 0) {
            guard let h = GEOSGetInteriorRingN_r(context.handle, poly, i) else { throw context.error("GetInteriorRingN") }
            holes.append(try readRing(h))
        }
        return Polygon(exterior: exterior, holes: holes)
    }

    private func readRing(_ ring: OpaquePointer) throws -> Ring {
        guard let seq = GEOSGeom_getCoordSeq_r(context.handle, ring) else { throw context.error("getCoordSeq") }
        var size: UInt32 = 0
        guard GEOSCoordSeq_getSize_r(context.handle, seq, &size) == 1 else { throw context.error("CoordSeq_getSize") }
        var flat = [Double](repeating: 0, count: Int(size) * 2)
        guard GEOSCoordSeq_copyToBuffer_r(context.handle, seq, &flat, 0, 0) == 1 else { throw context.error("CoordSeq_copyToBuffer") }
        return (0..<Int(size)).map { Point(x: flat[2 * $0], y: flat[2 * $0 + 1]) }
    }
}

/// A prepared geometry: cached indexes for repeated predicates against one polygon.
final class GEOSPreparedGeometry {
    let base: GEOSGeometry
    let pointer: OpaquePointer

    init(_ base: GEOSGeometry) throws {
        self.base = base
        // NULL on exception.
        guard let p = GEOSPrepare_r(base.context.handle, base.pointer) else { throw base.context.error("Prepare") }
        pointer = p
    }

    deinit { GEOSPreparedGeom_destroy_r(base.context.handle, pointer) }

    /// Interior containment: false for a point on the boundary.
    func contains(_ g: GEOSGeometry) throws -> Bool {
        // 2 on exception, 1 true, 0 false.
        switch GEOSPreparedContains_r(base.context.handle, pointer, g.pointer) {
        case 1: return true
        case 0: return false
        default: throw base.context.error("PreparedContains")
        }
    }

    /// True also for a point on the boundary.
    func intersects(_ g: GEOSGeometry) throws -> Bool {
        switch GEOSPreparedIntersects_r(base.context.handle, pointer, g.pointer) {
        case 1: return true
        case 0: return false
        default: throw base.context.error("PreparedIntersects")
        }
    }
}

/// GEOS's STRtree over envelopes; items are integer ids.
final class GEOSSTRtree {
    let context: GEOSContext
    let pointer: OpaquePointer
    /// Envelope geometries must outlive the tree.
    private var keep: [GEOSGeometry] = []

    init(context: GEOSContext, nodeCapacity: Int = 10) throws {
        self.context = context
        guard let t = GEOSSTRtree_create_r(context.handle, nodeCapacity) else { throw context.error("STRtree_create") }
        pointer = t
    }

    deinit { GEOSSTRtree_destroy_r(context.handle, pointer) }

    func insert(_ geometry: GEOSGeometry, id: Int) {
        keep.append(geometry)
        // Item is the id + 1 (so that id 0 is not a NULL pointer).
        GEOSSTRtree_insert_r(context.handle, pointer, geometry.pointer, UnsafeMutableRawPointer(bitPattern: id + 1))
    }

    /// Ids whose envelope intersects `geometry`'s envelope.
    func query(_ geometry: GEOSGeometry) -> [Int] {
        var found: [Int] = []
        withUnsafeMutablePointer(to: &found) { foundPtr in
            GEOSSTRtree_query_r(context.handle, pointer, geometry.pointer, { item, userdata in
                guard let userdata else { return }
                let list = userdata.assumingMemoryBound(to: [Int].self)
                list.pointee.append(Int(bitPattern: item) - 1)
            }, foundPtr)
        }
        return found
    }
}
