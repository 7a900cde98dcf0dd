import FieldModel
import SyncCore
import SyncProtocol

extension SyncEngine {
    /// Applies the request's batch, if any, and answers each change in `response`.
    func answerBatch(_ request: SyncRequest, device: DeviceContext, now: Int64, into response: inout SyncResponse) async throws {
        guard !request.changes.isEmpty else { return }
        let (changes, deferred) = try await resolvingHandles(request)
        if !changes.isEmpty {
            response.answer(try await push(changes, replica: device.replica, authority: .worker(device.worker),
                                           deviceID: device.deviceID, now: now))
        }
        response.rejections += deferred
    }

    /// Gives every change named by a handle its record's id (SPEC §5). A handle is a record's
    /// sequence number, which the store never gives another record, so a handle it still holds
    /// names the one record the device meant; every claim of the change is then checked as for
    /// any other. A handle it does not hold (the record changed since the page that gave it, or
    /// was purged) refuses its change as `unknown_handle`, and every change made after it in the
    /// batch too: applied, they would make the device's resend of the first regress its counter.
    /// Nothing of the refused changes is recorded; the device sends them again, the first by id.
    func resolvingHandles(_ request: SyncRequest) async throws -> (changes: [Change], deferred: [Rejection]) {
        guard !request.unresolvedHandles.isEmpty else { return (request.changes, []) }
        let ids = try await store.recordIDs(handles: Set(request.unresolvedHandles.values).sorted())
        let (resolved, unknown) = request.resolvingHandles(ids)
        guard let first = unknown.min(by: { request.changes[$0].dot.counter < request.changes[$1].dot.counter }) else {
            return (resolved.changes, [])
        }
        let firstCounter = request.changes[first].dot.counter, handle = request.unresolvedHandles[first]!
        var kept: [Change] = [], deferred: [Rejection] = []
        for (index, change) in resolved.changes.enumerated() {
            guard change.dot.counter >= firstCounter else { kept.append(change); continue }
            let message = if let own = request.unresolvedHandles[index], ids[own] == nil {
                "handle \(own) names no record this server holds (the record changed since the page that gave it); send the change again with the record's id"
            } else {
                "made after change \(firstCounter), whose handle \(handle) this server does not hold; send it again after that one"
            }
            deferred.append(Rejection(counter: change.dot.counter, reason: RejectionReason.unknownHandle.rawValue, message: message))
        }
        return (kept, deferred)
    }
}
