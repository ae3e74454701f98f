import Foundation
import Localization
import SpatialCore

/// Incidents per unit of one polygon layer, for `assign --summary`.
public struct UnitSummary: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public let code: String
        public let name: String
        public let incidents: Int
        public let share: Double      // of all accepted incidents
    }
    public let layer: String
    public let total: Int
    public let rows: [Row]           // by code order of the layer file
    public let unassigned: Int

    public init(layer: PolygonLayer, assignment: Assignment, layerIndex: Int) {
        let (perFeature, none) = assignment.counts(layer: layerIndex, featureCount: layer.count)
        let total = assignment.count
        self.layer = layer.spec.name
        self.total = total
        unassigned = none
        rows = layer.ids.indices.map { i in
            Row(code: layer.ids[i], name: layer.names[i], incidents: perFeature[i],
                share: total > 0 ? Double(perFeature[i]) / Double(total) : 0)
        }.sorted { $0.code.utf8.lexicographicallyPrecedes($1.code.utf8) }
    }

    /// A fixed-width table, headers and number style in the current language.
    public func renderTable() -> String {
        let header = [tr("código", "code"), tr("nombre", "name"), tr("incidentes", "incidents"), "%"]
        var lines = rows.map { [$0.code, $0.name, Self.thousands($0.incidents), Self.percent($0.share)] }
        lines.append(["—", tr("sin asignar", "unassigned"), Self.thousands(unassigned), Self.percent(total > 0 ? Double(unassigned) / Double(total) : 0)])
        lines.append(["", "total", Self.thousands(total), Self.percent(1)])
        var widths = header.map(\.count)
        for l in lines { for (k, c) in l.enumerated() { widths[k] = max(widths[k], c.count) } }
        func fmt(_ cells: [String]) -> String {
            cells.enumerated().map { k, c in
                let pad = String(repeating: " ", count: widths[k] - c.count)
                return k >= 2 ? pad + c : c + pad  // numbers right-aligned
            }.joined(separator: "  ")
        }
        var out = tr("Incidentes por \(layer)", "Incidents by \(layer)") + "\n" + fmt(header) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for l in lines { out += fmt(l) + "\n" }
        return out
    }

    /// `schemas/summary.schema.json`.
    public func renderJSON() throws -> String {
        struct Document: Encodable {
            let schemaVersion = 1
            let summary: UnitSummary
            func encode(to encoder: Encoder) throws {
                try summary.encode(to: encoder)
                var c = encoder.container(keyedBy: K.self)
                try c.encode(schemaVersion, forKey: .schemaVersion)
            }
            enum K: String, CodingKey { case schemaVersion }
        }
        return try JSONStyle.text(Document(summary: self))
    }

    /// Spanish number style 1.234.567 (English: 1,234,567).
    static func thousands(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (k, ch) in s.enumerated() {
            if k > 0 && (s.count - k) % 3 == 0 { out += tr(".", ",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// One decimal, Spanish decimal comma 12,3 (English: 12.3).
    static func percent(_ share: Double) -> String {
        let t = Int((share * 1000).rounded())
        return "\(t / 10)" + tr(",", ".") + "\(t % 10)"
    }
}
