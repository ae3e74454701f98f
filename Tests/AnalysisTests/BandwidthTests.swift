import Foundation
import Testing
@testable import Analysis

/// Expected values computed independently with numpy 2.4:
/// ```python
/// import numpy as np
/// x=np.array([0,120,250,310,480,505,660,800,930,1400.]); y=np.array([50,300,220,610,90,450,700,330,980,510.])
/// w=np.array([1,2,1,3,1,1,2,1,1,4.]); n=len(x)
/// q25,q75=np.percentile(x,[25,75])            # numpy 'linear' == R quantile type 7 -> 265, 765
/// nrd=4*1.06*min(np.std(x,ddof=1),(q75-q25)/1.34)*n**(-0.2)               # 998.2310226104552
/// def arc(x,y,w):
///     W=w.sum(); mx=(w*x).sum()/W; my=(w*y).sum()/W; d=np.hypot(x-mx,y-my)
///     sd=np.sqrt((w*d**2).sum()/W); o=np.argsort(d); ds=d[o]; c=np.cumsum(w[o]); k=np.argmax(c>=W/2)
///     dm=(ds[k]+ds[k+1])/2 if c[k]==W/2 else ds[k]
///     return 0.9*min(sd,np.sqrt(1/np.log(2))*dm)*W**-0.2, sd, dm
/// arc(x,y,np.ones(n))   # (238.5335952399069, SD 482.54144899687117, Dm 349.7194406604745 == np.median)
/// arc(x,y,w)            # (270.9184202732849, SD 530.5005144651142, Dm 471.9484936122133)
/// np.sqrt(np.std(x,ddof=1)*np.std(y,ddof=1))*n**(-1/6)                   # scott 236.68547467631365
/// def wsd(v,w): W=w.sum(); m=(w*v).sum()/W; return np.sqrt((w*(v-m)**2).sum()/(W-1))
/// np.sqrt(wsd(x,w)*wsd(y,w))*w.sum()**(-1/6)                             # weighted scott 212.82733018992246
/// ```
@Suite struct BandwidthTests {
    let x: [Double] = [0, 120, 250, 310, 480, 505, 660, 800, 930, 1400]
    let y: [Double] = [50, 300, 220, 610, 90, 450, 700, 330, 980, 510]
    let w: [Double] = [1, 2, 1, 3, 1, 1, 2, 1, 1, 4]

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * abs(b) }

    @Test func nrdMatchesMASS() throws {
        #expect(close(try BandwidthRule.nrd.bandwidth(x: x, y: y, weights: nil), 998.2310226104552))
        #expect(close(BandwidthRule.quantileType7(x, 0.25), 265) && close(BandwidthRule.quantileType7(x, 0.75), 765))
        // Weights are ignored by nrd (as sfhotspot).
        #expect(close(try BandwidthRule.nrd.bandwidth(x: x, y: y, weights: w), 998.2310226104552))
    }

    @Test func arcgisMedianDistanceBranch() throws {
        // Unweighted: √(1/ln2)·Dm = 420.05 < SD = 482.54, the median-distance branch is used.
        #expect(close(try BandwidthRule.arcgis.bandwidth(x: x, y: y, weights: nil), 238.5335952399069))
        // Weighted: SD = 530.50 < √(1/ln2)·Dm = 566.85, the standard-distance branch; n = Σw = 17.
        #expect(close(try BandwidthRule.arcgis.bandwidth(x: x, y: y, weights: w), 270.9184202732849))
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
        #expect(close(try BandwidthRule.scott.bandwidth(x: x, y: y, weights: nil), 236.68547467631365))
        #expect(close(try BandwidthRule.scott.bandwidth(x: x, y: y, weights: w), 212.82733018992246))
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
