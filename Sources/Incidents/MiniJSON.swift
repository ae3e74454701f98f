import Foundation
import Localization
import Primitives

/// Minimal JSON value. Objects keep key order (GeoJSON headers use first-seen property order, which
/// `JSONSerialization` loses); numbers keep their source text so big integer ids are not rounded.
indirect enum JSONValue {
    case null
    case bool(Bool)
    case number(Double, raw: String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    subscript(key: String) -> JSONValue? {
        if case let .object(pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    /// Compact JSON text.
    func compact(into out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(_, raw): out += raw
        case let .string(s): TextEscaping.appendJSONString(s, into: &out)
        case let .array(items):
            out += "["
            for (k, v) in items.enumerated() { if k > 0 { out += "," }; v.compact(into: &out) }
            out += "]"
        case let .object(pairs):
            out += "{"
            for (k, kv) in pairs.enumerated() {
                if k > 0 { out += "," }
                TextEscaping.appendJSONString(kv.0, into: &out); out += ":"; kv.1.compact(into: &out)
            }
            out += "}"
        }
    }

    var compactText: String { var s = ""; compact(into: &s); return s }

    /// Property value as CSV text: strings as is, integers without `.0`, booleans true/false, null → "",
    /// arrays/objects as compact JSON.
    var propertyText: String {
        switch self {
        case .null: return ""
        case let .bool(b): return b ? "true" : "false"
        case let .string(s): return s
        case let .number(v, raw):
            if !raw.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return raw }
            if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
            return "\(v)"
        case .array, .object: return compactText
        }
    }
}

struct JSONParseError: Error { let message: String }

/// Recursive-descent parser over UTF-8 bytes (RFC 8259; depth-limited).
struct MiniJSONParser {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0
    private var depth = 0

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { throw JSONParseError(message: tr("documento vacío", "empty document")) }
            var parser = MiniJSONParser(p: base, n: b.count)
            parser.skipSpace()
            let v = try parser.value()
            parser.skipSpace()
            if parser.i != parser.n { throw parser.error(tr("datos sobrantes después del valor principal", "unexpected data after the top-level value")) }
            return v
        }
    }

    private init(p: UnsafePointer<UInt8>, n: Int) { self.p = p; self.n = n }

    private func error(_ m: String) -> JSONParseError { JSONParseError(message: tr("\(m) en el byte \(i)", "\(m) at byte \(i)")) }

    private mutating func skipSpace() {
        while i < n, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    private mutating func literal(_ word: String, _ v: JSONValue) throws -> JSONValue {
        for c in word.utf8 {
            guard i < n, p[i] == c else { throw error(tr("literal no válido", "invalid literal")) }
            i += 1
        }
        return v
    }

    private mutating func value() throws -> JSONValue {
        guard i < n else { throw error(tr("fin inesperado", "unexpected end")) }
        switch p[i] {
        case 0x7B: return try object()
        case 0x5B: return try array()
        case 0x22: return .string(try string())
        case 0x74: return try literal("true", .bool(true))
        case 0x66: return try literal("false", .bool(false))
        case 0x6E: return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func object() throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        if depth > 256 { throw error(tr("anidamiento demasiado profundo", "nesting too deep")) }
        i += 1
        var pairs: [(String, JSONValue)] = []
        skipSpace()
        if i < n && p[i] == 0x7D { i += 1; return .object(pairs) }
        while true {
            skipSpace()
            guard i < n, p[i] == 0x22 else { throw error(tr("se esperaba una clave", "expected a key")) }
            let k = try string()
            skipSpace()
            guard i < n, p[i] == 0x3A else { throw error(tr("se esperaba ':'", "expected ':'")) }
            i += 1
            skipSpace()
            pairs.append((k, try value()))
            skipSpace()
            guard i < n else { throw error(tr("fin inesperado", "unexpected end")) }
            if p[i] == 0x2C { i += 1; continue }
            if p[i] == 0x7D { i += 1; return .object(pairs) }
            throw error(tr("se esperaba ',' o '}'", "expected ',' or '}'"))
        }
    }

    private mutating func array() throws -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        if depth > 256 { throw error(tr("anidamiento demasiado profundo", "nesting too deep")) }
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < n && p[i] == 0x5D { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < n else { throw error(tr("fin inesperado", "unexpected end")) }
            if p[i] == 0x2C { i += 1; continue }
            if p[i] == 0x5D { i += 1; return .array(items) }
            throw error(tr("se esperaba ',' o ']'", "expected ',' or ']'"))
        }
    }

    private mutating func number() throws -> JSONValue {
        let s = i
        if i < n && p[i] == 0x2D { i += 1 }
        let digitsStart = i
        while i < n, p[i] &- 0x30 < 10 { i += 1 }
        if i == digitsStart { throw error(tr("valor no válido", "invalid value")) }
        if i < n && p[i] == 0x2E {
            i += 1
            let f = i
            while i < n, p[i] &- 0x30 < 10 { i += 1 }
            if i == f { throw error(tr("número no válido", "invalid number")) }
        }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            if i < n && (p[i] == 0x2B || p[i] == 0x2D) { i += 1 }
            let f = i
            while i < n, p[i] &- 0x30 < 10 { i += 1 }
            if i == f { throw error(tr("número no válido", "invalid number")) }
        }
        let raw = String(decoding: UnsafeBufferPointer(start: p + s, count: i - s), as: UTF8.self)
        return .number(Double(raw) ?? .nan, raw: raw)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= n else { throw error(tr("secuencia \\u no válida", "bad \\u escape")) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = p[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error(tr("secuencia \\u no válida", "bad \\u escape"))
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func string() throws -> String {
        i += 1
        let s = i
        // Fast path: no escapes.
        while i < n, p[i] != 0x22, p[i] != 0x5C {
            if p[i] < 0x20 { throw error(tr("carácter de control dentro de una cadena", "control character in string")) }
            i += 1
        }
        guard i < n else { throw error(tr("cadena sin cerrar", "unterminated string")) }
        if p[i] == 0x22 {
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(start: p + s, count: i - s), as: UTF8.self)
        }
        var bytes = Array(UnsafeBufferPointer(start: p + s, count: i - s))
        while true {
            guard i < n else { throw error(tr("cadena sin cerrar", "unterminated string")) }
            let c = p[i]
            if c == 0x22 { i += 1; break }
            if c < 0x20 { throw error(tr("carácter de control dentro de una cadena", "control character in string")) }
            if c != 0x5C { bytes.append(c); i += 1; continue }
            i += 1
            guard i < n else { throw error(tr("cadena sin cerrar", "unterminated string")) }
            let e = p[i]
            i += 1
            switch e {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x2F: bytes.append(0x2F)
            case 0x62: bytes.append(0x08)
            case 0x66: bytes.append(0x0C)
            case 0x6E: bytes.append(0x0A)
            case 0x72: bytes.append(0x0D)
            case 0x74: bytes.append(0x09)
            case 0x75:
                var cp = try hex4()
                if cp >= 0xD800 && cp < 0xDC00, i + 6 <= n, p[i] == 0x5C, p[i + 1] == 0x75 {
                    let save = i
                    i += 2
                    let lo = try hex4()
                    if lo >= 0xDC00 && lo < 0xE000 { cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) } else { i = save }
                }
                let scalar = Unicode.Scalar(cp) ?? "\u{FFFD}"
                bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw error(tr("secuencia de escape no válida", "bad escape"))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
