import Analysis
import ArgumentParser
import Engine
import Foundation
import Localization

extension Kernel: ExpressibleByArgument {}
extension DensityUnits: ExpressibleByArgument {}
extension EdgeCorrection: ExpressibleByArgument {}
extension AnalysisProfile: ExpressibleByArgument {}

/// Options of the density and hotspot commands: which incidents (`selection`), study area, grid, kernel.
struct AnalysisOptions: ParsableArguments {
    @OptionGroup var selection: IncidentSelection
    @Option(help: ArgumentHelp(tr("Área de estudio: por defecto las localidades sin Sumapaz (20); 'all'; CAPA:CÓDIGO,CÓDIGO (p. ej. upl:UPL01,UPL02); o 'points' para la extensión de los propios incidentes.", "Study area: default localidades without Sumapaz (20); 'all'; LAYER:CODE,CODE (e.g. upl:UPL01,UPL02); or 'points' for the incidents' own extent."), valueName: "spec"))
    var area: String?
    @Option(help: ArgumentHelp(tr("Herramienta cuyos valores por defecto se reproducen: atalaya (por defecto), arcgis, qgis, sfhotspot (valores de densidad y, para hotspots --method gistar/lisa, sus vecinos reina y p sin ajustar).", "Tool whose defaults to reproduce: atalaya (default), arcgis, qgis, sfhotspot (density defaults, and for hotspots --method gistar/lisa its queen neighbours and unadjusted p)."), valueName: "profile"))
    var profile: AnalysisProfile = .atalaya
    @Option(help: ArgumentHelp(tr("Tamaño de celda en metros, o una regla: rounded (regla arcgis redondeada a 5 m; perfil atalaya), arcgis (min(an,al)/250), sfhotspot (min(an,al)/50 hacia abajo a 100 m). Por defecto: la regla del perfil.", "Cell size in metres, or a rule: rounded (arcgis rule rounded to the nearest 5 m; atalaya profile), arcgis (min(w,h)/250), sfhotspot (min(w,h)/50 down to 100 m). Default: the profile's rule."), valueName: "metres|rule"))
    var cell: String?
    @Option(help: ArgumentHelp(tr("Núcleo: quartic, triangular, epanechnikov, triweight, uniform, gaussian (σ = banda, truncado en 4σ).", "Kernel: quartic, triangular, epanechnikov, triweight, uniform, gaussian (σ = bandwidth, truncated at 4σ)."), valueName: "kernel"))
    var kernel: Kernel?
    @Option(help: ArgumentHelp(tr("Radio del núcleo en metros (σ para gaussian), o una regla: atalaya (la regla arcgis acotada a [150, 500] m, escala de calle a manzana: por defecto del perfil atalaya), arcgis (sin acotar), nrd (sfhotspot), scott. Por defecto: la regla del perfil.", "Kernel radius in metres (σ for gaussian), or a rule: atalaya (the arcgis rule bounded to [150, 500] m, street to block scale: the atalaya profile's default), arcgis (unbounded), nrd (sfhotspot), scott. Default: the profile's rule."), valueName: "metres|rule"))
    var bandwidth: String?
    @Option(help: ArgumentHelp(tr("Columna numérica que pondera cada incidente (por defecto: cada uno cuenta 1).", "Numeric column that weights each incident (default: each counts 1)."), valueName: "column"))
    var weight: String?
    @Option(help: ArgumentHelp(tr("Corrección de borde: none, o uniform (divide por la masa del núcleo dentro del área de estudio).", "Edge correction: none, or uniform (divide by the kernel mass inside the study area)."), valueName: "edge"))
    var edge: EdgeCorrection = .none
    @Option(help: ArgumentHelp(tr("Rechazar mallas con más celdas que esto.", "Refuse grids with more cells than this."))) var maxCells: Int = 20_000_000

    func validate() throws {
        if profile == .qgis && bandwidth == nil { throw ValidationError(tr("--profile qgis necesita --bandwidth METROS (el mapa de calor de QGIS no tiene regla de banda)", "--profile qgis needs --bandwidth METRES (QGIS's heatmap has no bandwidth rule)")) }
        _ = try cellChoice(); _ = try bandwidthChoice()
        if maxCells <= 0 { throw ValidationError(tr("--max-cells debe ser positivo", "--max-cells must be positive")) }
    }

    var resolvedKernel: Kernel { kernel ?? profile.kernel }

    func cellChoice() throws -> CellChoice {
        guard let c = cell else { return profile.cell }
        return try AnalysisOptions.cellChoice(c)
    }

    /// `--cell`: metres, or a rule.
    static func cellChoice(_ c: String) throws -> CellChoice {
        switch c.lowercased() {
        case "arcgis": return .arcgis
        case "sfhotspot": return .sfhotspot
        case "rounded", "atalaya": return .rounded
        default:
            guard let m = Double(c), m > 0, m.isFinite else { throw ValidationError(tr("--cell '\(c)': indique metros (> 0) o una regla: rounded, arcgis, sfhotspot", "--cell '\(c)': give metres (> 0) or a rule: rounded, arcgis, sfhotspot")) }
            return .metres(m)
        }
    }

    func bandwidthChoice() throws -> BandwidthChoice {
        guard let b = bandwidth else { return profile.bandwidth ?? .cityScale }
        if b.lowercased() == "atalaya" { return .cityScale }
        if let rule = BandwidthRule(rawValue: b.lowercased()) { return .rule(rule) }
        guard let m = Double(b), m > 0, m.isFinite else { throw ValidationError(tr("--bandwidth '\(b)': indique metros (> 0) o una regla: atalaya, arcgis, nrd, scott", "--bandwidth '\(b)': give metres (> 0) or a rule: atalaya, arcgis, nrd, scott")) }
        return .metres(m)
    }

    /// The Engine's settings from the parsed options.
    func settings() throws -> AnalysisSettings {
        AnalysisSettings(area: area, profile: profile, cell: cell == nil ? nil : try cellChoice(), kernel: kernel,
                         bandwidth: bandwidth == nil ? nil : try bandwidthChoice(), weight: weight, edge: edge, maxCells: maxCells)
    }
}
