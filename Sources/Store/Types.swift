/// What one `IncidentStore.ingest` call did.
public struct IngestReport: Sendable, Equatable {
    /// Data rows in the file (accepted + rejected).
    public let rowsRead: Int
    /// Rows that passed validation (`IncidentReader`) and were offered to the store.
    public let accepted: Int
    /// Rows rejected by validation; never stored.
    public let rejected: Int
    /// New keys.
    public let inserted: Int
    /// Known keys whose content changed (the row was overwritten).
    public let updated: Int
    /// Known keys with the same content hash (nothing written).
    public let unchanged: Int
    /// Committed transactions holding incident rows.
    public let batches: Int
    /// `sources.id` of this ingest.
    public let sourceID: Int64

    public init(rowsRead: Int, accepted: Int, rejected: Int, inserted: Int, updated: Int, unchanged: Int,
                batches: Int, sourceID: Int64) {
        self.rowsRead = rowsRead; self.accepted = accepted; self.rejected = rejected
        self.inserted = inserted; self.updated = updated; self.unchanged = unchanged
        self.batches = batches; self.sourceID = sourceID
    }
}

/// A filter over stored incidents. Every condition set is ANDed; an empty list means "any".
/// Values are always bound as SQL parameters.
public struct IncidentQuery: Sendable {
    /// Inclusive lower bound, seconds since 1970 (civil time, as in `IncidentTable.time`).
    public var from: Int64?
    /// Exclusive upper bound. Incidents without a time never match a time bound.
    public var to: Int64?
    public var categories: [String]
    public var localidades: [String]
    public var upz: [String]
    public var upl: [String]
    public var cuadrantes: [String]
    /// Working-CRS box (inclusive edges), answered through the R*Tree.
    public var bbox: (minX: Double, minY: Double, maxX: Double, maxY: Double)?

    public init(from: Int64? = nil, to: Int64? = nil, categories: [String] = [], localidades: [String] = [],
                upz: [String] = [], upl: [String] = [], cuadrantes: [String] = [],
                bbox: (minX: Double, minY: Double, maxX: Double, maxY: Double)? = nil) {
        self.from = from; self.to = to; self.categories = categories; self.localidades = localidades
        self.upz = upz; self.upl = upl; self.cuadrantes = cuadrantes; self.bbox = bbox
    }
}

/// Matching incidents in columnar form, in storage order (rowid).
public struct QueryResult: Sendable, Equatable {
    /// Working CRS (`meta.crs`, EPSG:9377).
    public var x: [Double]
    public var y: [Double]
    /// Seconds since 1970 (civil); `Int64.min` when the export had no time.
    public var time: [Int64]
    public var category: [String?]
    public var key: [String]
    public var count: Int { key.count }

    public init(x: [Double] = [], y: [Double] = [], time: [Int64] = [], category: [String?] = [], key: [String] = []) {
        self.x = x; self.y = y; self.time = time; self.category = category; self.key = key
    }
}

/// One ingested file. The counts are nil when the ingest was interrupted before its final transaction.
public struct SourceRecord: Sendable, Equatable {
    public let id: Int64
    public let path: String
    /// SHA-256 of the file's bytes (hex); nil when the file could not be read at ingest time.
    public let sha256: String?
    /// When the ingest started: ISO 8601 in UTC with `Z` (`IncidentStore.timestamp`).
    public let ingestedAt: String
    public let rowsRead: Int?
    public let accepted: Int?
    public let rejected: Int?
    public let inserted: Int?
    public let updated: Int?
    public let unchanged: Int?

    /// The ingest ran to its end.
    public var isComplete: Bool { rowsRead != nil }
}
