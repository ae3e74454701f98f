import Foundation
import SeededRandom

/// Number of worker threads used by the parallel kernels (active processor count, at least 1).
/// Results never depend on it.
public let temporalWorkerCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
