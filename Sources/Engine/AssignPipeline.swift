import Formats
import Foundation
import Incidents
import Localization
import Primitives
import SpatialCore

/// `atalaya assign` as a library call: read and validate incidents, place them against the layers,
/// write the enriched file, its provenance and the rejects. The CLI and the benchmarks both run this.
public struct AssignRequest: Sendable {
    public var input: String
    public var output: String
    public var rejects: String
    public var readOptions: ReadOptions
    /// CRS of the input coordinates (EPSG:4326 unless projected x/y).
    public var inputCRS: String
    public var workCRS: String
    public var indexCell: Double

    public init(input: String, output: String, rejects: String? = nil, readOptions: ReadOptions = ReadOptions(),
                inputCRS: String = WorkingCRS.geographic, workCRS: String = WorkingCRS.default, indexCell: Double = 4) {
        self.input = input; self.output = output
        self.rejects = rejects ?? AssignRequest.defaultRejectsPath(output: output)
        self.readOptions = readOptions; self.inputCRS = inputCRS; self.workCRS = workCRS; self.indexCell = indexCell
    }

    /// `<output without extension>.rejects.csv`.
    public static func defaultRejectsPath(output: String) -> String {
        (output as NSString).deletingPathExtension + ".rejects.csv"
    }
}

/// What an assignment run produced.
public struct AssignReport: Sendable {
    public let read: ReadResult
    public let assignment: Assignment
    public let outside: Int
}

/// The accepted incidents with coordinates in the working CRS and in lon/lat.
public struct ProjectedIncidents: Sendable {
    public let read: ReadResult
    public let x: [Double], y: [Double]       // working CRS
    public let lon: [Double], lat: [Double]   // EPSG:4326

    /// Reads and validates `path` and projects the accepted rows (PROJ, all cores).
    public static func load(path: String, options: ReadOptions, inputCRS: String, workCRS: String) throws -> ProjectedIncidents {
        var options = options
        options.projected = try !Projection.isGeographic(inputCRS)
        if options.projected { options.expectedLonLatBox = nil }
        return try project(try IncidentReader.read(path: path, options: options), projected: options.projected,
                           inputCRS: inputCRS, workCRS: workCRS)
    }

    /// Projects the accepted rows of `read` (coordinates in `inputCRS`; `projected`: x/y rather than lon/lat).
    public static func project(_ read: ReadResult, projected: Bool, inputCRS: String, workCRS: String) throws -> ProjectedIncidents {
        let t = read.table
        var x = t.lon, y = t.lat, lon = t.lon, lat = t.lat
        if projected {
            if inputCRS != workCRS { try Projection.transformParallel(from: inputCRS, to: workCRS, x: &x, y: &y) }
            try Projection.transformParallel(from: inputCRS, to: WorkingCRS.geographic, x: &lon, y: &lat)
        } else {
            try Projection.transformParallel(from: inputCRS, to: workCRS, x: &x, y: &y)
        }
        return ProjectedIncidents(read: read, x: x, y: y, lon: lon, lat: lat)
    }
}

public enum AssignPipeline {
    /// Files written beside `output` besides the output itself (the CSV provenance sidecar).
    static func sidecars(of output: String) -> [String] {
        (try? EnrichedOutput.format(of: output)) == .csv ? [Provenance.sidecarPath(beside: output)] : []
    }

    /// Runs one assignment. `progress` receives progress lines in the current language.
    public static func run(_ request: AssignRequest, layers: AssignmentLayers, command: String = "assign",
                           progress: (String) -> Void = { _ in }) throws -> AssignReport {
        var clock = DispatchTime.now()
        func lap() -> String {
            let now = DispatchTime.now()
            defer { clock = now }
            return String(format: "%.2f s", Double(now.uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9)
        }
        var options = request.readOptions
        let area = layers.studyAreaLonLat
        if !area.isEmpty { options.expectedLonLatBox = (area.minX, area.minY, area.maxX, area.maxY) }
        // Every output path is checked before anything is read: none may be the input, none another output.
        try OutputPaths.checkDistinct(inputs: [request.input],
                                      outputs: [request.output, request.rejects] + sidecars(of: request.output))
        let incidents = try RejectsWriter.keepingRejects(at: request.rejects, written: {
            progress(tr("ninguna fila válida: \($1) rechazos escritos en \($0)", "no valid row: \($1) rejects written to \($0)"))
        }) {
            try ProjectedIncidents.load(path: request.input, options: options, inputCRS: request.inputCRS, workCRS: request.workCRS)
        }
        progress(tr("incidentes leídos y proyectados (\(lap()))", "incidents read and projected (\(lap()))"))
        let assignment = try Assignment.compute(x: incidents.x, y: incidents.y, layers: layers)
        let outside = assignment.status.lazy.filter { $0 == .outside }.count
        progress(tr("asignados: \(assignment.count) · fuera del área: \(outside) (\(lap()))", "assigned: \(assignment.count) · outside the area: \(outside) (\(lap()))"))

        let t = incidents.read.table
        let hasRejects = !incidents.read.rejects.isEmpty
        let provenance = Provenance(
            command: command,
            crs: request.workCRS,
            input: .init(path: request.input, bytes: (try? FileManager.default.attributesOfItem(atPath: request.input)[.size] as? Int) ?? nil,
                         format: t.format.rawValue, encoding: t.encoding, delimiter: String(UnicodeScalar(t.delimiter)),
                         columns: ["lat": t.latColumn, "lon": t.lonColumn, "time": t.timeColumn ?? "",
                                   "category": t.categoryColumn ?? "", "id": t.idColumn ?? ""]),
            counts: .init(rowsRead: t.dataRows, accepted: t.count, rejected: incidents.read.rejects.count,
                          rejectedByReason: Dictionary(uniqueKeysWithValues: incidents.read.rejectCounts.map { ($0.key.rawValue, $0.value) }),
                          outside: outside, swapFixed: t.swapFixed.lazy.filter { $0 }.count),
            layers: layers.polygonLayers.map(Provenance.LayerUsed.init) + layers.pointLayers.map(Provenance.LayerUsed.init),
            rules: ["boundary": Provenance.boundaryRule,
                    "status": "ok: dentro de al menos un polígono administrativo; outside: en ninguno (se conserva)",
                    "distance": "distancia euclidiana en el CRS de trabajo, metros"],
            options: ["input_crs": request.inputCRS, "fix_swapped": String(request.readOptions.fixSwapped),
                      "index_cell_m": String(request.indexCell)],
            rejectsFile: hasRejects ? request.rejects : nil)
        try EnrichedOutput.write(table: t, x: incidents.x, y: incidents.y, assignment: assignment, layers: layers,
                                 provenance: provenance, to: request.output)
        // After the output, so a failed output leaves the previous run's rejects beside the previous output.
        try RejectsWriter.write(incidents.read.rejects, to: request.rejects)
        progress(tr("escrito \(request.output) (\(lap()))", "written \(request.output) (\(lap()))"))
        return AssignReport(read: incidents.read, assignment: assignment, outside: outside)
    }
}
