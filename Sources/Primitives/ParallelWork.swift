import Dispatch
import Foundation
import Synchronization

/// Splitting bulk work over the machine's cores: the one parallel loop of the package.
///
/// The bodies are `@Sendable`, so the compiler checks that workers share nothing mutable by accident:
/// a worker captures immutable values, its own slice of a `SharedBuffer`, `SharedReads` or
/// `DisjointWrites` (whose rules are stated once, below), or a lock (`ErrorBox`, `Mutex`).
/// Both loops return only after every call of `body` has returned.
public enum ParallelWork {
    public static var threadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Calls `body(i)` for every `i` in `0..<iterations`, concurrently when `iterations > 1`
    /// (nothing when `iterations <= 0`).
    @inlinable
    public static func forEach(_ iterations: Int, _ body: @Sendable (Int) -> Void) {
        if iterations <= 1 {
            if iterations == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }

    /// Calls `body(chunkIndex, range)` for `min(chunks, count)` (at least 1) contiguous ranges of `0..<count`,
    /// concurrently; chunk `c` is `count·c/k ..< count·(c+1)/k`.
    public static func forEachChunk(count: Int, chunks: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
        let k = max(1, min(chunks, count))
        if k == 1 { body(0, 0..<count); return }
        DispatchQueue.concurrentPerform(iterations: k) { c in
            let lo = count * c / k, hi = count * (c + 1) / k
            body(c, lo..<hi)
        }
    }
}

/// The first error thrown by any of several concurrent workers.
public final class ErrorBox: Sendable {
    private let first = Mutex<(any Error)?>(nil)
    public init() {}
    /// The first error recorded (read it after the loop has returned).
    public var error: (any Error)? { first.withLock { $0 } }
    public func set(_ e: any Error) { first.withLock { if $0 == nil { $0 = e } } }
}

// The three types below are how parallel workers share memory without a lock in their inner loops.
// They are `@unchecked Sendable` for one reason, stated here once and relied on at every use:
//   1. the memory outlives the parallel loop: it is owned by the `SharedBuffer`, or borrowed from a
//      `withUnsafe…BufferPointer` call that encloses the `ParallelWork` call, and `ParallelWork` returns
//      only after every worker has returned;
//   2. during the loop every element is either only read, or written by exactly one worker and read by
//      no other worker (each worker owns disjoint indexes: its chunk, its band of rows, its slot);
//   3. the elements are themselves `Sendable`, so handing them from a worker to the caller is safe.
// The caller reads the results after the loop has returned (concurrentPerform's return is the barrier).

/// A fixed-size buffer that concurrent workers write at disjoint indexes (rules above).
/// (A class holding a Swift array would trip the runtime's exclusivity checks.)
public final class SharedBuffer<T>: @unchecked Sendable where T: Sendable {
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

/// Borrowed memory that every worker of a parallel loop may read and none writes (rules above).
@frozen
public struct SharedReads<T: Sendable>: @unchecked Sendable {
    public let buffer: UnsafeBufferPointer<T>
    @inlinable public init(_ buffer: UnsafeBufferPointer<T>) { self.buffer = buffer }
    @inlinable public init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = UnsafeBufferPointer(buffer) }
    @inlinable public var base: UnsafePointer<T> { buffer.baseAddress! }
    @inlinable public subscript(i: Int) -> T { buffer[i] }
}

/// Borrowed memory that the workers of a parallel loop write at disjoint indexes (rules above).
@frozen
public struct DisjointWrites<T: Sendable>: @unchecked Sendable {
    public let buffer: UnsafeMutableBufferPointer<T>
    @inlinable public init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
    @inlinable public var base: UnsafeMutablePointer<T> { buffer.baseAddress! }
    @inlinable public subscript(i: Int) -> T {
        get { buffer[i] }
        nonmutating set { buffer[i] = newValue }
    }
}
