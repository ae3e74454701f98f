import Foundation
import Testing
@testable import Analysis
import TestSupport

/// Expected values computed independently with numpy 2.4: golden/bandwidth-numpy.json (values and script).
@Suite struct BandwidthTests {
    struct Expected: Decodable {
        let x, y, weights: [Double]
        let q25, q75, nrd, arcgis, arcgisWeighted, scott, scottWeighted: Double
        enum CodingKeys: String, CodingKey {
            case x, y, weights, q25, q75, nrd, arcgis, scott
            case arcgisWeighted = "arcgis_weighted", scottWeighted = "scott_weighted"
        }
    }
    let g: Expected
    var x: [Double] { g.x }
    var y: [Double] { g.y }
    var w: [Double] { g.weights }

    init() throws { g = try Golden.load("bandwidth-numpy", as: Expected.self) }

    func close(_ a: Double, _ b: Double) -> Bool { isClose(a, b, relative: 1e-9) }

    @Test func nrdMatchesMASS() throws {
        #expect(close(try BandwidthRule.nrd.bandwidth(x: x, y: y, weights: nil), g.nrd))
        #expect(close(BandwidthRule.quantileType7(x, 0.25), g.q25) && close(BandwidthRule.quantileType7(x, 0.75), g.q75))
        // Weights are ignored by nrd (as sfhotspot).
        #expect(close(try BandwidthRule.nrd.bandwidth(x: x, y: y, weights: w), g.nrd))
    }

    @Test func arcgisMedianDistanceBranch() throws {
        // Unweighted: √(1/ln2)·Dm = 420.05 < SD = 482.54, the median-distance branch is used.
        #expect(close(try BandwidthRule.arcgis.bandwidth(x: x, y: y, weights: nil), g.arcgis))
        // Weighted: SD = 530.50 < √(1/ln2)·Dm = 566.85, the standard-distance branch; n = Σw = 17.
        #expect(close(try BandwidthRule.arcgis.bandwidth(x: x, y: y, weights: w), g.arcgisWeighted))
    }

    @Test func arcgisOnMorePointsThanTheSmallSortCutoff() throws {
        // 20 points on a circle of radius 100 m around (0, 0): SD = Dm = 100, and √(1/ln2)·Dm > SD, so
        // R = 0.9 · 100 · 20^−0.2 (the median found by selection, past its 16-element insertion sort).
        let k = (0..<20).map { 2 * Double.pi * Double($0) / 20 }
        let r = try BandwidthRule.arcgis.bandwidth(x: k.map { 100 * cos($0) }, y: k.map { 100 * sin($0) }, weights: nil)
        #expect(close(r, 90 * pow(20, -0.2)))
    }

    @Test func medianBySelection() {
        // Odd count: the middle value; even: the mean of the two middle values (ties and two values included).
        var odd: [Double] = [5, 1, 4, 2, 3], even: [Double] = [7, 1, 3, 5]
        var ties: [Double] = [2, 2, 9, 2, 1, 2], two: [Double] = [10, 0]
        #expect(BandwidthRule.median(&odd) == 3 && BandwidthRule.median(&even) == 4)
        #expect(BandwidthRule.median(&ties) == 2 && BandwidthRule.median(&two) == 5)
        // Past the insertion-sort cutoff: permutations of 0...1000 (median 500) and 0..<1000 (499.5, from
        // 499 and 500), and 0…199 ten times each in descending order (99.5, from 99 and 100).
        var p1001 = (0..<1001).map { Double($0 * 389 % 1001) }, p1000 = (0..<1000).map { Double($0 * 389 % 1000) }
        var repeated = (0..<2000).reversed().map { Double($0 / 10) }
        #expect(BandwidthRule.median(&p1001) == 500)
        #expect(BandwidthRule.median(&p1000) == 499.5)
        #expect(BandwidthRule.median(&repeated) == 99.5)
    }

    @Test func scottGeometricMeanSD() throws {
        #expect(close(try BandwidthRule.scott.bandwidth(x: x, y: y, weights: nil), g.scott))
        #expect(close(try BandwidthRule.scott.bandwidth(x: x, y: y, weights: w), g.scottWeighted))
    }

    @Test func errors() {
        #expect(throws: AnalysisError.tooFewPoints(needed: 2, got: 1)) {
            try BandwidthRule.arcgis.bandwidth(x: [1, .nan], y: [1, 2], weights: nil)
        }
        #expect(throws: AnalysisError.zeroSpread(rule: "nrd")) {
            try BandwidthRule.nrd.bandwidth(x: [5, 5, 5], y: [1, 2, 3], weights: nil)
        }
        #expect(throws: AnalysisError.lengthMismatch(what: "weights", expected: 2, actual: 1)) {
            try BandwidthRule.scott.bandwidth(x: [1, 2], y: [1, 2], weights: [1])
        }
    }
}
