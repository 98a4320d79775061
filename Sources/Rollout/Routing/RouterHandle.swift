import Synchronization

/// The router a service routes with now, replaced while requests are in flight.
///
/// Requests take the current router (one lock held for a pointer copy, a few nanoseconds) and
/// route with that snapshot; ``publish(_:)`` swaps in the next one, built and checked before the
/// swap, so a reconfiguration never makes a request wait for it and never half-applies.
public final class RouterHandle: Sendable {
    private final class Box: Sendable {
        let router: Router
        init(_ router: Router) { self.router = router }
    }

    private let current: Mutex<Box>

    /// A handle that starts with `router`.
    public init(_ router: Router) { current = Mutex(Box(router)) }

    /// The router to route this request with.
    public var router: Router { current.withLock { $0 }.router }

    /// Makes `router` the one new requests use; requests already holding the old one finish with it.
    public func publish(_ router: Router) {
        let box = Box(router)
        current.withLock { $0 = box }
    }
}
