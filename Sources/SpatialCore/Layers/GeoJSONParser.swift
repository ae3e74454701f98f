import Foundation
import Primitives

/// A single-pass GeoJSON parser over UTF-8 bytes, built for layer files: coordinates go straight
/// into `Point` arrays (no boxed number per coordinate, as JSONSerialization makes), properties of a
/// feature become text (integers keep their source digits, so ids like "0012" or 12-digit DANE codes
/// survive untouched).
struct GeoJSONParser {
    struct Failure: Error { let offset: Int; let message: String }

    /// Nested coordinate arrays: a position, a list of positions (ring or line), or deeper nesting.
    indirect enum Coordinates {
        case position(Point)
        case positions([Point])
        case nested([Coordinates])
    }

    struct Geometry {
        var type: String?
        var coordinates: Coordinates?
    }

    struct Feature {
        var properties: [String: String] = [:]
        var geometry: Geometry?
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The features of a FeatureCollection.
    static func features(in data: [UInt8]) throws -> [Feature] {
        try data.withUnsafeBufferPointer { buf in
            var p = GeoJSONParser(buf)
            var features: [Feature] = []
            var sawFeatures = false
            try p.object { p, key in
                if key == "features" {
                    sawFeatures = true
                    try p.array { p in features.append(try p.feature()) }
                } else { try p.skipValue() }
            }
            guard sawFeatures else { throw Failure(offset: 0, message: "not a GeoJSON FeatureCollection (no \"features\")") }
            return features
        }
    }

    // MARK: Structure

    private mutating func feature() throws -> Feature {
        var f = Feature()
        try object { p, key in
            switch key {
            case "properties":
                if p.peek() == UInt8(ascii: "n") { try p.literal("null"); return }
                try p.object { p, name in
                    if let v = try p.scalarText() { f.properties[name] = v }
                }
            case "geometry":
                if p.peek() == UInt8(ascii: "n") { try p.literal("null"); return }
                var g = Geometry()
                try p.object { p, k in
                    switch k {
                    case "type": g.type = try p.string()
                    case "coordinates": g.coordinates = try p.coordinates()
                    default: try p.skipValue()
                    }
                }
                f.geometry = g
            default: try p.skipValue()
            }
        }
        return f
    }

    private mutating func coordinates() throws -> Coordinates {
        try expect(UInt8(ascii: "["))
        skipSpace()
        let c = peek()
        if c == UInt8(ascii: "-") || (c >= 48 && c <= 57) {
            // A position: [x, y, (z...)]; extra ordinates are ignored.
            let x = try number()
            try comma()
            let y = try number()
            skipSpace()
            while peek() == UInt8(ascii: ",") { i += 1; _ = try number(); skipSpace() }
            try expect(UInt8(ascii: "]"))
            return .position(Point(x: x, y: y))
        }
        var children: [Coordinates] = []
        var points: [Point] = []
        var allPositions = true
        if peek() == UInt8(ascii: "]") { i += 1; return .nested([]) }
        while true {
            let child = try coordinates()
            if case let .position(p) = child, allPositions { points.append(p) } else {
                if allPositions { children = points.map { .position($0) }; allPositions = false }
                children.append(child)
            }
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "]"))
            break
        }
        return allPositions ? .positions(points) : .nested(children)
    }

    // MARK: Generic JSON

    private mutating func object(_ member: (inout GeoJSONParser, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek() == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipSpace()
            let key = try string()
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            try member(&self, key)
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    private mutating func array(_ element: (inout GeoJSONParser) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        skipSpace()
        if peek() == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipSpace()
            try element(&self)
            skipSpace()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "]"))
            return
        }
    }

    /// A property value as text (strings unescaped; numbers as written; booleans true/false);
    /// nil for null; nested arrays/objects as their JSON source.
    private mutating func scalarText() throws -> String? {
        skipSpace()
        switch peek() {
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "n"): try literal("null"); return nil
        case UInt8(ascii: "t"): try literal("true"); return "true"
        case UInt8(ascii: "f"): try literal("false"); return "false"
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let start = i
            try skipValue()
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        default:
            let start = i
            let v = try number()
            let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            // "12.0" as JSONSerialization-based tools would print it: integer text for integral values.
            if raw.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), v == v.rounded(), abs(v) < 1e15 {
                return String(Int64(v))
            }
            return raw
        }
    }

    private mutating func skipValue() throws {
        skipSpace()
        switch peek() {
        case UInt8(ascii: "{"): try object { p, _ in try p.skipValue() }
        case UInt8(ascii: "["): try array { p in try p.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        default: _ = try number()
        }
    }

    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = i
        var simple = true
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            if bytes[i] == UInt8(ascii: "\\") { simple = false; i += 2 } else { i += 1 }
        }
        guard i < bytes.count else { throw Failure(offset: start, message: "unterminated string") }
        let end = i
        i += 1
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if simple { return String(decoding: raw, as: UTF8.self) }
        // Rare: escapes. Let Foundation decode the literal exactly.
        let literal = Data(UnsafeBufferPointer(rebasing: bytes[(start - 1)...end]))
        guard let s = try? JSONSerialization.jsonObject(with: literal, options: .fragmentsAllowed) as? String else {
            throw Failure(offset: start, message: "bad string escape")
        }
        return s
    }

    /// A JSON number. Fast path (Clinger): up to 15 significant digits and a power of ten ≤ 22 give
    /// the correctly rounded double with one multiplication or division; anything else goes to strtod.
    private mutating func number() throws -> Double {
        skipSpace()
        let start = i
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var mantissa: UInt64 = 0, digits = 0, fractionDigits = 0
        var sawDot = false, sawExp = false
        while i < bytes.count {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(c - 48) }
                if mantissa > 0 || sawDot { digits += 1 }
                if sawDot { fractionDigits += 1 }
                i += 1
            } else if c == UInt8(ascii: ".") && !sawDot { sawDot = true; i += 1 }
            else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || (c == UInt8(ascii: "-") && sawExp) {
                sawExp = true; i += 1
            } else { break }
        }
        guard i > start + (negative ? 1 : 0) else { throw Failure(offset: start, message: "expected a number") }
        if !sawExp && digits <= 15 && fractionDigits <= 22 {
            let powers: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]
            let v = Double(mantissa) / powers[fractionDigits]
            return negative ? -v : v
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let v = Double(text) else { throw Failure(offset: start, message: "bad number '\(text)'") }
        return v
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw Failure(offset: i, message: "expected \(word)") }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw Failure(offset: i, message: "expected \(word)") }
        i += n
    }

    private mutating func comma() throws { skipSpace(); try expect(UInt8(ascii: ",")); skipSpace() }

    @inline(__always) private func peek() -> UInt8 { i < bytes.count ? bytes[i] : 0 }

    @inline(__always) private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 }
    }

    private mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard peek() == c else {
            throw Failure(offset: i, message: "expected '\(Character(UnicodeScalar(c)))' but found '\(i < bytes.count ? String(Character(UnicodeScalar(bytes[i]))) : "end of file")'")
        }
        i += 1
    }
}
