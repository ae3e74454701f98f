import ArgumentParser
import Engine
import Foundation
import Localization

/// Incidents for the time commands: a file or a store, with the shared filters.
struct TimeInput: ParsableArguments {
    @Argument(help: ArgumentHelp(tr("Archivo de incidentes (.csv o .geojson); o use --store.", "Incident file (.csv or .geojson); or use --store."))) var input: String?
    @OptionGroup var selection: IncidentSelection
    @OptionGroup var incidents: IncidentInputOptions
    @OptionGroup var geodata: GeodataOptions

    func validate() throws { try selection.checkSource(input) }

    var incidentSource: IncidentSource { selection.source(input: input, incidents: incidents) }
}
