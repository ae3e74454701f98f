import Formats
import Foundation
import Incidents
import Localization
import Primitives
import SpatialCore
import Store

/// Which incidents an analysis uses: a half-open time window and categories.
public struct IncidentFilter: Sendable {
    /// Seconds since 1970 (civil time), inclusive.
    public var from: Int64?
    /// Seconds since 1970 (civil time), exclusive.
    public var to: Int64?
    /// Exact category values (as the data spell them); empty = all.
    public var categories: [String]

    public init(from: Int64? = nil, to: Int64? = nil, categories: [String] = []) {
        self.from = from; self.to = to; self.categories = categories
    }

    public var isEmpty: Bool { from == nil && to == nil && categories.isEmpty }

    /// For provenance: "desde 2025-01-01T00:00:00 (incl.) hasta 2025-02-01T00:00:00 (excl.)".
    public var record: [String: String] {
        var r: [String: String] = [:]
        r["time_from_inclusive"] = from.map(BogotaTime.iso) ?? ""
        r["time_to_exclusive"] = to.map(BogotaTime.iso) ?? ""
        r["categories"] = categories.joined(separator: "|")
        return r
    }

    /// `record` as the analysis section of a provenance lists it (keys prefixed `filter_`).
    public var analysisRecord: [String: String] {
        Dictionary(uniqueKeysWithValues: record.map { ("filter_" + $0.key, $0.value) })
    }
}

public enum AnalysisInputError: Error, CustomStringConvertible, Equatable {
    case noTimeColumn(path: String)
    case noCategoryColumn(path: String)
    case badWeight(path: String, line: Int, column: String, value: String)
    case unknownWeightColumn(path: String, column: String, available: [String])
    case nothingLeft(path: String, read: Int, afterFilters: Int)
    /// `--category` values that no incident carries; `present` = (category, incidents), most frequent first.
    case unknownCategory(path: String, given: [String], present: [Category])
    /// The time window holds no incident; `data` = first and last incident time (civil seconds).
    case emptyWindow(path: String, from: Int64?, to: Int64?, dataFirst: Int64?, dataLast: Int64?)
    /// No incident lies in the study area: the points' lon/lat extent names where they are.
    case noneInStudyArea(incidents: Int, area: String, lonMin: Double, lonMax: Double, latMin: Double, latMax: Double)

    public struct Category: Sendable, Equatable {
        public let value: String
        public let incidents: Int
        public init(_ value: String, _ incidents: Int) { self.value = value; self.incidents = incidents }
    }

    public var description: String {
        switch self {
        case let .noTimeColumn(path): return tr("\(path): --from/--to necesitan una columna de fecha y no se encontró ninguna (nómbrela con --time)", "\(path): --from/--to need a date column, and none was found (name it with --time)")
        case let .noCategoryColumn(path): return tr("\(path): --category necesita una columna de categoría y no se encontró ninguna (nómbrela con --category-column)", "\(path): --category needs a category column, and none was found (name it with --category-column)")
        case let .badWeight(path, line, column, value): return tr("\(path):\(line): la columna de peso '\(column)' tiene '\(value)', que no es un número", "\(path):\(line): weight column '\(column)' holds '\(value)', not a number")
        case let .unknownWeightColumn(path, column, available): return tr("\(path): no hay columna '\(column)' para --weight; columnas: ", "\(path): no column '\(column)' for --weight; columns: ") + available.joined(separator: ", ")
        case let .nothingLeft(path, read, after): return tr("\(path): \(read) incidentes válidos, \(after) tras los filtros de tiempo y categoría: nada que mapear", "\(path): \(read) valid incidents, \(after) left after the time/category filters: nothing to map")
        case let .unknownCategory(path, given, present):
            let list = present.prefix(30).map { "\($0.value) (\($0.incidents))" }.joined(separator: "; ")
            let close = given.compactMap { g in present.first { $0.value.compare(g, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame }.map { "'\(g)' → ¿quiso decir '\($0.value)'?" } }
            return "\(path): --category \(given.map { "'\($0)'" }.joined(separator: ", ")): ningún incidente tiene esa categoría (se compara la grafía exacta). "
                + (close.isEmpty ? "" : close.joined(separator: "; ") + " ")
                + "Categorías presentes (incidentes): \(list)\(present.count > 30 ? "; … (\(present.count) en total)" : "")"
        case let .emptyWindow(path, from, to, first, last):
            let window = "[\(from.map(BogotaTime.iso) ?? "inicio"), \(to.map(BogotaTime.iso) ?? "fin"))"
            let data = first.map { "los datos van de \(BogotaTime.iso($0)) a \(BogotaTime.iso(last ?? $0))" } ?? "ningún incidente tiene fecha"
            return "\(path): ningún incidente cae en la ventana --from/--to \(window) con los demás filtros; \(data)"
        case let .noneInStudyArea(n, area, lon0, lon1, lat0, lat1):
            let box = String(format: "lon %.4f … %.4f, lat %.4f … %.4f", lon0, lon1, lat0, lat1)
            return "ninguno de los \(n) incidentes cae en el área de estudio (\(area)): los puntos están en \(box). "
                + "¿Son de otra ciudad, o tienen lat/lon intercambiadas? Use --area con un área que los contenga, o --area points (la extensión de los puntos)"
        }
    }
}

/// Incidents ready for analysis: validated, projected, filtered, with counts for provenance. They come
/// from an export file (read and validated like `assign`) or from an incident store (SQL filters).
public struct AnalysisPoints: Sendable {
    public enum Origin: Sendable {
        case file(ProjectedIncidents, rows: [Int])
        case store(path: String, query: [String: String], stored: Int)
    }
    public let origin: Origin
    public let x: [Double], y: [Double]
    /// Seconds since 1970 (civil time); Int64.min when unknown.
    public let times: [Int64]
    public let weights: [Double]?
    public let filter: IncidentFilter
    public let weightColumn: String?

    /// The store's categories as the query returned them (nil for a file: decoded on demand, see `categories`).
    private let storeCategories: [String?]?

    public var count: Int { x.count }

    /// Category of each point (nil without a category column). For a file it is decoded from the records on
    /// each access (a String per point), so the analyses that never read it, density and hotspots, do not pay
    /// for it: read it once into a local.
    public var categories: [String?] {
        switch origin {
        case let .file(inc, rows):
            let t = inc.read.table
            return t.categoryColumn == nil ? Array(repeating: nil, count: rows.count) : rows.map { t.category($0) }
        case .store: return storeCategories ?? Array(repeating: nil, count: count)
        }
    }

    init(origin: Origin, x: [Double], y: [Double], times: [Int64], storeCategories: [String?]?, weights: [Double]?,
         filter: IncidentFilter, weightColumn: String?) {
        self.origin = origin; self.x = x; self.y = y; self.times = times; self.storeCategories = storeCategories
        self.weights = weights; self.filter = filter; self.weightColumn = weightColumn
    }

    /// The file's read result, when the points come from a file.
    public var read: ReadResult? {
        if case let .file(inc, _) = origin { return inc.read }
        return nil
    }

    /// "line 12 (lat 4.6, lon -74.1)" for a file, "incident #k" for a store: names a point in errors.
    public func describe(_ k: Int) -> String {
        switch origin {
        case let .file(inc, rows):
            let t = inc.read.table, row = rows[k]
            return tr("línea \(t.lines[row]) (lat \(t.lat[row]), lon \(t.lon[row]))", "line \(t.lines[row]) (lat \(t.lat[row]), lon \(t.lon[row]))")
        case .store: return tr("incidente almacenado n.º \(k + 1)", "stored incident #\(k + 1)")
        }
    }

    public static func load(path: String, options: ReadOptions, inputCRS: String, workCRS: String,
                            filter: IncidentFilter, weightColumn: String?, studyAreaLonLat: Envelope?) throws -> AnalysisPoints {
        var options = options
        if let a = studyAreaLonLat, !a.isEmpty { options.expectedLonLatBox = (a.minX, a.minY, a.maxX, a.maxY) }
        let inc = try ProjectedIncidents.load(path: path, options: options, inputCRS: inputCRS, workCRS: workCRS)
        let t = inc.read.table
        if (filter.from != nil || filter.to != nil) && t.timeColumn == nil { throw AnalysisInputError.noTimeColumn(path: path) }
        if !filter.categories.isEmpty && t.categoryColumn == nil { throw AnalysisInputError.noCategoryColumn(path: path) }
        let wanted = Set(filter.categories)
        let needCategories = !wanted.isEmpty
        var rows: [Int] = []
        rows.reserveCapacity(t.count)
        for i in 0..<t.count {
            if let f = filter.from, t.time[i] < f { continue }
            if let e = filter.to, t.time[i] >= e { continue }
            if needCategories, !wanted.contains(t.category(i) ?? "") { continue }
            rows.append(i)
        }
        guard !rows.isEmpty else { throw diagnoseEmpty(path: path, table: t, filter: filter) }
        var weights: [Double]? = nil
        if let w = weightColumn {
            guard let k = t.header.firstIndex(of: w) else {
                throw AnalysisInputError.unknownWeightColumn(path: path, column: w, available: t.header)
            }
            weights = try rows.map { i in
                let text = t.fields(i)[k].trimmingCharacters(in: .whitespaces)
                guard let v = Double(text.replacingOccurrences(of: ",", with: ".")), v.isFinite else {
                    throw AnalysisInputError.badWeight(path: path, line: Int(t.lines[i]), column: w, value: text)
                }
                return v
            }
        }
        // No row filtered out (the usual case): share the arrays instead of gathering copies.
        let all = rows.count == t.count
        return AnalysisPoints(origin: .file(inc, rows: rows), x: all ? inc.x : rows.map { inc.x[$0] },
                              y: all ? inc.y : rows.map { inc.y[$0] }, times: all ? t.time : rows.map { t.time[$0] },
                              storeCategories: nil, weights: weights, filter: filter, weightColumn: weightColumn)
    }

    /// Why the filters kept nothing: a category no incident carries (with the categories present), else
    /// a time window outside the data (with the data's window), else the combination.
    static func diagnoseEmpty(path: String, table t: IncidentTable, filter: IncidentFilter) -> AnalysisInputError {
        if !filter.categories.isEmpty {
            var counts: [String: Int] = [:]
            for i in 0..<t.count { counts[t.category(i) ?? "", default: 0] += 1 }
            if !filter.categories.contains(where: { counts[$0] != nil }) {
                return .unknownCategory(path: path, given: filter.categories, present: presentCategories(counts))
            }
        }
        if filter.from != nil || filter.to != nil {
            let times = (0..<t.count).map { t.time[$0] }.filter { $0 != Int64.min }
            return .emptyWindow(path: path, from: filter.from, to: filter.to, dataFirst: times.min(), dataLast: times.max())
        }
        return .nothingLeft(path: path, read: t.count, afterFilters: 0)
    }

    /// Categories with their incident counts, most frequent first, then by name.
    public static func presentCategories(_ counts: [String: Int]) -> [AnalysisInputError.Category] {
        counts.map { AnalysisInputError.Category($0.key.isEmpty ? "(vacía)" : $0.key, $0.value) }
            .sorted { $0.incidents != $1.incidents ? $0.incidents > $1.incidents : $0.value < $1.value }
    }

    /// Lon/lat extent of the points (file: the coordinates as read; store: the projected box mapped back).
    public func lonLatExtent(workCRS: String) throws -> Envelope {
        var e = Envelope.empty
        switch origin {
        case let .file(inc, rows):
            let t = inc.read.table
            for r in rows { e.expand(Point(x: t.lon[r], y: t.lat[r])) }
        case .store:
            var box = Envelope.empty
            for i in 0..<count { box.expand(Point(x: x[i], y: y[i])) }
            guard !box.isEmpty else { return e }
            let proj = try Projection(from: workCRS, to: WorkingCRS.geographic)
            for corner in [Point(x: box.minX, y: box.minY), Point(x: box.maxX, y: box.minY), Point(x: box.minX, y: box.maxY), Point(x: box.maxX, y: box.maxY)] {
                e.expand(try proj.transform(corner))
            }
        }
        return e
    }

    /// Points from an incident store, filtered in SQL with bound parameters.
    public static func load(store path: String, filter: IncidentFilter, localidades: [String], upz: [String], upl: [String],
                            cuadrantes: [String]) throws -> AnalysisPoints {
        // No quick_check here (it reads every page: seconds on millions of rows); a damaged page still
        // fails the query with StoreError.corrupt.
        let store = try IncidentStore.open(path: path, verify: false)
        let q = IncidentQuery(from: filter.from, to: filter.to, categories: filter.categories, localidades: localidades,
                              upz: upz, upl: upl, cuadrantes: cuadrantes)
        let r = try store.query(q)
        let stored = try store.count()
        guard r.count > 0 else {
            // Say which filter: a category the store does not hold (with those it holds), else the window.
            if !filter.categories.isEmpty {
                let all = try store.query(IncidentQuery())
                var counts: [String: Int] = [:]
                for c in all.category { counts[c ?? "", default: 0] += 1 }
                if !filter.categories.contains(where: { counts[$0] != nil }) {
                    throw AnalysisInputError.unknownCategory(path: path, given: filter.categories, present: presentCategories(counts))
                }
            }
            if filter.from != nil || filter.to != nil {
                let all = try store.query(IncidentQuery(categories: filter.categories, localidades: localidades, upz: upz, upl: upl, cuadrantes: cuadrantes))
                let known = all.time.filter { $0 != Int64.min }
                throw AnalysisInputError.emptyWindow(path: path, from: filter.from, to: filter.to, dataFirst: known.min(), dataLast: known.max())
            }
            throw AnalysisInputError.nothingLeft(path: path, read: stored, afterFilters: 0)
        }
        var record = filter.record
        record["localidades"] = localidades.joined(separator: "|"); record["upz"] = upz.joined(separator: "|")
        record["upl"] = upl.joined(separator: "|"); record["cuadrantes"] = cuadrantes.joined(separator: "|")
        return AnalysisPoints(origin: .store(path: path, query: record, stored: stored), x: r.x, y: r.y, times: r.time,
                              storeCategories: r.category, weights: nil, filter: filter, weightColumn: nil)
    }

    /// Input and counts for provenance.
    public func provenanceInput() -> (Provenance.Input, Provenance.Counts) {
        switch origin {
        case let .file(incidents, _):
            let t = incidents.read.table
            let input = Provenance.Input(
                path: t.source, bytes: (try? FileManager.default.attributesOfItem(atPath: t.source)[.size] as? Int) ?? nil,
                format: t.format.rawValue, encoding: t.encoding, delimiter: String(UnicodeScalar(t.delimiter)),
                columns: ["lat": t.latColumn, "lon": t.lonColumn, "time": t.timeColumn ?? "",
                          "category": t.categoryColumn ?? "", "id": t.idColumn ?? "", "weight": weightColumn ?? ""])
            let counts = Provenance.Counts(
                rowsRead: t.dataRows, accepted: t.count, rejected: incidents.read.rejects.count,
                rejectedByReason: Dictionary(uniqueKeysWithValues: incidents.read.rejectCounts.map { ($0.key.rawValue, $0.value) }),
                swapFixed: t.swapFixed.lazy.filter { $0 }.count)
            return (input, counts)
        case let .store(path, query, stored):
            // Rows read are the rows the query returned; the store's size is recorded beside them.
            let input = Provenance.Input(path: path, bytes: nil, format: "atalaya-store (SQLite)", encoding: nil, delimiter: nil,
                                         columns: query.filter { !$0.value.isEmpty }, storeRows: stored)
            return (input, Provenance.Counts(rowsRead: count, accepted: count, rejected: 0, rejectedByReason: [:]))
        }
    }
}
