import Dispatch

/// Runs `body` for 0..<count, on one thread or, when `threads` > 1, on Dispatch's workers (which take the
/// indices as they come free, so unequal items balance); each index runs once, and `body` writes only its own
/// results, so the outcome does not depend on the threads.
func forEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
    if threads <= 1 || count <= 1 {
        for k in 0..<count { body(k) }
    } else {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}

/// A pointer handed to worker threads that each read shared inputs or write their own elements.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
    init(_ pointer: UnsafePointer<T>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}
