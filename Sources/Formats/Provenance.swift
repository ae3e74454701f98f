import Foundation
import Incidents
import Primitives
import SpatialCore

/// What every output records about how it was made, so a planner can reproduce it later.
/// No wall-clock time is stored: the same inputs and options give the same bytes.
///
/// Encoded in the house style of every machine-readable output: snake_case keys, numbers as numbers,
/// `null` for what is missing (never an absent key), and a `schema_version` (documented in
/// `schemas/provenance.schema.json`).
public struct Provenance: Encodable, Sendable {
    /// Version of this record's layout; raised when a key changes meaning or disappears.
    public static let schemaVersion = 2

    public struct Input: Encodable, Sendable {
        public var path: String
        public var bytes: Int?
        public var format: String
        public var encoding: String?
        public var delimiter: String?
        public var columns: [String: String]
        /// Rows the store held when it was queried (`nil` for files).
        public var storeRows: Int?
        public init(path: String, bytes: Int?, format: String, encoding: String?, delimiter: String?, columns: [String: String],
                    storeRows: Int? = nil) {
            self.path = path; self.bytes = bytes; self.format = format; self.encoding = encoding; self.delimiter = delimiter; self.columns = columns
            self.storeRows = storeRows
        }
        enum CodingKeys: String, CodingKey { case path, bytes, format, encoding, delimiter, columns, storeRows }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path); try c.encode(bytes, forKey: .bytes); try c.encode(format, forKey: .format)
            try c.encode(encoding, forKey: .encoding); try c.encode(delimiter, forKey: .delimiter)
            // A role without a column (no time, id or weight column) is null, not "" (house style).
            try c.encode(columns.mapValues { $0.isEmpty ? nil : $0 }, forKey: .columns); try c.encode(storeRows, forKey: .storeRows)
        }
    }
    public struct Counts: Encodable, Sendable {
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
        enum CodingKeys: String, CodingKey { case rowsRead, accepted, rejected, rejectedByReason, outside, swapFixed }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rowsRead, forKey: .rowsRead); try c.encode(accepted, forKey: .accepted); try c.encode(rejected, forKey: .rejected)
            try c.encode(rejectedByReason, forKey: .rejectedByReason); try c.encode(outside, forKey: .outside)
            try c.encode(swapFixed, forKey: .swapFixed)
        }
    }
    public struct LayerUsed: Encodable, Sendable {
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
        enum CodingKeys: String, CodingKey { case name, file, role, features, idField, nameField, source, invalidRepaired }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(file, forKey: .file); try c.encode(role, forKey: .role)
            try c.encode(features, forKey: .features); try c.encode(idField, forKey: .idField); try c.encode(nameField, forKey: .nameField)
            try c.encode(source, forKey: .source); try c.encode(invalidRepaired, forKey: .invalidRepaired)
        }
    }

    public var schemaVersion = Provenance.schemaVersion
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

    /// The options as given on this process's command line, when it is the `atalaya` command:
    /// `--cell 50` → `cell: 50`, a bare flag → `true`, `-o` → `output`, positional arguments → `input`
    /// (repeated options joined with `|`). What was left to its default is in `analysis`, resolved.
    /// The output path is left out: it is the file itself, and a rerun to another name gives the same bytes.
    public static let commandLineOptions: [String: String] = options(fromArguments: CommandLine.arguments)

    /// Options of the CLI that take no value (kept complete by CLITests.bareFlagsAreKnown, which reads
    /// every command's `--experimental-dump-help`).
    public static let bareFlags: Set<String> = ["quiet", "fix-swapped", "json", "names", "nrc-compatible",
                                                "count-duplicates-once", "help", "version", "raw-p", "all-cells", "reassign"]

    static func options(fromArguments argv: [String]) -> [String: String] {
        guard let exe = argv.first, (exe as NSString).lastPathComponent == "atalaya" else { return [:] }
        let shortNames = ["-o": "output", "-q": "quiet", "-h": "help"]
        var out: [String: String] = [:]
        func add(_ k: String, _ v: String) { out[k] = out[k].map { $0 + "|" + v } ?? v }
        var args = Array(argv.dropFirst(2))[...]   // after the subcommand
        while let a = args.first {
            args = args.dropFirst()
            if a.hasPrefix("--") || shortNames[a] != nil {
                var key = shortNames[a] ?? String(a.dropFirst(2)), value: String? = nil
                if let eq = key.firstIndex(of: "=") { value = String(key[key.index(after: eq)...]); key = String(key[..<eq]) }
                if value == nil, !bareFlags.contains(key), let next = args.first { value = next; args = args.dropFirst() }
                if key != "output" { add(key.replacingOccurrences(of: "-", with: "_"), value ?? "true") }
            } else { add("input", a) }
        }
        return out
    }

    public init(command: String, crs: String, outputCRS: String = WorkingCRS.geographic, input: Input?, counts: Counts?,
                layers: [LayerUsed], rules: [String: String] = [:], options: [String: String] = Provenance.commandLineOptions,
                rejectsFile: String? = nil) {
        self.command = command; self.crs = crs; self.outputCRS = outputCRS; self.input = input; self.counts = counts
        self.layers = layers; self.rules = rules; self.options = options; self.rejectsFile = rejectsFile
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, tool, version, libraries, command, crs, outputCRS = "outputCrs", input, counts, layers, rules, options
        case rejectsFile, synthetic, grid, analysis
    }

    /// Every key always present; `null` where there is nothing to say.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion); try c.encode(tool, forKey: .tool)
        try c.encode(version, forKey: .version); try c.encode(libraries, forKey: .libraries)
        try c.encode(command, forKey: .command); try c.encode(crs, forKey: .crs); try c.encode(outputCRS, forKey: .outputCRS)
        try c.encode(input, forKey: .input); try c.encode(counts, forKey: .counts); try c.encode(layers, forKey: .layers)
        try c.encode(rules.mapValues(TypedText.init), forKey: .rules)
        try c.encode(options.mapValues(TypedText.init), forKey: .options); try c.encode(rejectsFile, forKey: .rejectsFile)
        try c.encode(synthetic, forKey: .synthetic); try c.encode(grid, forKey: .grid)
        try c.encode(analysis?.mapValues(TypedText.init), forKey: .analysis)
    }

    /// A parameter recorded as text, written with its JSON type: a JSON number (`400`, `0.05`, `-1e-3`;
    /// never a code with a leading zero such as `08`) as a number, `true`/`false` as booleans, the
    /// empty string (nothing given) as `null`, anything else as a string.
    struct TypedText: Encodable {
        let text: String
        init(_ text: String) { self.text = text }
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            if text.isEmpty { try c.encodeNil() }
            else if text == "true" || text == "false" { try c.encode(text == "true") }
            else if Self.isJSONNumber(text), let v = Double(text), v.isFinite {
                if let i = Int(text) { try c.encode(i) } else { try c.encode(v) }
            } else { try c.encode(text) }
        }
        /// RFC 8259 §6 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        static func isJSONNumber(_ s: String) -> Bool {
            var b = Array(s.utf8)[...]
            func digits() -> Int { var n = 0; while let d = b.first, d >= 48 && d <= 57 { b = b.dropFirst(); n += 1 }; return n }
            if b.first == UInt8(ascii: "-") { b = b.dropFirst() }
            if b.first == UInt8(ascii: "0") { b = b.dropFirst() } else if digits() == 0 { return false }
            if b.first == UInt8(ascii: ".") { b = b.dropFirst(); if digits() == 0 { return false } }
            if b.first == UInt8(ascii: "e") || b.first == UInt8(ascii: "E") {
                b = b.dropFirst()
                if b.first == UInt8(ascii: "+") || b.first == UInt8(ascii: "-") { b = b.dropFirst() }
                if digits() == 0 { return false }
            }
            return b.isEmpty
        }
    }

    /// Stable JSON (sorted keys) so reruns compare byte for byte.
    public func jsonData(pretty: Bool = true) throws -> Data {
        try JSONStyle.encoder(pretty: pretty).encode(self)
    }

    /// Writes this provenance as the sidecar of `output`, `sidecarPath(beside:)`, atomically.
    public func writeSidecar(beside output: String) throws {
        try AtomicFile.write(try jsonData(), to: Provenance.sidecarPath(beside: output))
    }

    /// `OUTPUT-without-extension.provenance.json` (never a doubled extension such as `x.json.json`):
    /// the rule of `Sidecar.path(beside:)`, shared with `simulate`.
    public static func sidecarPath(beside output: String) -> String { Sidecar.path(beside: output) }

    /// The rule that decides points on shared boundaries, stated in every assignment output.
    public static let boundaryRule =
        "Un punto en el interior de un polígono recibe ese polígono (predicado exacto de GEOS). " +
        "Un punto sobre un límite compartido, o en varios polígonos superpuestos, recibe el de menor código " +
        "(orden de bytes) y, a igualdad, el primero del archivo. / A point inside one polygon gets it (GEOS exact " +
        "predicate); a point on a shared boundary or in overlapping polygons gets the smallest code (byte order), then the earliest in the file."
}
