import Foundation
import Primitives

/// Number of worker threads used by the parallel kernels (active processor count, at least 1).
/// Results never depend on it.
public let temporalWorkerCount: Int = ParallelWork.threadCount
