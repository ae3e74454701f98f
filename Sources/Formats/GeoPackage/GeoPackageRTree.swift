import SQLite
/// Bulk loading of an SQLite `rtree(id, minx, maxx, miny, maxy)` virtual table.
///
/// Inserting rows one by one through the rtree module costs ~15 µs each (R*-tree splits and
/// reinsertions): 15 s or more for a million points. Instead the entries are sorted along a Hilbert
/// curve, packed bottom-up into full nodes, and written straight into the module's shadow tables, in
/// the on-disk format of SQLite's rtree.c:
///
/// - `<name>_node(nodeno INTEGER PRIMARY KEY, data)`: one blob of `nodeSize` bytes per node: a
///   big-endian 16-bit tree depth (root only, leaves are depth 0), a 16-bit cell count, then cells of
///   a 64-bit id (a row id in a leaf, a child node number above) and the box as four 32-bit floats
///   (minx, maxx, miny, maxy), all big-endian. The root is node 1.
/// - `<name>_parent(nodeno INTEGER PRIMARY KEY, parentnode)`: every non-root node's parent.
/// - `<name>_rowid(rowid INTEGER PRIMARY KEY, nodeno)`: every entry's leaf.
///
/// Boxes are rounded outward to 32-bit floats, as the module does. `rtreecheck()` validates the result.
/// When shadow tables cannot be written (SQLITE_DBCONFIG_DEFENSIVE), `load` falls back to inserting rows.
struct GeoPackageRTreeLoader {
    var ids: [Int64] = []
    /// minx, maxx, miny, maxy per entry, rounded outward.
    var boxes: [Float] = []

    /// rtree.c: at most RTREE_MAXCELLS = 51 cells of 24 bytes (2 dimensions) after the 4-byte header;
    /// the node size is that of the root blob written by CREATE VIRTUAL TABLE (1,228 bytes on 4 KiB pages).
    static let maxCellsLimit = 51
    static let cellBytes = 24
    /// Rows per multi-row insert into `_rowid` (2 parameters each: well under SQLite's 999 minimum limit).
    static let rowidBatch = 256

    mutating func reserve(_ n: Int) { ids.reserveCapacity(n); boxes.reserveCapacity(4 * n) }

    mutating func append(id: Int64, minX: Double, maxX: Double, minY: Double, maxY: Double) {
        ids.append(id)
        boxes.append(Self.down(minX)); boxes.append(Self.up(maxX))
        boxes.append(Self.down(minY)); boxes.append(Self.up(maxY))
    }

    @inline(__always) static func down(_ d: Double) -> Float { let f = Float(d); return Double(f) > d ? f.nextDown : f }
    @inline(__always) static func up(_ d: Double) -> Float { let f = Float(d); return Double(f) < d ? f.nextUp : f }

    /// Fills the empty rtree `name` (just created) with the entries (distinct ids). Returns false when
    /// the shadow tables could not be written and the entries were inserted one by one instead.
    @discardableResult
    func load(into db: Database, name: String) throws -> Bool {
        guard !ids.isEmpty else { return true }
        try db.execute("SAVEPOINT gpkg_rtree_bulk")
        do {
            try bulkLoad(db, name: name)
            try db.execute("RELEASE gpkg_rtree_bulk")
            return true
        } catch {
            try db.execute("ROLLBACK TO gpkg_rtree_bulk; RELEASE gpkg_rtree_bulk")
            let insert = try db.prepare("INSERT INTO \"\(name)\" (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)")
            for (k, id) in ids.enumerated() {
                try insert.bind(1, id)
                for c in 0..<4 { try insert.bind(Int32(c + 2), Double(boxes[4 * k + c])) }
                try insert.step()
            }
            return false
        }
    }

    /// Entry order along a Hilbert curve over the extent (65,536 cells a side) of the box centres.
    func hilbertOrder() -> [Int] {
        let n = ids.count
        var minX = Float.infinity, minY = Float.infinity, maxX = -Float.infinity, maxY = -Float.infinity
        for k in 0..<n {
            minX = min(minX, boxes[4 * k]); maxX = max(maxX, boxes[4 * k + 1])
            minY = min(minY, boxes[4 * k + 2]); maxY = max(maxY, boxes[4 * k + 3])
        }
        let sx = maxX > minX ? 65535 / (Double(maxX) - Double(minX)) : 0
        let sy = maxY > minY ? 65535 / (Double(maxY) - Double(minY)) : 0
        var keys = [UInt64](repeating: 0, count: n)
        for k in 0..<n {
            let cx = (Double(boxes[4 * k]) + Double(boxes[4 * k + 1])) / 2
            let cy = (Double(boxes[4 * k + 2]) + Double(boxes[4 * k + 3])) / 2
            let hx = UInt32(min(65535, max(0, ((cx - Double(minX)) * sx).rounded())))
            let hy = UInt32(min(65535, max(0, ((cy - Double(minY)) * sy).rounded())))
            keys[k] = Self.hilbert(hx, hy) << 32 | UInt64(k)
        }
        keys.sort()
        return keys.map { Int($0 & 0xFFFF_FFFF) }
    }

    /// Distance of (x, y) along the Hilbert curve of order 16.
    static func hilbert(_ x: UInt32, _ y: UInt32) -> UInt64 {
        var x = x, y = y, d: UInt64 = 0
        var s: UInt32 = 1 << 15
        while s > 0 {
            let rx: UInt32 = x & s != 0 ? 1 : 0
            let ry: UInt32 = y & s != 0 ? 1 : 0
            d += UInt64(s) * UInt64(s) * UInt64((3 * rx) ^ ry)
            if ry == 0 {
                if rx == 1 { x = 65535 - x; y = 65535 - y }
                swap(&x, &y)
            }
            s >>= 1
        }
        return d
    }

    private func bulkLoad(_ db: Database, name: String) throws {
        let order = hilbertOrder()
        // Current level: (id or node number, box).
        var level: [(id: Int64, box: (Float, Float, Float, Float))] = order.map { k in
            (ids[k], (boxes[4 * k], boxes[4 * k + 1], boxes[4 * k + 2], boxes[4 * k + 3]))
        }
        // Leaf of each entry (in Hilbert order), written to _rowid afterwards in id order: appends
        // to its B-tree instead of random insertions.
        var leafOf = [Int64](repeating: 0, count: order.count)
        guard let size = try db.scalarInt("SELECT length(data) FROM \"\(name)_node\" WHERE nodeno = 1"),
              (size - 4) / Int64(Self.cellBytes) >= 4 else {
            throw GeoPackageError.invalidInput(reason: "unexpected rtree root node")
        }
        let nodeSize = Int(size)
        let maxCells = min(Self.maxCellsLimit, (nodeSize - 4) / Self.cellBytes)
        let insertNode = try db.prepare("INSERT OR REPLACE INTO \"\(name)_node\" (nodeno, data) VALUES (?, ?)")
        let insertParent = try db.prepare("INSERT INTO \"\(name)_parent\" (nodeno, parentnode) VALUES (?, ?)")
        let insertRowid = try db.prepare("INSERT INTO \"\(name)_rowid\" (rowid, nodeno) VALUES (?, ?)")
        let insertRowids = try db.prepare("INSERT INTO \"\(name)_rowid\" (rowid, nodeno) VALUES "
            + Array(repeating: "(?, ?)", count: Self.rowidBatch).joined(separator: ", "))
        var nextNode: Int64 = 2
        var depth = 0
        var blob = [UInt8](repeating: 0, count: nodeSize)
        while true {
            let count = level.count
            let isRoot = count <= maxCells
            let nodes = isRoot ? 1 : (count + maxCells - 1) / maxCells
            var upper: [(id: Int64, box: (Float, Float, Float, Float))] = []
            upper.reserveCapacity(nodes)
            for j in 0..<nodes {
                // Even distribution: every node holds ⌊count/nodes⌋ or ⌈count/nodes⌉ cells.
                let lo = j * count / nodes, hi = (j + 1) * count / nodes
                let nodeNo: Int64
                if isRoot { nodeNo = 1 } else { nodeNo = nextNode; nextNode += 1 }
                for i in 0..<nodeSize { blob[i] = 0 }
                if isRoot { Self.put16(UInt16(depth), &blob, 0) }
                Self.put16(UInt16(hi - lo), &blob, 2)
                var b = (Float.infinity, -Float.infinity, Float.infinity, -Float.infinity)
                for (c, item) in level[lo..<hi].enumerated() {
                    let at = 4 + c * Self.cellBytes
                    Self.put64(UInt64(bitPattern: item.id), &blob, at)
                    Self.put32(item.box.0.bitPattern, &blob, at + 8)
                    Self.put32(item.box.1.bitPattern, &blob, at + 12)
                    Self.put32(item.box.2.bitPattern, &blob, at + 16)
                    Self.put32(item.box.3.bitPattern, &blob, at + 20)
                    b = (min(b.0, item.box.0), max(b.1, item.box.1), min(b.2, item.box.2), max(b.3, item.box.3))
                    if depth == 0 {
                        leafOf[lo + c] = nodeNo
                    } else {
                        try insertParent.bind(1, item.id); try insertParent.bind(2, nodeNo)
                        try insertParent.step()
                    }
                }
                try insertNode.bind(1, nodeNo)
                try insertNode.bind(2, blob: blob)
                try insertNode.step()
                upper.append((nodeNo, b))
            }
            if depth == 0 {
                var byEntry = [Int64](repeating: 0, count: order.count)
                for (position, k) in order.enumerated() { byEntry[k] = leafOf[position] }
                let ascending = zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }  // always, from the writer
                let sorted = ascending ? Array(ids.indices) : ids.indices.sorted(by: { ids[$0] < ids[$1] })
                // Multi-row VALUES: a quarter of the per-statement cost of single-row inserts.
                var start = 0
                while start < sorted.count {
                    let chunk = sorted[start..<min(start + Self.rowidBatch, sorted.count)]
                    let statement = chunk.count == Self.rowidBatch ? insertRowids : insertRowid
                    var param: Int32 = 1
                    for k in chunk {
                        try statement.bind(param, ids[k]); try statement.bind(param + 1, byEntry[k])
                        param += 2
                        if statement === insertRowid { try statement.step(); param = 1 }
                    }
                    if statement === insertRowids { try statement.step() }
                    start += chunk.count
                }
            }
            if isRoot { return }
            level = upper
            depth += 1
        }
    }

    @inline(__always) static func put16(_ v: UInt16, _ b: inout [UInt8], _ at: Int) {
        b[at] = UInt8(v >> 8); b[at + 1] = UInt8(v & 0xFF)
    }
    @inline(__always) static func put32(_ v: UInt32, _ b: inout [UInt8], _ at: Int) {
        for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (24 - 8 * i)) }
    }
    @inline(__always) static func put64(_ v: UInt64, _ b: inout [UInt8], _ at: Int) {
        for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> UInt64(56 - 8 * i)) }
    }
}
