/// Approximate comparison of floating-point results: |a − b| ≤ max(absolute, relative · |expected|).
/// Use inside `#expect` so that a failure shows both values.
public func isClose(_ actual: Double, _ expected: Double, absolute: Double = 0, relative: Double = 0) -> Bool {
    if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
    return abs(actual - expected) <= max(absolute, relative * abs(expected))
}

/// Element-wise `isClose` of two arrays of the same length.
public func allClose(_ actual: [Double], _ expected: [Double], absolute: Double = 0, relative: Double = 0) -> Bool {
    actual.count == expected.count
        && zip(actual, expected).allSatisfy { isClose($0, $1, absolute: absolute, relative: relative) }
}

/// The indices where `actual` and `expected` differ by more than the tolerance, for failure messages.
public func farIndices(_ actual: [Double], _ expected: [Double], absolute: Double = 0, relative: Double = 0) -> [Int] {
    zip(actual, expected).enumerated()
        .filter { !isClose($0.element.0, $0.element.1, absolute: absolute, relative: relative) }.map(\.offset)
}
