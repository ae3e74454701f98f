import Dispatch
import Foundation

/// Splitting bulk work over the machine's cores.
public enum ParallelWork {
    public static var threadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Calls `body(chunkIndex, range)` for `chunks` contiguous ranges of `0..<count`, concurrently.
    public static func forEachChunk(count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        let k = max(1, min(chunks, count))
        if k == 1 { body(0, 0..<count); return }
        DispatchQueue.concurrentPerform(iterations: k) { c in
            let lo = count * c / k, hi = count * (c + 1) / k
            body(c, lo..<hi)
        }
    }
}

/// The first error thrown by any of several concurrent workers.
public final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var error: Error?
    public init() {}
    public func set(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
}

/// A fixed-size buffer that concurrent workers write at disjoint indexes.
/// (A class holding a Swift array would trip the runtime's exclusivity checks.)
public final class SharedBuffer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public let count: Int

    public init(copying array: [T]) {
        count = array.count
        base = .allocate(capacity: max(count, 1))
        array.withUnsafeBufferPointer { base.initialize(from: $0.baseAddress!, count: count) }
    }

    public init(repeating value: T, count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    deinit { base.deinitialize(count: count); base.deallocate() }

    public subscript(i: Int) -> T {
        get { base[i] }
        set { base[i] = newValue }
    }

    public func toArray() -> [T] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
