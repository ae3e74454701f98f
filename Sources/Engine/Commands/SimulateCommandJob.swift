import Formats
import Foundation
import Localization
import Primitives
import Simulation
import SpatialCore

/// `atalaya simulate`: seeded synthetic incidents calibrated to the SDSCJ counts per UPZ, with their provenance.
public enum SimulateJob {
    public struct Request: Sendable {
        public var output: String
        public var parameters: SimulationParameters
        /// The SDSCJ table; nil: `incidents/bogota_delitos_alto_impacto_upz_2018_2021.csv` in the geodata folders.
        public var calibration: String?
        public var layers: LayerSource
        /// As the user wrote them (messages only).
        public var fromText: String, toText: String

        public init(output: String, parameters: SimulationParameters, calibration: String? = nil, layers: LayerSource = LayerSource(),
                    fromText: String, toText: String) {
            self.output = output; self.parameters = parameters; self.calibration = calibration; self.layers = layers
            self.fromText = fromText; self.toText = toText
        }
    }

    public static func run(_ request: Request, log: EngineLog = .silent) throws -> SimulationResult {
        var clock = Stopwatch()
        let output = request.output, crs = request.layers.workCRS, p = request.parameters
        let sidecar = Simulator.provenancePath(csvPath: output)
        try OutputPaths.checkDistinct(inputs: [request.calibration], outputs: [output, sidecar])
        let catalog = try request.layers.catalog()
        let table = try CalibrationTable.load(
            path: request.calibration ?? catalog.resolveFile("incidents/bogota_delitos_alto_impacto_upz_2018_2021.csv"),
            years: [2018, 2019, 2020, 2021])
        let upz = try PolygonLayer.load(catalog.spec(named: "upz"), catalog: catalog, crs: crs)
        let attractors = try ["transmilenio_estaciones", "parques_escenarios_idrd"].map {
            try PointLayer.load(catalog.spec(named: $0), catalog: catalog, crs: crs)
        }
        log.info("simulando \(p.count) incidentes sintéticos \(request.fromText) → \(request.toText) (semilla \(p.seed))…")
        let result = try Simulator.run(p, calibration: table, upz: upz, attractors: attractors)
        try Simulator.writeCSV(result, to: output)
        try Simulator.writeProvenance(result, csvPath: output, version: AtalayaVersion.current)
        log.info(tr("escrito \(output) y \(sidecar): \(result.incidents.count) incidentes SINTÉTICOS, \(result.repeatCount) repeticiones cercanas (\(clock.lap()))",
                    "wrote \(output) and \(sidecar): \(result.incidents.count) SYNTHETIC incidents, \(result.repeatCount) near-repeats (\(clock.lap()))"))
        return result
    }
}
