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
