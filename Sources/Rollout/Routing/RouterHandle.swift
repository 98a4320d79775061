import Synchronization

/// The router a service routes with now, replaced while requests are in flight.
///
/// Reading the current router is one atomic load: no lock, no reference-count traffic, no
/// allocation, so routing through a handle costs about what routing with a ``Router`` does.
/// ``publish(_:)`` swaps in the next router, built and checked before the swap, so a
/// reconfiguration never makes a request wait and never half-applies; a request that already
/// took the old router finishes with it.
///
/// Every router published is kept until the handle is released: a reader may still be using an
/// old one, and keeping them is what makes reads free of locks and reference counting. A rollout
/// publishes a handful (one per step), each about 10 KB.
public final class RouterHandle: Sendable {
    private final class Box: Sendable {
        let router: Router
        init(_ router: Router) { self.router = router }
    }

    /// The current box, as an unretained pointer into ``published``.
    private let current: Atomic<UInt>
    /// Every box ever published: keeps them alive for readers.
    private let published: Mutex<[Box]>

    /// A handle that starts with `router`.
    public init(_ router: Router) {
        let box = Box(router)
        published = Mutex([box])
        current = Atomic(UInt(bitPattern: Unmanaged.passUnretained(box).toOpaque()))
    }

    private func withCurrent<T>(_ body: (Router) -> T) -> T {
        let bits = current.load(ordering: .acquiring)
        // The box is kept alive by `published` for the handle's life.
        guard let pointer = UnsafeRawPointer(bitPattern: bits) else { return published.withLock { body($0[$0.count - 1].router) } }
        return Unmanaged<Box>.fromOpaque(pointer)._withUnsafeGuaranteedRef { body($0.router) }
    }

    /// The router to route this request with.
    public var router: Router { withCurrent { $0 } }

    /// The variant index for `unit` under the current router: one atomic load, no lock, no allocation.
    public func variantIndex(for unit: String) -> Int { withCurrent { $0.variantIndex(for: unit) } }

    /// The variant index for `unit` under the current router, after its targeting rules.
    public func variantIndex(for unit: String, attributes: [String: String]) -> Int {
        withCurrent { $0.variantIndex(for: unit, attributes: attributes) }
    }

    /// Makes `router` the one new requests use; requests already holding the old one finish with it.
    public func publish(_ router: Router) {
        let box = Box(router)
        published.withLock { boxes in
            boxes.append(box)
            current.store(UInt(bitPattern: Unmanaged.passUnretained(box).toOpaque()), ordering: .releasing)
        }
    }
}
