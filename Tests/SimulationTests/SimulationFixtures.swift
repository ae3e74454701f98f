import Foundation
import SpatialCore
import TestSupport
@testable import Simulation

/// The real layers and the SDSCJ table, loaded once per test process.
enum SimFixtures {
    static let tablePath: String = try! TestLayers.catalog.resolveFile("incidents/bogota_delitos_alto_impacto_upz_2018_2021.csv")

    static let table: CalibrationTable = try! CalibrationTable.load(path: tablePath, years: [2018, 2019, 2020, 2021])
    static var upz: PolygonLayer { TestLayers.polygons("upz") }
    static var locator: PolygonLocator { TestLayers.locator("upz") }
    static let attractors: [PointLayer] = ["transmilenio_estaciones", "parques_escenarios_idrd"].map { TestLayers.points($0) }

    static let year2021 = (SimulationParameters.day("2021-01-01")!, SimulationParameters.day("2022-01-01")!)

    static func params(count: Int, seed: UInt64) -> SimulationParameters {
        SimulationParameters(count: count, startDay: year2021.0, endDay: year2021.1, seed: seed)
    }

    static func run(_ p: SimulationParameters) -> SimulationResult {
        try! Simulator.run(p, calibration: table, upz: upz, attractors: attractors, locator: locator)
    }

    /// N = 50,000 with the default model, seed 2024 (shared by several tests).
    static let big: SimulationResult = run(params(count: 50_000, seed: 2024))

    /// Share of events with another event of the same category within `metres` and `days`.
    static func clusteredShare(_ events: [SyntheticIncident], metres: Double = 100, days: Double = 7) -> Double {
        let window = Int64(days * 86_400), r2 = metres * metres
        var byCategory: [String: [Int]] = [:]
        for (i, e) in events.enumerated() { byCategory[e.category, default: []].append(i) }
        var marked = [Bool](repeating: false, count: events.count)
        for (_, idx) in byCategory {
            let s = idx.sorted { events[$0].time < events[$1].time }
            for a in 0..<s.count {
                let ea = events[s[a]]
                var b = a + 1
                while b < s.count, events[s[b]].time - ea.time <= window {
                    let eb = events[s[b]]
                    let dx = ea.x - eb.x, dy = ea.y - eb.y
                    if dx * dx + dy * dy <= r2 { marked[s[a]] = true; marked[s[b]] = true }
                    b += 1
                }
            }
        }
        return Double(marked.filter { $0 }.count) / Double(max(1, events.count))
    }
}
