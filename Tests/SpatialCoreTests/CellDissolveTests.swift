import Foundation
import Primitives
import Testing
@testable import SpatialCore
import TestSupport

/// Cells dissolved into polygons must be exact for any cell size: one polygon per 4-connected set of
/// cells, equal to the union of its cells, and no two polygons sharing a piece of boundary.
@Suite struct CellDissolveTests {
    /// The issue's cell sizes (the ArcGIS rule on the default and a regional study area, a user's 84.95 m)
    /// and whole ones. Origins are realistic EPSG:9377 values aligned to the cell size.
    static let sizes: [Double] = [105.14803141203, 293.4912345678, 84.95, 100, 250, 1]

    struct Grid {
        let columns: Int, rows: Int
        var selected: [Bool]
        init(_ columns: Int, _ rows: Int) { self.columns = columns; self.rows = rows; selected = Array(repeating: false, count: columns * rows) }
        /// Rows given north first, as drawn: "#" selected.
        init(_ picture: [String]) {
            self.init(picture[0].count, picture.count)
            for (i, line) in picture.enumerated() {
                for (c, ch) in line.enumerated() where ch == "#" { selected[(rows - 1 - i) * columns + c] = true }
            }
        }
    }

    /// 4-connected components labelled independently (union–find): root per selected cell, −1 elsewhere.
    static func components(_ g: Grid) -> [Int] {
        var parent = Array(0..<(g.columns * g.rows))
        func find(_ a: Int) -> Int { var a = a; while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }; return a }
        for k in 0..<parent.count where g.selected[k] {
            let c = k % g.columns
            if c + 1 < g.columns, g.selected[k + 1] { parent[find(k)] = find(k + 1) }
            if k + g.columns < parent.count, g.selected[k + g.columns] { parent[find(k)] = find(k + g.columns) }
        }
        return (0..<parent.count).map { g.selected[$0] ? find($0) : -1 }
    }

    /// Holes of the component `root`: the 4-connected regions of the other cells that do not reach the
    /// grid's border (each is enclosed by the component, so each is one hole ring).
    static func holes(_ g: Grid, labels: [Int], root: Int) -> Int {
        var seen = [Bool](repeating: false, count: labels.count)
        var count = 0
        for start in 0..<labels.count where labels[start] != root && !seen[start] {
            var stack = [start], border = false
            seen[start] = true
            while let k = stack.popLast() {
                let c = k % g.columns, r = k / g.columns
                if c == 0 || r == 0 || c == g.columns - 1 || r == g.rows - 1 { border = true }
                for (n, ok) in [(k - 1, c > 0), (k + 1, c + 1 < g.columns), (k - g.columns, r > 0), (k + g.columns, r + 1 < g.rows)]
                where ok && labels[n] != root && !seen[n] { seen[n] = true; stack.append(n) }
            }
            if !border { count += 1 }
        }
        return count
    }

    /// Dissolves `g` at cell size `s` and checks every property against values computed from the cells.
    static func check(_ g: Grid, cellSize s: Double) throws {
        let ox = (4_870_000 / s).rounded(.down) * s, oy = (2_050_000 / s).rounded(.down) * s
        let parts = CellDissolve.dissolve(originX: ox, originY: oy, cellSize: s, columns: g.columns, rows: g.rows, selected: g.selected)
        let labels = components(g)
        let roots = Set(labels.filter { $0 >= 0 })
        #expect(parts.count == roots.count, "cell \(s): parts")
        #expect(parts.flatMap(\.cells).sorted() == (0..<g.selected.count).filter { g.selected[$0] }, "cell \(s): every cell once")
        for p in parts {
            let root = labels[p.cells[0]]
            #expect(p.cells == (0..<labels.count).filter { labels[$0] == root }, "cell \(s): a part is one component")
            #expect(p.shape.parts.count == 1 && p.shape.parts[0].holes.count == holes(g, labels: labels, root: root), "cell \(s): holes")
        }
        let ctx = GEOSContext()
        let geoms = try parts.map { try GEOSGeometry.polygonal($0.shape, context: ctx) }
        for (p, geom) in zip(parts, geoms) {
            #expect(p.shape.parts.count == 1)
            let validity = try geom.validity(), area = try geom.area()
            #expect(validity.valid, "cell \(s): \(validity.reason ?? "")")
            let cellsArea = Double(p.cells.count) * s * s
            #expect(abs(area - cellsArea) <= 1e-9 * cellsArea, "cell \(s): area \(area) vs \(cellsArea)")
        }
        // The polygon holds exactly its cells: every selected cell's centre in its own part, no other
        // cell's centre in any part (with the area check: polygon = union of its cells).
        let prepared = try geoms.map { try GEOSPreparedGeometry($0) }
        var owner = [Int](repeating: -1, count: g.selected.count)
        for (i, p) in parts.enumerated() { for k in p.cells { owner[k] = i } }
        for k in 0..<g.selected.count {
            let centre = try GEOSGeometry.point(x: ox + (Double(k % g.columns) + 0.5) * s, y: oy + (Double(k / g.columns) + 0.5) * s, context: ctx)
            for (i, pg) in prepared.enumerated() where try pg.contains(centre) != (owner[k] == i) {
                Issue.record("cell \(s): centre of cell \(k) \(owner[k] == i ? "outside" : "inside") part \(i)")
            }
        }
        // No two parts share a segment of boundary (touching at a corner is allowed).
        for i in geoms.indices {
            for j in geoms.indices where j > i {
                let shared = try geoms[i].boundary().intersection(geoms[j].boundary()).length()
                #expect(shared == 0, "cell \(s): parts \(i) and \(j) share \(shared) m of boundary")
            }
        }
    }

    /// A solid block taller than five rows: the defect cut it into strips at most five cells tall.
    @Test(arguments: sizes) func solidBlockIsOnePolygon(_ s: Double) throws {
        var g = Grid(40, 30)
        for r in 2..<27 { for c in 3..<31 { g.selected[r * 40 + c] = true } }
        try Self.check(g, cellSize: s)
        let parts = CellDissolve.dissolve(originX: 0, originY: 0, cellSize: s, columns: 40, rows: 30, selected: g.selected)
        #expect(parts.count == 1 && parts[0].shape.parts[0].exterior.count == 5)   // a rectangle: 4 corners + closing
    }

    @Test(arguments: sizes) func holesIslandsAndDiagonalContacts(_ s: Double) throws {
        // A ring whose hole holds an island (itself a ring with a hole); a "C" closed only by a corner
        // contact (one part whose hole touches its shell at that vertex); a diagonal staircase; an L.
        let g = Grid([
            "..................",
            ".#######..#####...",
            ".#.....#..#...#...",
            ".#.###.#..#...#...",
            ".#.#.#.#..#..#....",
            ".#.###.#..####....",
            ".#.....#........#.",
            ".#######.......#..",
            "..............#...",
            ".###.........#....",
            ".#................",
        ])
        try Self.check(g, cellSize: s)
        let labels = Self.components(g)
        #expect(Set(labels.filter { $0 >= 0 }).map { Self.holes(g, labels: labels, root: $0) }.reduce(0, +) == 3)   // the picture's own count
    }

    /// Two parts that touch at two corners, enclosing empty cells between them.
    @Test(arguments: sizes) func partsTouchingAtCornersStayApart(_ s: Double) throws {
        try Self.check(Grid([
            ".##..",
            "#..#.",
            "#..#.",
            ".##..",
        ]), cellSize: s)
        try Self.check(Grid([
            "#.#.#",
            ".#.#.",
            "#.#.#",
        ]), cellSize: s)
    }

    /// Random sets (density maps' top cells look like this at their edges), seeded.
    @Test(arguments: [105.14803141203, 293.4912345678, 84.95, 50])
    func randomSets(_ s: Double) throws {
        var rng = TestRandom(seed: UInt64(s * 1000))
        for density in [0.35, 0.55, 0.75] {
            var g = Grid(45, 33)
            for k in 0..<g.selected.count { g.selected[k] = Double(rng.next() >> 11) / Double(1 << 53) < density }
            try Self.check(g, cellSize: s)
        }
    }

    /// Neighbouring cell squares share their edges bit for bit (the gistar cells are written this way).
    @Test(arguments: sizes) func cellSquaresShareEdges(_ s: Double) {
        let ox = 4_870_000.0, oy = 2_050_000.0
        for (c, r) in [(0, 0), (7, 3), (311, 457)] {
            let a = CellDissolve.square(originX: ox, originY: oy, cellSize: s, column: c, row: r).parts[0].exterior
            let east = CellDissolve.square(originX: ox, originY: oy, cellSize: s, column: c + 1, row: r).parts[0].exterior
            let north = CellDissolve.square(originX: ox, originY: oy, cellSize: s, column: c, row: r + 1).parts[0].exterior
            #expect(a[1] == east[0] && a[2] == east[3])
            #expect(a[3] == north[0] && a[2] == north[1])
        }
    }
}
