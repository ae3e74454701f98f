import Foundation

/// Result of parsing one coordinate text.
enum NumberParse: Equatable {
    case value(Double)
    case missing
    case nonNumeric
    case nonFinite
}

enum CoordinateParsing {
    /// Exact powers of ten representable in a Double (Clinger's fast path needs 10^k exact).
    private static let pow10: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 } }

    /// Parses a trimmed, unquoted number. Accepts an optional sign, digits with one decimal separator
    /// (`.` or `,` — the decimal comma of Colombian exports; a field containing `,` can only reach here
    /// when the delimiter is not `,` or the field was quoted), and exponents via `strtod`.
    /// `nan`/`inf`/`infinity` (any case, optional sign) → `.nonFinite`.
    static func parse(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> NumberParse {
        if s >= e { return .missing }
        var i = s
        var negative = false
        if base[i] == 0x2D { negative = true; i += 1 } else if base[i] == 0x2B { i += 1 }
        // Fast path: at most 19 significant digits, no exponent.
        var mantissa: UInt64 = 0
        var digits = 0
        var fracDigits = 0
        var seenSep = false
        var sawDigit = false
        var fast = true
        while i < e {
            let c = base[i]
            if c &- 0x30 < 10 {
                sawDigit = true
                if digits == 0 && c == 0x30 {
                    // Leading zeros do not count as significant digits.
                } else {
                    digits += 1
                    if digits > 19 { fast = false; break }
                    mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
                }
                if seenSep { fracDigits += 1 }
            } else if (c == Byte.dot || c == Byte.comma) && !seenSep {
                seenSep = true
            } else {
                fast = false
                break
            }
            i += 1
        }
        if fast {
            if !sawDigit { return .nonNumeric }
            if mantissa <= (1 << 53) && fracDigits <= 22 {
                // Both operands exact → the IEEE division is correctly rounded.
                let v = Double(mantissa) / pow10[fracDigits]
                return .value(negative ? -v : v)
            }
        }
        return slowParse(base, s, e)
    }

    /// Correct but slower path: exponents, long mantissas, nan/inf words.
    private static func slowParse(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> NumberParse {
        let n = e - s
        // Word forms first: nan, inf, infinity with optional sign.
        var w = s
        if base[w] == 0x2B || base[w] == 0x2D { w += 1 }
        if e - w >= 3 && e - w <= 8 {
            var lower = [UInt8]()
            for k in w..<e { lower.append(base[k] | 0x20) }
            if lower == Array("nan".utf8) || lower == Array("inf".utf8) || lower == Array("infinity".utf8) {
                return .nonFinite
            }
        }
        // Only plain decimal/exponent characters go to strtod (it would also accept hex floats and words).
        if n > 64 { return .nonNumeric }
        var buf = [CChar](repeating: 0, count: n + 1)
        var seps = 0
        for k in 0..<n {
            var c = base[s + k]
            switch c {
            case 0x30...0x39, 0x2B, 0x2D, 0x45, 0x65: break
            case Byte.dot, Byte.comma: c = Byte.dot; seps += 1
            default: return .nonNumeric
            }
            buf[k] = CChar(bitPattern: c)
        }
        if seps > 1 { return .nonNumeric }
        return buf.withUnsafeMutableBufferPointer { p -> NumberParse in
            var endPtr: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(p.baseAddress!, &endPtr)
            guard let endPtr, endPtr - p.baseAddress! == n else { return .nonNumeric }
            return v.isFinite ? .value(v) : .nonFinite
        }
    }
}

/// Outcome of checking a parsed (lat, lon) pair.
enum PairCheck {
    case accept(lat: Double, lon: Double, swapped: Bool)
    case nullIsland
    case outOfRange(latBad: Bool)
    case swapped
}

/// Plain-value copy of the coordinate-related options (no reference-counted fields in the hot loop).
struct CoordinateRules {
    var projected: Bool
    var fixSwapped: Bool
    var hasBox: Bool
    var minLon = 0.0, minLat = 0.0, maxLon = 0.0, maxLat = 0.0

    init(_ o: ReadOptions) {
        projected = o.projected
        fixSwapped = o.fixSwapped
        hasBox = o.expectedLonLatBox != nil
        if let b = o.expectedLonLatBox { minLon = b.minLon; minLat = b.minLat; maxLon = b.maxLon; maxLat = b.maxLat }
    }

    @inline(__always) func inBox(lon: Double, lat: Double) -> Bool {
        lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat
    }

    /// Checks a finite (lat, lon) pair: null island, then swapped, then range.
    /// Swapped = reading lat as lon and lon as lat gives a valid point inside the study box while the
    /// pair as given is out of range or outside the box. Valid points outside the box are accepted.
    @inline(__always) func check(lat: Double, lon: Double) -> PairCheck {
        if lat == 0 && lon == 0 { return .nullIsland }
        if projected { return .accept(lat: lat, lon: lon, swapped: false) }
        if hasBox && !inBox(lon: lon, lat: lat) && abs(lon) <= 90 && abs(lat) <= 180 && inBox(lon: lat, lat: lon) {
            return fixSwapped ? .accept(lat: lon, lon: lat, swapped: true) : .swapped
        }
        if abs(lat) > 90 || abs(lon) > 180 { return .outOfRange(latBad: abs(lat) > 90) }
        return .accept(lat: lat, lon: lon, swapped: false)
    }
}
