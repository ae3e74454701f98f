import ArgumentParser
import Engine
import Formats
import Foundation
import Localization

struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: tr("Lista las capas de Bogotá-Región: elementos, geometría, validez, extensión, área, archivo.", "List the Bogotá-Región layers: features, geometry, validity, extent, area, file."),
        discussion: "Every polygon is checked with GEOS (isValid); invalid features are repaired with GEOSMakeValid and counted. Areas are computed in the working CRS."
    )

    @OptionGroup var geodata: GeodataOptions
    @Flag(help: ArgumentHelp(tr("Imprime JSON en vez de una tabla.", "Print JSON instead of a table."))) var json = false
    @Argument(help: ArgumentHelp(tr("Solo estas capas (por defecto: todas las del manifiesto).", "Only these layers (default: all in the manifest)."))) var names: [String] = []

    func run() throws {
        let (catalog, rows) = try engine { try LayersJob.run(names: names, layers: geodata.layerSource) }
        if json {
            print(try JSONStyle.text(LayersJob.Document(manifest: catalog.manifestPath, workCrs: geodata.workCRS, layers: rows)))
            return
        }
        print(tr("Capas (manifiesto: \(catalog.manifestPath); CRS de trabajo: \(geodata.workCRS))", "Layers (manifest: \(catalog.manifestPath); working CRS: \(geodata.workCRS))"))
        let header = [("capa", "layer"), ("rol", "role"), ("elementos", "features"), ("geometría", "geometry"),
                      ("inválidos/reparados", "invalid/repaired"), ("extensión lon/lat", "lon/lat extent"),
                      ("área km²", "area km²"), ("archivo", "file")].map { tr($0, $1) }
        let body = rows.map { r in
            [r.name, r.role, String(r.features), r.geometry, "\(r.invalid)/\(r.repaired)",
             r.extent.isEmpty ? "" : r.extent.map { String(format: "%.4f", $0) }.joined(separator: " "),
             r.areaKm2.map { String(format: "%.2f", $0) } ?? "", r.file]
        }
        var w = header.map(\.count)
        for b in body { for (k, c) in b.enumerated() { w[k] = max(w[k], c.count) } }
        func line(_ c: [String]) -> String { c.enumerated().map { $1 + String(repeating: " ", count: w[$0] - $1.count) }.joined(separator: "  ") }
        print(line(header)); print(w.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for b in body { print(line(b)) }
        for r in rows where !r.invalidFeatures.isEmpty {
            print("\n\(r.name):"); for f in r.invalidFeatures { print("  \(f)") }
        }
    }
}
