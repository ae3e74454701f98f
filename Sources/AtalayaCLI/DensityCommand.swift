import Analysis
import ArgumentParser
import Engine
import Foundation
import Localization

struct DensityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "density",
        abstract: tr("Superficie de densidad kernel de incidentes: GeoTIFF, malla ASCII de ESRI o isobandas GeoJSON.", "Kernel density surface of incidents: GeoTIFF, ESRI ASCII grid or GeoJSON isobands."),
        discussion: tr("""
        Método exacto: cada centro de celda suma w·K(d) sobre todos los incidentes dentro del soporte del \
        núcleo (sin agrupar). Densidad en una celda = Σ wᵢ·K(dᵢ), con K normalizado para integrar 1 (quartic: \
        3/(πR²)·(1−d²/R²)²), en incidentes por km² (--units density) o por celda (--units expected). Las \
        celdas cuyo centro cae fuera del área de estudio son NoData.

        Por defecto: celda = regla de ArcGIS redondeada a 5 m; banda = regla de ArcGIS acotada a \
        [150, 500] m (escala de calle a manzana), y se imprime por qué.

        Salida según la extensión: .tif (GeoTIFF float32 en el CRS de trabajo + procedencia \
        <salida>.provenance.json), .asc (malla ASCII de ESRI + .prj + <salida>.provenance.json), .geojson \
        (isobandas: --classes clases por cuantiles de las celdas positivas, polígonos en EPSG:4326, \
        procedencia en el miembro "atalaya").
        """, """
        Exact method: every cell centre sums w·K(d) over every incident within the kernel's support \
        (no binning). Density at a cell = Σ wᵢ·K(dᵢ), K normalised to integrate to 1 (quartic: \
        3/(πR²)·(1−d²/R²)²), reported per km² (--units density) or per cell (--units expected). Cells \
        whose centre lies outside the study area are NoData.

        Output by extension: .tif (float32 GeoTIFF in the working CRS + <output-stem>.provenance.json provenance), .asc \
        (ESRI ASCII grid + .prj + <output-stem>.provenance.json), .geojson (isobands: --classes quantile classes of the \
        positive cells, polygons in EPSG:4326, provenance in the "atalaya" member).
        """)
    )

    @Argument(help: ArgumentHelp(tr("Archivo de incidentes (.csv o .geojson); o use --store.", "Incident file (.csv or .geojson); or use --store."))) var input: String?
    @Option(name: .shortAndLong, help: ArgumentHelp(tr("Salida: .tif, .asc o .geojson.", "Output: .tif, .asc or .geojson."), valueName: "path")) var output: String
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: ArgumentHelp(tr("Número de clases de isobandas para la salida .geojson.", "Number of isoband classes for .geojson output."))) var classes: Int = 5
    @Option(help: ArgumentHelp(tr("density (incidentes por km²) o expected (incidentes por celda).", "density (incidents per km²) or expected (incidents per cell)."), valueName: "units"))
    var units: DensityUnits = .density
    @OptionGroup var incidents: IncidentInputOptions
    @OptionGroup var geodata: GeodataOptions
    @Flag(name: .shortAndLong, help: ArgumentHelp(tr("Sin progreso en stderr.", "No progress on stderr."))) var quiet = false

    func validate() throws {
        try analysis.selection.checkSource(input)
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["tif", "tiff", "asc", "geojson", "json"].contains(ext) else { throw ValidationError(tr("--output debe terminar en .tif, .asc o .geojson", "--output must end in .tif, .asc or .geojson")) }
        guard classes >= 1 && classes <= 50 else { throw ValidationError(tr("--classes debe estar entre 1 y 50", "--classes must be between 1 and 50")) }
    }

    func run() throws {
        Log.quiet = quiet
        let request = DensityJob.Request(source: analysis.selection.source(input: input, incidents: incidents), layers: geodata.layerSource,
                                     settings: try analysis.settings(), output: output, classes: classes, units: units)
        _ = try engine { try DensityJob.run(request, log: Log.engine) }
    }
}
