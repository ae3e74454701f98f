import Foundation
import Incidents
import SpatialCore

/// What every output records about how it was made, so a planner can reproduce it later.
/// No wall-clock time is stored: the same inputs and options give the same bytes.
public struct Provenance: Codable, Sendable {
    public struct Input: Codable, Sendable {
        public var path: String
        public var bytes: Int?
        public var format: String
        public var encoding: String?
        public var delimiter: String?
        public var columns: [String: String]
        public init(path: String, bytes: Int?, format: String, encoding: String?, delimiter: String?, columns: [String: String]) {
            self.path = path; self.bytes = bytes; self.format = format; self.encoding = encoding; self.delimiter = delimiter; self.columns = columns
        }
    }
    public struct Counts: Codable, Sendable {
        public var rowsRead: Int
        public var accepted: Int
        public var rejected: Int
        public var rejectedByReason: [String: Int]
        public var outside: Int?
        public var swapFixed: Int?
        public init(rowsRead: Int, accepted: Int, rejected: Int, rejectedByReason: [String: Int], outside: Int? = nil, swapFixed: Int? = nil) {
            self.rowsRead = rowsRead; self.accepted = accepted; self.rejected = rejected
            self.rejectedByReason = rejectedByReason; self.outside = outside; self.swapFixed = swapFixed
        }
    }
    public struct LayerUsed: Codable, Sendable {
        public var name: String, file: String, role: String, features: Int, idField: String, nameField: String?, source: String
        public var invalidRepaired: Int
        public init(_ l: PolygonLayer) {
            name = l.spec.name; file = l.path; role = l.spec.role.rawValue; features = l.count
            idField = l.spec.idField; nameField = l.spec.nameField; source = l.spec.source; invalidRepaired = l.invalid.count
        }
        public init(_ l: PointLayer) {
            name = l.spec.name; file = l.path; role = l.spec.role.rawValue; features = l.count
            idField = l.spec.idField; nameField = l.spec.nameField; source = l.spec.source; invalidRepaired = 0
        }
    }

    public var tool = "atalaya"
    public var version = AtalayaVersion.current
    public var libraries = AtalayaVersion.libraries
    public var command: String
    public var crs: String
    public var outputCRS: String
    public var input: Input?
    public var counts: Counts?
    public var layers: [LayerUsed]
    public var rules: [String: String]
    public var options: [String: String]
    public var rejectsFile: String?
    public var synthetic: Bool?
    /// Raster or grid the analysis ran on.
    public var grid: GridRecord?
    /// Analysis parameters as text (kernel, bandwidth and how it was chosen, time window, filters, seed…).
    public var analysis: [String: String]?

    public struct GridRecord: Codable, Sendable {
        public var crs: String
        public var originX: Double, originY: Double
        public var cellSize: Double
        public var columns: Int, rows: Int
        public var cellsInStudyArea: Int
        public var studyArea: String
        public var studyAreaKm2: Double
        public init(crs: String, originX: Double, originY: Double, cellSize: Double, columns: Int, rows: Int,
                    cellsInStudyArea: Int, studyArea: String, studyAreaKm2: Double) {
            self.crs = crs; self.originX = originX; self.originY = originY; self.cellSize = cellSize
            self.columns = columns; self.rows = rows; self.cellsInStudyArea = cellsInStudyArea
            self.studyArea = studyArea; self.studyAreaKm2 = studyAreaKm2
        }
    }

    public init(command: String, crs: String, outputCRS: String = WorkingCRS.geographic, input: Input?, counts: Counts?,
                layers: [LayerUsed], rules: [String: String] = [:], options: [String: String] = [:], rejectsFile: String? = nil) {
        self.command = command; self.crs = crs; self.outputCRS = outputCRS; self.input = input; self.counts = counts
        self.layers = layers; self.rules = rules; self.options = options; self.rejectsFile = rejectsFile
    }

    /// Stable JSON (sorted keys) so reruns compare byte for byte.
    public func jsonData(pretty: Bool = true) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return try e.encode(self)
    }

    /// Writes this provenance as the sidecar of `output`, `sidecarPath(beside:)`, atomically.
    public func writeSidecar(beside output: String) throws {
        try AtomicFile.write(try jsonData(), to: Provenance.sidecarPath(beside: output))
    }

    /// `OUTPUT-without-extension.provenance.json` (never a doubled extension such as `x.json.json`).
    public static func sidecarPath(beside output: String) -> String {
        (output as NSString).deletingPathExtension + ".provenance.json"
    }

    /// The rule that decides points on shared boundaries, stated in every assignment output.
    public static let boundaryRule =
        "Un punto en el interior de un polígono recibe ese polígono (predicado exacto de GEOS). " +
        "Un punto sobre un límite compartido, o en varios polígonos superpuestos, recibe el de menor código " +
        "(orden de bytes) y, a igualdad, el primero del archivo. / A point inside one polygon gets it (GEOS exact " +
        "predicate); a point on a shared boundary or in overlapping polygons gets the smallest code (byte order), then the earliest in the file."
}
