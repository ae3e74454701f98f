import Localization
import Testing
import Primitives
@testable import Formats

@Suite struct ByteTextTests {
    private func fixed(_ v: Double, _ d: Int) -> String {
        var out: [UInt8] = []
        ByteText.appendFixed(v, decimals: d, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func fixedDecimals() {
        #expect(fixed(4_881_143.1494, 2) == "4881143.15")
        #expect(fixed(-74.0721, 7) == "-74.0721000")
        #expect(fixed(0.05, 1) == "0.1")     // 0.05 × 10 = 0.5 rounds away from zero
        #expect(fixed(-0.004, 2) == "0.00")  // no "-0.00"
        #expect(fixed(12, 0) == "12")
        #expect(fixed(0, 2) == "0.00")
        #expect(fixed(.nan, 2) == "")
    }

    @Test func csvQuotingFollowsRFC4180() {
        var out: [UInt8] = []
        TextEscaping.appendCSVField("HURTO A COMERCIO, \"RAPONAZO\"", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"HURTO A COMERCIO, \"\"RAPONAZO\"\"\"")
        out = []
        TextEscaping.appendCSVField("Usaquén", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "Usaquén")
    }

    @Test func jsonEscapes() {
        var out: [UInt8] = []
        TextEscaping.appendJSONString("a\"b\\c\nd\u{01}é", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\nd\u0001é""#)
    }

    /// The one set of rules behind every writer: the pointer form (store records), the [UInt8] form
    /// (GeoJSON/CSV writers) and the String forms (MiniJSON, layer sets) give the same bytes.
    @Test func oneEscapingForEveryForm() {
        let s = "x\t\r\u{1F}\"ñ\\"
        let expected = #""x\t\r\u001f\"ñ\\""#
        #expect(TextEscaping.jsonString(s) == expected)
        var text = ""
        TextEscaping.appendJSONString(s, into: &text)
        #expect(text == expected)
        let bytes = Array(s.utf8)
        let raw = [UInt8](unsafeUninitializedCapacity: 6 * bytes.count) { out, n in
            n = bytes.withUnsafeBufferPointer { TextEscaping.writeJSONEscaped($0.baseAddress!, count: bytes.count, to: out.baseAddress!) }
        }
        #expect("\"" + String(decoding: raw, as: UTF8.self) + "\"" == expected)
        #expect(TextEscaping.jsonString("") == "\"\"")
        // CSV: a carriage return alone also forces quoting; nothing else does.
        #expect(TextEscaping.csvField("a\rb") == "\"a\rb\"")
        #expect(TextEscaping.csvField("TV 32; ROBADO") == "TV 32; ROBADO")
        #expect(TextEscaping.csvField("") == "")
    }

    /// Spanish style by default (1.234.567 and 12,3), English style under --lang en (1,234,567 and 12.3).
    @Test func spanishNumberStyle() {
        #expect(UnitSummary.thousands(1_234_567) == tr("1.234.567", "1,234,567"))
        #expect(UnitSummary.thousands(999) == "999")
        #expect(UnitSummary.percent(0.1234) == tr("12,3", "12.3"))
        #expect(UnitSummary.percent(1) == tr("100,0", "100.0"))
    }
}
