import Primitives
/// A two-level raster that answers "which polygon contains this point?" for most points without
/// any geometry test, and says "ambiguous" for points in cells that a boundary crosses.
///
/// Design: fine square cells of side `cellSize`, grouped in blocks of 16 × 16 cells. Polygon edges
/// are rasterised *conservatively* (every cell that an edge passes within `epsilon` of is marked
/// ambiguous). A cell no edge touches lies wholly on one side of every ring, so the even–odd
/// crossing count at its centre decides it for the whole cell — exactly, not approximately.
/// Blocks no boundary touches store a single value; only blocks with a boundary hold fine cells.
///
/// - Complexity: build O(E·L/cellSize + boundary blocks · 4096); lookup O(1).
struct CellRaster {
    static let blockBits = 4
    static let blockSide = 1 << blockBits            // 16 cells
    static let blockCells = blockSide * blockSide    // 256 cells

    // Fine cell values.
    static let unsetCell: UInt16 = 0xFFFF
    static let ambiguousCell: UInt16 = 0xFFFE
    static let maxPolygons = 0xFFFD

    // Block codes: ≥ 0 index of a fine block; −1 no polygon; ≤ −3 uniformly polygon (−3 − code).
    static let unsetBlock: Int32 = -1

    /// Lookup result: a polygon index, `outside`, or `ambiguous` (GEOS must decide).
    static let outside: Int32 = -1
    static let ambiguous: Int32 = -2

    let cellSize: Double
    let originX: Double, originY: Double
    let blocksX: Int, blocksY: Int
    /// What lookups read, frozen at the end of the build (or mapped from the layer cache).
    private(set) var tables: RasterTables
    // Build state, emptied into `tables` when the build ends.
    private var blocks: [Int32]
    private var fine: [UInt16] = []
    /// Polygons whose boundary or interior reaches each fine block: the candidates GEOS tests.
    private var candidates: [[Int32]] = []

    /// Margin that makes edge rasterisation conservative against rounding (metres).
    private let epsilon: Double

    var blockSize: Double { cellSize * Double(Self.blockSide) }
    var fineBlockCount: Int { tables.candidateStart.count - 1 }
    var memoryBytes: Int {
        tables.blocks.count * 4 + tables.fine.count * 2 + tables.candidateStart.count * 4 + tables.candidateList.count * 4
    }

    /// The polygons GEOS must test for a point in fine block `f` (from `lookup`).
    @inline(__always)
    func candidates(inFineBlock f: Int) -> UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(rebasing: tables.candidateList[Int(tables.candidateStart[f])..<Int(tables.candidateStart[f + 1])])
    }

    init(polygons: [Polygonal], cellSize: Double) {
        precondition(polygons.count <= Self.maxPolygons, "too many polygons for one raster")
        precondition(cellSize > 0)
        self.cellSize = cellSize
        epsilon = max(1e-6, cellSize * 1e-6)
        var extent = Envelope.empty
        for p in polygons { extent.expand(p.envelope) }
        let b = cellSize * Double(Self.blockSide)
        if extent.isEmpty { extent = Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0) }
        // One spare block on each side keeps conservative marks inside the raster.
        originX = (extent.minX / b).rounded(.down) * b - b
        originY = (extent.minY / b).rounded(.down) * b - b
        blocksX = Int(((extent.maxX - originX) / b).rounded(.up)) + 1
        blocksY = Int(((extent.maxY - originY) / b).rounded(.up)) + 1
        blocks = [Int32](repeating: Self.unsetBlock, count: blocksX * blocksY)
        tables = RasterTables()

        var touchStamp = [Int32](repeating: -1, count: blocks.count)
        for (index, polygon) in polygons.enumerated() {
            let p = Int32(index)
            var touchedByRow: [Int: [Int]] = [:]
            for ring in polygon.allRings where ring.count > 1 {
                for k in 0..<(ring.count - 1) {
                    markEdge(ring[k], ring[k + 1], polygon: p, touchStamp: &touchStamp, touchedByRow: &touchedByRow)
                }
            }
            fill(polygon, p: p, touchStamp: touchStamp, touchedByRow: touchedByRow)
        }
        var start: [UInt32] = [0], list: [Int32] = []
        for c in candidates { list += c; start.append(UInt32(list.count)) }
        tables = RasterTables(copying: blocks, fine, start, list)
        blocks = []; fine = []; candidates = []
    }

    // MARK: Persistent cache

    /// Writes the raster for `LayerCache` (read back by `decode`). Every table starts at a multiple
    /// of 8 bytes in the payload (all fields before it are 8 bytes), so `decode` can map it in place.
    func encode(_ w: inout CacheWriter) {
        w.f64(cellSize); w.f64(originX); w.f64(originY); w.f64(epsilon)
        w.int(blocksX); w.int(blocksY)
        w.table(tables.blocks); w.table(tables.fine); w.table(tables.candidateStart); w.table(tables.candidateList)
    }

    /// A raster `encode` wrote for `polygonCount` polygons, its tables read in place from the mapped
    /// cache file (no copy). Checked so that no lookup can go out of bounds whatever the bytes say.
    static func decode(_ r: inout CacheReader, mapping: MappedFile, polygonCount: Int) throws -> CellRaster {
        let cellSize = try r.f64(), originX = try r.f64(), originY = try r.f64(), epsilon = try r.f64()
        let blocksX = try r.int(), blocksY = try r.int()
        let blocks = try r.table(Int32.self), fine = try r.table(UInt16.self)
        let start = try r.table(UInt32.self), list = try r.table(Int32.self)
        let fineBlocks = start.count - 1
        guard cellSize > 0, originX.isFinite, originY.isFinite, blocksX > 0, blocksY > 0,
              blocksX.multipliedReportingOverflow(by: blocksY) == (blocks.count, false),
              fineBlocks >= 0, fine.count == fineBlocks * blockCells,
              start.first == 0, Int(start.last!) == list.count, RasterTables.isNonDecreasing(start),
              RasterTables.allBelow(list, polygonCount), RasterTables.validBlocks(blocks, fineBlocks: fineBlocks, polygons: polygonCount),
              RasterTables.validCells(fine, polygons: polygonCount)
        else { throw CacheReader.Corrupt() }
        return CellRaster(cellSize: cellSize, originX: originX, originY: originY, epsilon: epsilon, blocksX: blocksX, blocksY: blocksY,
                          tables: RasterTables(blocks: blocks, fine: fine, candidateStart: start, candidateList: list, owner: mapping))
    }

    private init(cellSize: Double, originX: Double, originY: Double, epsilon: Double, blocksX: Int, blocksY: Int, tables: RasterTables) {
        self.cellSize = cellSize; self.originX = originX; self.originY = originY; self.epsilon = epsilon
        self.blocksX = blocksX; self.blocksY = blocksY
        self.tables = tables
        blocks = []
    }

    // MARK: Lookup

    /// The polygon whose interior holds the cell of (x, y), `outside`, or `ambiguous`.
    /// `fineBlock` receives the fine block index when the answer is ambiguous.
    @inline(__always)
    func lookup(x: Double, y: Double, fineBlock: inout Int) -> Int32 {
        let fx = (x - originX) / cellSize, fy = (y - originY) / cellSize
        guard fx >= 0, fy >= 0, fx < Double(blocksX * Self.blockSide), fy < Double(blocksY * Self.blockSide) else {
            return Self.outside  // beyond every polygon's envelope (NaN fails too)
        }
        let col = Int(fx), row = Int(fy)
        let code = tables.blocks[(row >> Self.blockBits) * blocksX + (col >> Self.blockBits)]
        if code == Self.unsetBlock { return Self.outside }
        if code < 0 { return -3 - code }
        let v = tables.fine[Int(code) << (2 * Self.blockBits) | (row & (Self.blockSide - 1)) << Self.blockBits | (col & (Self.blockSide - 1))]
        if v == Self.unsetCell { return Self.outside }
        if v == Self.ambiguousCell { fineBlock = Int(code); return Self.ambiguous }
        return Int32(v)
    }

    // MARK: Build

    private mutating func fineBlock(_ b: Int) -> Int {
        let code = blocks[b]
        if code >= 0 { return Int(code) }
        let index = candidates.count
        if code == Self.unsetBlock {
            fine.append(contentsOf: repeatElement(Self.unsetCell, count: Self.blockCells))
            candidates.append([])
        } else {
            let q = -3 - code
            fine.append(contentsOf: repeatElement(UInt16(q), count: Self.blockCells))
            candidates.append([q])
        }
        blocks[b] = Int32(index)
        return index
    }

    private mutating func addCandidate(_ p: Int32, fineBlock f: Int) {
        if candidates[f].last != p && !candidates[f].contains(p) { candidates[f].append(p) }
    }

    /// Marks every fine cell that the segment a–b passes within `epsilon` of as ambiguous.
    private mutating func markEdge(_ a: Point, _ b: Point, polygon p: Int32,
                                   touchStamp: inout [Int32], touchedByRow: inout [Int: [Int]]) {
        let f = cellSize, e = epsilon
        let dy = b.y - a.y, dx = b.x - a.x
        let r0 = Int(((min(a.y, b.y) - e - originY) / f).rounded(.down))
        let r1 = Int(((max(a.y, b.y) + e - originY) / f).rounded(.down))
        for r in r0...r1 {
            var xlo: Double, xhi: Double
            if dy == 0 {
                xlo = min(a.x, b.x); xhi = max(a.x, b.x)
            } else {
                let y0 = originY + Double(r) * f - e, y1 = originY + Double(r + 1) * f + e
                var t0 = (y0 - a.y) / dy, t1 = (y1 - a.y) / dy
                if t0 > t1 { swap(&t0, &t1) }
                t0 = max(0, t0); t1 = min(1, t1)
                if t0 > t1 { continue }
                let xa = a.x + t0 * dx, xb = a.x + t1 * dx
                xlo = min(xa, xb); xhi = max(xa, xb)
            }
            let c0 = Int(((xlo - e - originX) / f).rounded(.down))
            let c1 = Int(((xhi + e - originX) / f).rounded(.down))
            let brow = r >> Self.blockBits
            let inRow = r & (Self.blockSide - 1)
            var c = c0
            while c <= c1 {
                let bcol = c >> Self.blockBits
                let b = brow * blocksX + bcol
                let fb = fineBlock(b)
                addCandidate(p, fineBlock: fb)
                if touchStamp[b] != p { touchStamp[b] = p; touchedByRow[brow, default: []].append(bcol) }
                let blockEnd = min(c1, (bcol << Self.blockBits) + Self.blockSide - 1)
                let base = fb << (2 * Self.blockBits) | inRow << Self.blockBits
                for cc in c...blockEnd { fine[base | (cc & (Self.blockSide - 1))] = Self.ambiguousCell }
                c = blockEnd + 1
            }
        }
    }

    /// Writes polygon p into cells and blocks whose centres are inside it (even–odd rule).
    private mutating func fill(_ polygon: Polygonal, p: Int32, touchStamp: [Int32], touchedByRow: [Int: [Int]]) {
        var sweep = ScanlineSweep(rings: polygon.allRings)
        guard let yRange = sweep.yRange else { return }
        let f = cellSize, bs = blockSize
        let firstBlockRow = max(0, Int(((yRange.lowerBound - originY) / bs).rounded(.down)))
        let lastBlockRow = min(blocksY - 1, Int(((yRange.upperBound - originY) / bs).rounded(.down)))
        guard firstBlockRow <= lastBlockRow else { return }
        for brow in firstBlockRow...lastBlockRow {
            let touchedCols = touchedByRow[brow]?.sorted() ?? []
            for k in 0..<Self.blockSide {
                // The block centre lies between fine rows side/2 − 1 and side/2: queries stay in increasing y.
                if k == Self.blockSide / 2 {
                    let y = originY + (Double(brow) + 0.5) * bs
                    let xs = sweep.crossings(atY: y)
                    var i = 0
                    while i + 1 < xs.count {
                        let c0 = max(0, Int(((xs[i] - originX) / bs - 0.5).rounded(.up)))
                        let c1 = min(blocksX, Int(((xs[i + 1] - originX) / bs - 0.5).rounded(.up)))
                        if c0 < c1 {
                            for bcol in c0..<c1 where touchStamp[brow * blocksX + bcol] != p {
                                fillBlock(brow * blocksX + bcol, p: p)
                            }
                        }
                        i += 2
                    }
                }
                guard !touchedCols.isEmpty else { continue }
                let row = brow << Self.blockBits | k
                let xs = sweep.crossings(atY: originY + (Double(row) + 0.5) * f)
                var i = 0
                while i + 1 < xs.count {
                    let g0 = Int(((xs[i] - originX) / f - 0.5).rounded(.up))
                    let g1 = Int(((xs[i + 1] - originX) / f - 0.5).rounded(.up))
                    i += 2
                    if g0 >= g1 { continue }
                    for bcol in touchedCols {
                        let lo = max(g0, bcol << Self.blockBits), hi = min(g1, (bcol + 1) << Self.blockBits)
                        if lo >= hi { continue }
                        let fb = Int(blocks[brow * blocksX + bcol])
                        let base = fb << (2 * Self.blockBits) | k << Self.blockBits
                        for g in lo..<hi { claim(&fine[base | (g & (Self.blockSide - 1))], p) }
                    }
                }
            }
        }
    }

    /// A block no edge of p touches whose centre is inside p: all of it is inside p.
    private mutating func fillBlock(_ b: Int, p: Int32) {
        let code = blocks[b]
        if code == Self.unsetBlock { blocks[b] = -3 - p; return }
        if code < 0 {
            // Overlap with an earlier polygon: every cell goes to GEOS.
            let q = -3 - code
            if q == p { return }
            let fb = fineBlock(b)
            let base = fb << (2 * Self.blockBits)
            for i in 0..<Self.blockCells { fine[base + i] = Self.ambiguousCell }
            addCandidate(p, fineBlock: fb)
            return
        }
        let fb = Int(code)
        addCandidate(p, fineBlock: fb)
        let base = fb << (2 * Self.blockBits)
        for i in 0..<Self.blockCells { claim(&fine[base + i], p) }
    }

    /// A cell inside p: unset → p; held by another polygon (overlap) → ambiguous.
    @inline(__always)
    private func claim(_ v: inout UInt16, _ p: Int32) {
        if v == Self.unsetCell { v = UInt16(p) } else if v != Self.ambiguousCell && v != UInt16(p) { v = Self.ambiguousCell }
    }
}

/// Crossings of a horizontal line with a set of rings, for queries in increasing y.
/// Half-open rule: an edge crosses y when min(y1, y2) ≤ y < max(y1, y2), so a vertex is counted once.
struct ScanlineSweep {
    private struct Edge { var x0, y0, slope, ymin, ymax: Double }
    private var edges: [Edge] = []
    private var next = 0
    private var active: [Int] = []
    private var scratch: [Double] = []

    init(rings: [Ring]) {
        for ring in rings where ring.count > 1 {
            for k in 0..<(ring.count - 1) {
                let a = ring[k], b = ring[k + 1]
                if a.y == b.y { continue }  // horizontal edges never cross
                edges.append(Edge(x0: a.x, y0: a.y, slope: (b.x - a.x) / (b.y - a.y), ymin: min(a.y, b.y), ymax: max(a.y, b.y)))
            }
        }
        edges.sort { $0.ymin < $1.ymin }
    }

    var yRange: ClosedRange<Double>? {
        guard !edges.isEmpty else { return nil }
        return edges[0].ymin...edges.map(\.ymax).max()!
    }

    /// Sorted x of the crossings at `y`; y must not decrease between calls.
    mutating func crossings(atY y: Double) -> [Double] {
        while next < edges.count && edges[next].ymin <= y { active.append(next); next += 1 }
        active.removeAll { edges[$0].ymax <= y }
        scratch.removeAll(keepingCapacity: true)
        for i in active {
            let e = edges[i]
            scratch.append(e.x0 + (y - e.y0) * e.slope)
        }
        scratch.sort()
        return scratch
    }
}

/// A raster's tables, read-only once made: copied into memory this process allocated at the end of
/// a build, or pointing into a layer-cache file mapped read-only (kept mapped while the tables live).
/// Candidate lists are CSR: the polygons of fine block f are `candidateList[candidateStart[f] ..<
/// candidateStart[f + 1]]`.
///
/// `@unchecked Sendable`: nothing is written after `init`, and the memory stays valid until `deinit`
/// (owned here, or by `owner`), so any number of threads may read it.
final class RasterTables: @unchecked Sendable {
    let blocks: UnsafeBufferPointer<Int32>
    let fine: UnsafeBufferPointer<UInt16>
    let candidateStart: UnsafeBufferPointer<UInt32>
    let candidateList: UnsafeBufferPointer<Int32>
    /// The mapping the tables point into; nil when they were allocated here.
    private let owner: AnyObject?

    /// Empty tables (a raster under construction).
    convenience init() { self.init(copying: [], [], [0], []) }

    init(copying blocks: [Int32], _ fine: [UInt16], _ start: [UInt32], _ list: [Int32]) {
        func copy<T>(_ a: [T]) -> UnsafeBufferPointer<T> {
            let m = UnsafeMutableBufferPointer<T>.allocate(capacity: max(a.count, 1))
            _ = m.initialize(from: a)
            return UnsafeBufferPointer(rebasing: UnsafeBufferPointer(m)[0..<a.count])
        }
        self.blocks = copy(blocks); self.fine = copy(fine); candidateStart = copy(start); candidateList = copy(list)
        owner = nil
    }

    init(blocks: UnsafeBufferPointer<Int32>, fine: UnsafeBufferPointer<UInt16>, candidateStart: UnsafeBufferPointer<UInt32>,
         candidateList: UnsafeBufferPointer<Int32>, owner: AnyObject) {
        self.blocks = blocks; self.fine = fine; self.candidateStart = candidateStart; self.candidateList = candidateList
        self.owner = owner
    }

    deinit {
        guard owner == nil else { return }
        for p in [UnsafeRawPointer(blocks.baseAddress), UnsafeRawPointer(fine.baseAddress),
                  UnsafeRawPointer(candidateStart.baseAddress), UnsafeRawPointer(candidateList.baseAddress)] {
            p.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        }
    }

    // Checks of tables read from a file, written as min/max reductions over the whole table
    // without branches or early exit so that the compiler vectorises them (a warm `assign` checks
    // some 50 MB of tables).

    static func isNonDecreasing(_ a: UnsafeBufferPointer<UInt32>) -> Bool {
        guard a.count > 1 else { return true }
        var drops: UInt32 = 0
        for k in 1..<a.count { drops |= a[k - 1] > a[k] ? 1 : 0 }
        return drops == 0
    }

    static func allBelow(_ a: UnsafeBufferPointer<Int32>, _ n: Int) -> Bool {
        var top: UInt32 = 0
        for v in a { top = max(top, UInt32(bitPattern: v)) }   // negative values wrap above any limit
        return a.isEmpty || Int(top) < n
    }

    /// Block codes: −1, a fine block index, or −3 − polygon (so never −2, and within both ends).
    static func validBlocks(_ a: UnsafeBufferPointer<Int32>, fineBlocks: Int, polygons: Int) -> Bool {
        var low = Int32.max, high = Int32.min, minusTwo: Int32 = 0
        for v in a { low = min(low, v); high = max(high, v); minusTwo |= v == -2 ? 1 : 0 }
        return a.isEmpty || (Int(high) < fineBlocks && Int(low) > -3 - polygons && minusTwo == 0)
    }

    /// Fine cells: a polygon index, `unsetCell` or `ambiguousCell`. Adding 2 (wrapping) sends those
    /// two to 1 and 0 and a polygon p to p + 2, so every cell is valid when the largest is < n + 2.
    static func validCells(_ a: UnsafeBufferPointer<UInt16>, polygons: Int) -> Bool {
        var top: UInt16 = 0
        for v in a { top = max(top, v &+ 2) }
        return a.isEmpty || Int(top) < polygons + 2
    }
}
