import Synchronization

/// One push waiting for its group: the batch and the pure plan to run on its snapshot.
public struct PendingPush: Sendable {
    public let input: PushInput
    public let plan: @Sendable (PushSnapshot) throws -> PushPlan

    public init(input: PushInput, plan: @escaping @Sendable (PushSnapshot) throws -> PushPlan) {
        self.input = input
        self.plan = plan
    }
}

/// Group commit: the pushes that wait while one group is being written go to the store
/// together, as the next group, in one transaction (one fsync for all of them).
///
/// No task of its own: the first push to arrive at an idle queue leads, writing the group it
/// finds (its own included); when that group is answered and more pushes wait, the first of
/// them is woken to lead the next group. So a push waits for at most the group in progress
/// and its own, and every push is answered only after the commit of the group that holds it.
///
/// Concurrency: the queue's state (waiting tickets, whether a group is in progress) is behind
/// one mutex; at most one group is in progress per queue, and the store serializes or locks
/// whatever several queues (several engines or instances) write at once.
public final class PushQueue: Sendable {
    /// A group closes at this many changes (the first push is always taken, whatever its size):
    /// a bound on how long the pushes of the next group wait for this one.
    public let maxChangesPerGroup: Int
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var waiting: [Ticket] = []
        var busy = false
        var groups = 0
        var pushes = 0
    }

    /// Pushes waiting for a group (not those of the group being written).
    public var queued: Int { state.withLock { $0.waiting.count } }

    /// Groups written so far, and the pushes they held: pushes per group is how much the queue
    /// saves (one transaction and one fsync per group).
    public var written: (groups: Int, pushes: Int) { state.withLock { ($0.groups, $0.pushes) } }

    public init(maxChangesPerGroup: Int = 2_000) {
        self.maxChangesPerGroup = maxChangesPerGroup
    }

    /// Applies `push` in the next group written to `store`; returns once that group committed.
    public func push(_ push: PendingPush, to store: any SyncStore) async throws -> PushResult {
        let ticket = Ticket(push)
        let leads = state.withLock { s in
            s.waiting.append(ticket)
            if s.busy { return false }
            s.busy = true
            return true
        }
        if leads { await commitNextGroup(store) }
        while true {
            switch await ticket.next() {
            case .done(let result): return try result.get()
            case .lead: await commitNextGroup(store)
            }
        }
    }

    /// Takes the waiting pushes up to the group's size, writes them, answers each, and hands
    /// the lead to the first push still waiting (or leaves the queue idle).
    private func commitNextGroup(_ store: any SyncStore) async {
        let group = state.withLock { s in
            var changes = 0
            var taken = 0
            for ticket in s.waiting {
                let n = ticket.push.input.changes.count
                if taken > 0 && changes + n > maxChangesPerGroup { break }
                changes += n
                taken += 1
            }
            let group = Array(s.waiting.prefix(taken))
            s.waiting.removeFirst(taken)
            s.groups += 1
            s.pushes += taken
            return group
        }
        let results = await store.push(group.map(\.push))
        for (ticket, result) in zip(group, results) { ticket.signal(.done(result)) }
        let next = state.withLock { s -> Ticket? in
            guard let first = s.waiting.first else {
                s.busy = false
                return nil
            }
            return first
        }
        next?.signal(.lead)
    }
}

/// A push in the queue and what it is told: lead a group, or its own result.
private final class Ticket: Sendable {
    enum Signal: Sendable {
        case lead
        case done(Result<PushResult, any Error>)
    }

    let push: PendingPush
    private let box = Mutex<(signals: [Signal], waiter: CheckedContinuation<Signal, Never>?)>(([], nil))

    init(_ push: PendingPush) { self.push = push }

    func signal(_ signal: Signal) {
        let waiter = box.withLock { b -> CheckedContinuation<Signal, Never>? in
            guard let waiter = b.waiter else {
                b.signals.append(signal)
                return nil
            }
            b.waiter = nil
            return waiter
        }
        waiter?.resume(returning: signal)
    }

    func next() async -> Signal {
        await withCheckedContinuation { continuation in
            let ready = box.withLock { b -> Signal? in
                if !b.signals.isEmpty { return b.signals.removeFirst() }
                b.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
