import Foundation
import Testing
@testable import Temporal

/// The exact test of two counts, against values worked out by hand from the binomial formula.
@Suite struct CountTestTests {
    @Test func equalLengthsAreASignTest() {
        // 1 → 4: n = 5, X ~ Bin(5, 1/2); P(X = 4) = 5/32, and the outcomes at most that likely are 0, 1, 4, 5:
        // (1 + 5 + 5 + 1)/32 = 0.375.
        #expect(abs(CountTest.twoSidedP(current: 4, reference: 1) - 0.375) < 1e-12)
        #expect(abs(CountTest.twoSidedP(current: 1, reference: 4) - 0.375) < 1e-12)
        // 0 → 10: only X = 0 and X = 10 are as unlikely as 10: 2/2¹⁰.
        #expect(abs(CountTest.twoSidedP(current: 10, reference: 0) - 2.0 / 1024) < 1e-12)
        // 5 and 5: every outcome is at most as likely as the mode.
        #expect(CountTest.twoSidedP(current: 5, reference: 5) == 1)
        #expect(CountTest.twoSidedP(current: 0, reference: 0) == 1)
        // 7-day periods: the lengths cancel.
        #expect(abs(CountTest.twoSidedP(current: 4, reference: 1, currentDays: 7, referenceDays: 7) - 0.375) < 1e-12)
    }

    /// February (28 days) with 10 against January (31 days) with 20: X ~ Bin(30, 28/59); the p-value is the sum of
    /// P(X = x) ≤ P(X = 10), 0.1443180765783032 (summed in exact rational arithmetic, Python fractions).
    @Test func unequalLengthsUseTheShareOfDays() {
        let p = CountTest.twoSidedP(current: 10, reference: 20, currentDays: 28, referenceDays: 31)
        #expect(abs(p - 0.1443180765783032) < 1e-9)
        // Equal lengths would give a different answer: Bin(30, 1/2), 2·P(X ≤ 10) = 0.0987…
        #expect(abs(CountTest.twoSidedP(current: 10, reference: 20) - p) > 0.01)
    }
}
