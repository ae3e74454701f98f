import Foundation
import Localization
import Primitives
import SeededRandom
import SpatialCore

/// What to simulate: how many events, over which days, from which seed, and how clustered.
public struct SimulationParameters: Sendable, Equatable {
    /// Number of events N (≥ 0).
    public var count: Int
    /// First day of the window, as days since 1970-01-01 (UTC civil calendar); inclusive.
    public var startDay: Int
    /// Day after the last day of the window (half-open `[startDay, endDay)`); must be > `startDay`.
    public var endDay: Int
    /// Seed of the generator: the same seed and parameters give the same events on every platform.
    public var seed: UInt64
    /// Share of non-repeat events placed around an attractor (TransMilenio station or park) of their UPZ.
    public var attractorShare: Double = 0.45
    /// Standard deviation (per axis, metres) of the Gaussian offset around an attractor.
    public var attractorSigmaMetres: Double = 120
    /// Share of events that are near-repeats of an earlier event of the same UPZ and category.
    public var repeatShare: Double = 0.12
    /// Standard deviation (per axis, metres) of a near-repeat's offset from the original event.
    public var repeatSigmaMetres: Double = 60
    /// Mean delay (days, exponential) between an event and its near-repeat.
    public var repeatMeanDays: Double = 5
    /// Years of the SDSCJ table whose counts are summed into the calibration weights.
    public var calibrationYears: [Int] = [2018, 2019, 2020, 2021]

    /// Parameters with the default clustering settings unless given.
    public init(count: Int, startDay: Int, endDay: Int, seed: UInt64,
                attractorShare: Double = 0.45, attractorSigmaMetres: Double = 120,
                repeatShare: Double = 0.12, repeatSigmaMetres: Double = 60, repeatMeanDays: Double = 5,
                calibrationYears: [Int] = [2018, 2019, 2020, 2021]) {
        self.count = count; self.startDay = startDay; self.endDay = endDay; self.seed = seed
        self.attractorShare = attractorShare; self.attractorSigmaMetres = attractorSigmaMetres
        self.repeatShare = repeatShare; self.repeatSigmaMetres = repeatSigmaMetres
        self.repeatMeanDays = repeatMeanDays; self.calibrationYears = calibrationYears
    }

    /// Prefix of this run's incident ids: "SIM-<seed>-<first day>-<end day>-<digest>", e.g.
    /// "SIM-2026-20250101-20260101-5c0f3a". Runs with another seed, window or any other parameter get
    /// other ids, so two simulated years (or two seeds) ingested into one store never collide; the same
    /// parameters give the same ids. The digest is the low 24 bits of FNV-1a (64-bit) over every other
    /// parameter in its shortest decimal form (`digestText`).
    public var runID: String {
        func compact(_ day: Int) -> String { SimulationParameters.isoDay(day).replacingOccurrences(of: "-", with: "") }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a offset basis
        for b in digestText.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let digest = String(h & 0xFF_FFFF, radix: 16)
        return "SIM-\(seed)-\(compact(startDay))-\(compact(endDay))-" + String(repeating: "0", count: 6 - digest.count) + digest
    }

    /// The parameters besides seed and window, as hashed into `runID`.
    var digestText: String {
        "count=\(count);attractor_share=\(attractorShare);attractor_sigma_metres=\(attractorSigmaMetres);"
            + "repeat_share=\(repeatShare);repeat_sigma_metres=\(repeatSigmaMetres);repeat_mean_days=\(repeatMeanDays);"
            + "calibration_years=\(calibrationYears.map(String.init).joined(separator: ","))"
    }

    /// Days since 1970-01-01 for a "YYYY-MM-DD" date (proleptic Gregorian), or nil if malformed or not a real date.
    public static func day(_ iso: String) -> Int? { CivilTime.parseDay(iso) }

    /// "YYYY-MM-DD" for days since 1970-01-01.
    public static func isoDay(_ day: Int) -> String { CivilTime.isoDay(day) }

    /// Throws `SimulationError.invalidParameter` for the first parameter outside its domain.
    public func validate() throws {
        func bad(_ name: String, _ value: Any, _ reason: String) -> SimulationError {
            .invalidParameter(name: name, value: "\(value)", reason: reason)
        }
        guard count >= 0 else { throw bad("--count", count, tr("debe ser ≥ 0", "must be ≥ 0")) }
        guard endDay > startDay else {
            throw bad("--to", Self.isoDay(endDay), tr("debe ser posterior a --from (\(Self.isoDay(startDay))); la ventana es [--from, --to)",
                                                      "must be after --from (\(Self.isoDay(startDay))); the window is [--from, --to)"))
        }
        guard endDay - startDay <= 3_660_000 else { throw bad("--to", Self.isoDay(endDay), tr("ventana de más de 10.000 años", "window longer than 10,000 years")) }
        guard (0...1).contains(attractorShare) else { throw bad("--attractor-share", attractorShare, tr("debe estar en [0, 1]", "must be in [0, 1]")) }
        guard (0...1).contains(repeatShare) else { throw bad("--repeat-share", repeatShare, tr("debe estar en [0, 1]", "must be in [0, 1]")) }
        guard attractorSigmaMetres.isFinite, attractorSigmaMetres >= 0, attractorSigmaMetres <= 100_000 else {
            throw bad("attractor_sigma_m", attractorSigmaMetres, tr("debe estar en [0, 100000] m", "must be in [0, 100000] m"))
        }
        guard repeatSigmaMetres.isFinite, repeatSigmaMetres >= 0, repeatSigmaMetres <= 100_000 else {
            throw bad("repeat_sigma_m", repeatSigmaMetres, tr("debe estar en [0, 100000] m", "must be in [0, 100000] m"))
        }
        guard repeatMeanDays.isFinite, repeatMeanDays > 0, repeatMeanDays <= 36_500 else {
            throw bad("repeat_mean_days", repeatMeanDays, tr("debe estar en (0, 36500] días", "must be in (0, 36500] days"))
        }
    }
}

/// One synthetic event. Not a real incident.
public struct SyntheticIncident: Sendable, Equatable {
    /// "`runID`-0000001" … in time order (e.g. "SIM-2026-20250101-20260101-5c0f3a-0000001").
    public let id: String
    /// Seconds since 1970-01-01 00:00:00, civil time (read it as Bogotá local time; no zone is applied).
    public let time: Int64
    /// SDSCJ category name, e.g. "HURTO A PERSONAS".
    public let category: String
    /// UPZ code, e.g. "UPZ48"; the point lies inside that UPZ polygon.
    public let upz: String
    /// Easting in the UPZ layer's CRS (EPSG:9377, metres).
    public let x: Double
    /// Northing in the UPZ layer's CRS (EPSG:9377, metres).
    public let y: Double
    /// Longitude, EPSG:4326 degrees.
    public let lon: Double
    /// Latitude, EPSG:4326 degrees.
    public let lat: Double
    /// True when the event is a near-repeat of an earlier event (same UPZ and category).
    public let isRepeat: Bool
}

/// The events of one run with what produced them.
public struct SimulationResult: Sendable {
    /// Events sorted by time (ties in generation order), ids in that order.
    public let incidents: [SyntheticIncident]
    /// The parameters of the run.
    public let parameters: SimulationParameters
    /// The table the weights came from.
    public let calibration: CalibrationTable
    /// Events per UPZ code.
    public var countsByUPZ: [String: Int]
    /// Events per category name.
    public var countsByCategory: [String: Int]
    /// Calibration UPZ codes with no polygon in the UPZ layer: their weight was dropped.
    public let unmatchedUPZ: [String]
    /// Attractor layers used: name, points, points inside some UPZ (the others are not used).
    public let attractorSources: [AttractorSource]
    /// Number of near-repeat events.
    public var repeatCount: Int { incidents.reduce(0) { $0 + ($1.isRepeat ? 1 : 0) } }
}

/// An attractor layer of a run: its manifest name, its points, and those inside some UPZ (used).
public struct AttractorSource: Sendable, Equatable, Encodable {
    public let layer: String
    public let points: Int
    public let insideUpz: Int
}

/// Seeded synthetic incidents calibrated to the official SDSCJ counts per UPZ and category.
///
/// Real Bogotá point data are not public; these events stand in for them in demos, tests and benchmarks.
/// They are **synthetic** and must never be presented as real incidents.
///
/// ## Model
/// 1. **Calibration.** Weight of (UPZ, category) = the SDSCJ count summed over `calibrationYears`
///    (`CalibrationTable`). UPZ999 ("Sin Localización") and codes without a polygon in the UPZ layer are
///    dropped and reported. The 11 categories are drawn as published, so "HURTO DE CELULARES" and
///    "HURTO A PERSONAS" (which overlap in SIEDCO) are both present.
/// 2. **Cell draw.** Each event's (UPZ, category) is a seeded multinomial draw from those weights
///    (xoshiro256** seeded by SplitMix64; binary search on cumulative weights).
/// 3. **Near repeat.** With probability `repeatShare`, and if an earlier event of the same (UPZ, category)
///    exists, the event copies one of them chosen uniformly: location + Gaussian offset
///    (σ = `repeatSigmaMetres` per axis, up to 20 tries to stay inside the UPZ, else the original point),
///    time = original + Exponential(mean `repeatMeanDays` days); a time at or after the window's end is
///    replaced by a fresh draw (step 5). `isRepeat` is true. A repeat can copy a repeat (chains).
/// 4. **Location of the other events.** With probability `attractorShare`, near an attractor (a point of
///    any `attractors` layer — TransMilenio stations, parks — lying inside that UPZ) chosen uniformly:
///    Gaussian offset σ = `attractorSigmaMetres` per axis (Box–Muller), accepted only if the exact
///    `PolygonLocator` puts it in that UPZ, up to 20 tries, then uniform. Otherwise (or if the UPZ has no
///    attractor) uniform inside the UPZ: rejection sampling on the UPZ envelope with the exact locator.
///    Every point lies inside its UPZ.
/// 5. **Time.** Day uniform in `[startDay, endDay)`; hour from `hourWeights` (evening peak); minute and
///    second uniform.
/// 6. **Output.** Events sorted by time (ties in generation order), ids "`runID`-0000001"… in that order;
///    lon/lat by PROJ's inverse (EPSG:9377 → EPSG:4326) in one parallel batch.
///
/// Determinism: steps 2–3 and all times use one generator stream in event order; each event's location
/// uses its own counter-derived stream, so results do not depend on thread count or scheduling.
/// Identical on every platform up to last-ulp differences of the C library's `log`, `sin` and `cos`.
public enum Simulator {
    /// Relative weight of each hour 00–23 (index = hour): low before dawn, rising through the day,
    /// peaking at 19–20 h. A plausible shape for street crime in Bogotá, not calibrated to data.
    public static let hourWeights: [Double] = [
        3.0, 2.2, 1.7, 1.4, 1.3, 1.7,   // 00–05
        2.6, 3.4, 3.8, 3.9, 4.0, 4.2,   // 06–11
        4.6, 4.5, 4.4, 4.6, 4.9, 5.4,   // 12–17
        6.3, 6.9, 6.8, 6.0, 5.0, 3.9,   // 18–23
    ]

    /// Tries of the Gaussian offset (attractor, near repeat) before falling back.
    public static let offsetTries = 20
    /// Envelope tries of the uniform sampler before giving up on a UPZ.
    public static let uniformTries = 100_000

    /// Runs the model (see `Simulator`).
    /// - Parameters:
    ///   - calibration: the SDSCJ table; its UPZ codes are joined to `upz.ids`.
    ///   - upz: the UPZ polygon layer in a metric CRS (EPSG:9377).
    ///   - attractors: point layers in the same CRS (TransMilenio stations, parks).
    ///   - locator: an index already built over `upz` (built here when nil).
    ///   - progress: called on the calling thread with the number of events placed so far.
    public static func run(_ p: SimulationParameters, calibration: CalibrationTable, upz: PolygonLayer,
                           attractors: [PointLayer], locator: PolygonLocator? = nil,
                           progress: ((Int) -> Void)? = nil) throws -> SimulationResult {
        try p.validate()
        let locator = locator ?? PolygonLocator(polygons: upz.polygons, ids: upz.ids)
        let n = p.count

        // 1. Calibration cells joined to polygons.
        var polygonOf: [String: Int32] = [:]
        for (i, id) in upz.ids.enumerated() where polygonOf[id] == nil { polygonOf[id] = Int32(i) }
        var cellRow: [Int32] = [], cellCategory: [Int32] = [], cellPolygon: [Int32] = [], weights: [Double] = []
        var unmatched: [String] = []
        for (r, code) in calibration.upzCodes.enumerated() {
            guard let poly = polygonOf[code] else { unmatched.append(code); continue }
            for (c, w) in calibration.counts[r].enumerated() where w > 0 {
                cellRow.append(Int32(r)); cellCategory.append(Int32(c)); cellPolygon.append(poly); weights.append(w)
            }
        }
        let sampler = CumulativeSampler(weights: weights)
        guard sampler.total > 0 else { throw SimulationError.noCalibrationWeight(path: calibration.path, unmatched: unmatched) }
        let hourSampler = CumulativeSampler(weights: hourWeights)

        // Attractors per polygon (CSR layout).
        var attractorSources: [AttractorSource] = []
        var ax: [Double] = [], ay: [Double] = [], apoly: [Int32] = []
        for layer in attractors {
            let where_ = try locator.locate(x: layer.x, y: layer.y)
            var inside = 0
            for (k, w) in where_.enumerated() where w >= 0 {
                ax.append(layer.x[k]); ay.append(layer.y[k]); apoly.append(w); inside += 1
            }
            attractorSources.append(AttractorSource(layer: layer.spec.name, points: layer.count, insideUpz: inside))
        }
        let polygonCount = upz.polygons.count
        var attractorStart = [Int](repeating: 0, count: polygonCount + 1)
        for w in apoly { attractorStart[Int(w) + 1] += 1 }
        for i in 0..<polygonCount { attractorStart[i + 1] += attractorStart[i] }
        var fill = attractorStart
        var attractorX = [Double](repeating: 0, count: ax.count), attractorY = attractorX
        for k in ax.indices {
            let w = Int(apoly[k]); attractorX[fill[w]] = ax[k]; attractorY[fill[w]] = ay[k]; fill[w] += 1
        }
        let envelopes = upz.polygons.map(\.envelope)

        // 2–3, 5. Cells, repeat links and times, in event order on one stream.
        let startSecond = Int64(p.startDay) * 86_400, endSecond = Int64(p.endDay) * 86_400
        let span = UInt64(p.endDay - p.startDay)
        var rng = Xoshiro256StarStar(seed: p.seed)
        func drawTime(_ rng: inout Xoshiro256StarStar) -> Int64 {
            let day = Int64(rng.below(span))
            let hour = Int64(hourSampler.draw(rng.uniform()))
            let minute = Int64(rng.below(60)), second = Int64(rng.below(60))
            return startSecond + day * 86_400 + hour * 3600 + minute * 60 + second
        }
        var cellOf = [Int32](repeating: 0, count: n)
        var parent = [Int32](repeating: -1, count: n)
        var nearAttractor = [Bool](repeating: false, count: n)
        var time = [Int64](repeating: 0, count: n)
        var members = [[Int32]](repeating: [], count: weights.count)
        var originals: [Int32] = [], repeats: [Int32] = []
        originals.reserveCapacity(n)
        let meanSeconds = p.repeatMeanDays * 86_400
        for i in 0..<n {
            let c = sampler.draw(rng.uniform())
            cellOf[i] = Int32(c)
            let earlier = members[c].count
            if p.repeatShare > 0, rng.uniform() < p.repeatShare, earlier > 0 {
                let j = Int(members[c][Int(rng.below(UInt64(earlier)))])
                parent[i] = Int32(j)
                var t = time[j] + Int64(rng.exponential(mean: meanSeconds).rounded(.down))
                if t >= endSecond { t = drawTime(&rng) }
                time[i] = t
                repeats.append(Int32(i))
            } else {
                nearAttractor[i] = p.attractorShare > 0 && rng.uniform() < p.attractorShare
                time[i] = drawTime(&rng)
                originals.append(Int32(i))
            }
            members[c].append(Int32(i))
        }
        members = []

        // 4. Locations of originals, in parallel (each event on its own stream).
        var xs = [Double](repeating: 0, count: n), ys = [Double](repeating: 0, count: n)
        let errors = ErrorBox()
        let sigmaR = p.repeatSigmaMetres, seed = p.seed
        let placement = OriginalPlacement(locator: locator, envelopes: envelopes, upzIds: upz.ids, cellPolygon: cellPolygon,
                                          attractorStart: attractorStart, attractorX: attractorX, attractorY: attractorY,
                                          cellOf: cellOf, nearAttractor: nearAttractor, sigma: p.attractorSigmaMetres, seed: seed)
        let block = 32_768
        var done = 0
        let originalsList = originals
        try xs.withUnsafeMutableBufferPointer { xb in
            try ys.withUnsafeMutableBufferPointer { yb in
                // Each event is written by the one worker whose chunk holds it.
                let xo = DisjointWrites(xb), yo = DisjointWrites(yb)
                while done < originalsList.count {
                    let upper = min(originalsList.count, done + block)
                    let lo = done
                    ParallelWork.forEachChunk(count: upper - lo, chunks: ParallelWork.threadCount) { _, range in
                        do {
                            for k in range {
                                let i = Int(originalsList[lo + k])
                                let (x, y) = try placement.place(i)
                                xo[i] = x; yo[i] = y
                            }
                        } catch { errors.set(error) }
                    }
                    if let e = errors.error { throw e }
                    done = upper
                    progress?(done)
                }
            }
        }

        // 3 (locations). Near repeats in event order: a parent (original or earlier repeat) is placed first.
        for i32 in repeats {
            let i = Int(i32), j = Int(parent[i])
            var r = Xoshiro256StarStar(seed: seed, stream: 2, index: UInt64(i))
            let poly = Int32(cellPolygon[Int(cellOf[i])])
            xs[i] = xs[j]; ys[i] = ys[j]
            for _ in 0..<offsetTries {
                let (g1, g2) = r.gaussianPair()
                let x = xs[j] + sigmaR * g1, y = ys[j] + sigmaR * g2
                if try locator.locate(x: x, y: y) == poly { xs[i] = x; ys[i] = y; break }
            }
        }
        if !repeats.isEmpty { progress?(n) }

        // 6. Sort by time, ids, inverse projection in one batch.
        let order = (0..<n).sorted { a, b in time[a] != time[b] ? time[a] < time[b] : a < b }
        var lon = order.map { xs[$0] }, lat = order.map { ys[$0] }
        if n > 0 { try Projection.transformParallel(from: upz.crs, to: WorkingCRS.geographic, x: &lon, y: &lat) }
        let width = max(7, String(n).count)
        var incidents: [SyntheticIncident] = []
        incidents.reserveCapacity(n)
        var cellCounts = [Int](repeating: 0, count: weights.count)
        let prefix = Array((p.runID + "-").utf8)
        var idBytes: [UInt8] = []
        idBytes.reserveCapacity(prefix.count + width)
        for (k, i) in order.enumerated() {
            let cell = Int(cellOf[i])
            cellCounts[cell] += 1
            idBytes.removeAll(keepingCapacity: true)
            idBytes.append(contentsOf: prefix)
            CivilTime.appendPadded(k + 1, width: width, to: &idBytes)
            incidents.append(SyntheticIncident(
                id: String(decoding: idBytes, as: UTF8.self), time: time[i],
                category: calibration.categories[Int(cellCategory[cell])],
                upz: calibration.upzCodes[Int(cellRow[cell])],
                x: xs[i], y: ys[i], lon: lon[k], lat: lat[k], isRepeat: parent[i] >= 0))
        }
        var byUPZ: [String: Int] = [:], byCategory: [String: Int] = [:]
        for (cell, k) in cellCounts.enumerated() where k > 0 {
            byUPZ[calibration.upzCodes[Int(cellRow[cell])], default: 0] += k
            byCategory[calibration.categories[Int(cellCategory[cell])], default: 0] += k
        }
        return SimulationResult(incidents: incidents, parameters: p, calibration: calibration,
                                countsByUPZ: byUPZ, countsByCategory: byCategory,
                                unmatchedUPZ: unmatched, attractorSources: attractorSources)
    }
}

/// Step 4 of `Simulator`: where an original event lies. Immutable, so the placement workers share it.
struct OriginalPlacement: Sendable {
    let locator: PolygonLocator
    let envelopes: [Envelope]
    let upzIds: [String]
    let cellPolygon: [Int32]
    /// Attractors per polygon (CSR layout).
    let attractorStart: [Int]
    let attractorX: [Double], attractorY: [Double]
    let cellOf: [Int32]
    let nearAttractor: [Bool]
    let sigma: Double
    let seed: UInt64

    func uniformPoint(_ poly: Int, _ rng: inout Xoshiro256StarStar) throws -> (Double, Double) {
        let e = envelopes[poly]
        for _ in 0..<Simulator.uniformTries {
            let x = e.minX + rng.uniform() * e.width, y = e.minY + rng.uniform() * e.height
            if try locator.locate(x: x, y: y) == Int32(poly) { return (x, y) }
        }
        throw SimulationError.samplingFailed(upz: upzIds[poly], attempts: Simulator.uniformTries)
    }

    func place(_ i: Int) throws -> (Double, Double) {
        var r = Xoshiro256StarStar(seed: seed, stream: 1, index: UInt64(i))
        let poly = Int(cellPolygon[Int(cellOf[i])])
        let a0 = attractorStart[poly], na = attractorStart[poly + 1] - a0
        if nearAttractor[i], na > 0 {
            let k = a0 + Int(r.below(UInt64(na)))
            for _ in 0..<Simulator.offsetTries {
                let (g1, g2) = r.gaussianPair()
                let x = attractorX[k] + sigma * g1, y = attractorY[k] + sigma * g2
                if try locator.locate(x: x, y: y) == Int32(poly) { return (x, y) }
            }
        }
        return try uniformPoint(poly, &r)
    }
}
