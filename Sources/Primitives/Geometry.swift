/// Plain planar geometry values: what crosses module boundaries instead of C handles.

/// A coordinate pair in the CRS of its layer: lon/lat degrees for EPSG:4326, metres for a projected CRS.
public struct Point: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A closed ring: first point equals last point.
public typealias Ring = [Point]

/// One polygon: an exterior ring and its holes.
public struct Polygon: Hashable, Sendable {
    public var exterior: Ring
    public var holes: [Ring]
    public init(exterior: Ring, holes: [Ring] = []) { self.exterior = exterior; self.holes = holes }
    public var rings: [Ring] { [exterior] + holes }
}

/// A Polygon or MultiPolygon feature geometry: its parts do not overlap when valid,
/// so the even–odd rule over all rings gives its interior.
public struct Polygonal: Hashable, Sendable {
    public var parts: [Polygon]
    public init(parts: [Polygon]) { self.parts = parts }

    public var allRings: [Ring] { parts.flatMap(\.rings) }

    public var envelope: Envelope {
        var e = Envelope.empty
        for part in parts { for p in part.exterior { e.expand(p) } }
        return e
    }

    /// Applies `f` to every coordinate (used to project a layer once).
    public func mapPoints(_ f: (Point) -> Point) -> Polygonal {
        Polygonal(parts: parts.map { part in
            Polygon(exterior: part.exterior.map(f), holes: part.holes.map { $0.map(f) })
        })
    }
}

/// Axis-aligned bounding box.
public struct Envelope: Hashable, Sendable, Codable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }
    public static let empty = Envelope(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
    public var isEmpty: Bool { minX > maxX || minY > maxY }
    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public mutating func expand(_ p: Point) {
        minX = Swift.min(minX, p.x); minY = Swift.min(minY, p.y)
        maxX = Swift.max(maxX, p.x); maxY = Swift.max(maxY, p.y)
    }
    public mutating func expand(_ e: Envelope) {
        minX = Swift.min(minX, e.minX); minY = Swift.min(minY, e.minY)
        maxX = Swift.max(maxX, e.maxX); maxY = Swift.max(maxY, e.maxY)
    }
    public func contains(x: Double, y: Double) -> Bool { x >= minX && x <= maxX && y >= minY && y <= maxY }
}
