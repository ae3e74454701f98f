import ArgumentParser
import Formats
import Foundation
import Localization
import Engine
import SpatialCore

/// Incidents for the time commands: a file or a store, with the shared filters.
struct TimeInput: ParsableArguments {
    @Argument(help: ArgumentHelp(tr("Archivo de incidentes (.csv o .geojson); o use --store.", "Incident file (.csv or .geojson); or use --store."))) var input: String?
    @OptionGroup var selection: IncidentSelection
    @OptionGroup var incidents: IncidentInputOptions
    @OptionGroup var geodata: GeodataOptions

    func validate() throws { try selection.checkSource(input) }

    func load(output: String?) throws -> (LayerCatalog, AnalysisPoints) {
        let catalog = try geodata.catalog()
        let rejects = incidents.rejects ?? AssignRequest.defaultRejectsPath(output: output ?? input ?? "atalaya")
        try OutputPaths.checkDistinct(inputs: [input, selection.store], outputs: [output, output.map(Provenance.sidecarPath), rejects])
        let points = try selection.loadPoints(input: input, incidents: incidents, geodata: geodata, catalog: catalog, rejects: rejects)
        return (catalog, points)
    }
}

/// Polygon results by extension: .gpkg (GeoPackage in the working CRS) or GeoJSON (EPSG:4326).
func writePolygons(_ features: [PolygonFeature], provenance: Provenance, table: String, crs: String, to path: String) throws {
    if (path as NSString).pathExtension.lowercased() == "gpkg" {
        try GeoPackageOutput.write(features, crs: crs, table: table, provenance: provenance, to: path)
    } else {
        try PolygonGeoJSON.write(features, provenance: provenance, to: path)
    }
}
