import CRuntime
import Dispatch
import Foundation

/// Runs `body` for 0..<count, on one thread or, when `threads` > 1, on at most `threads` of Dispatch's workers,
/// each taking the next index as it comes free (so unequal items balance). Each index runs once, and `body`
/// writes only its own results, so the outcome does not depend on the threads.
func concurrentForEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
    let workers = min(threads, count)
    guard workers > 1 else {
        for k in 0..<count { body(k) }
        return
    }
    let next = IndexDispenser()
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while let k = next.take(below: count) { body(k) }
    }
}

/// Runs `body` for 0..<count on at most `threads` threads of the runtime's pool (`rt_parallel_for`,
/// Sources/CRuntime): the caller and workers that poll for up to 10 ms after each region before they sleep, so
/// a run of short parallel phases (a layer's products and row-wise kernels) does not wait for threads to wake.
/// Each index runs once, taken by whichever thread comes free; a call from inside a region runs serially.
func runtimeForEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
    guard min(threads, count) > 1 else {
        for k in 0..<count { body(k) }
        return
    }
    withoutActuallyEscaping(body) { escapable in
        var task = escapable
        withUnsafeMutablePointer(to: &task) { pointer in
            rt_parallel_for(Int32(count), Int32(threads), { context, index in
                context!.assumingMemoryBound(to: (@Sendable (Int) -> Void).self).pointee(Int(index))
            }, pointer)
        }
    }
}

/// Hands out 0, 1, 2, … to whichever worker asks first.
private final class IndexDispenser: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < count else { return nil }
        value += 1
        return value - 1
    }
}

/// A pointer handed to worker threads that each read shared inputs or write their own elements.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
    init(_ pointer: UnsafePointer<T>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}
