import SyncProtocol

extension SyncEngine {
    /// Answers the batch as `answerBatch` does and, in version 2, tells the device where the
    /// server stands: its epoch, the sequence reached once the batch was applied, and the latest
    /// backup's position (SPEC §4, "Restores").
    ///
    /// A device that names an earlier epoch last spoke to the server before it was restored: its
    /// batch is left unanswered (neither acknowledged nor refused, nothing written), because the
    /// changes the server lost, which the device holds and re-sends once it learns the new epoch,
    /// must come first — a later change may build on them (a set on a record created after the
    /// backup). Its handles, too, named sequences the restored server may give again.
    /// Returns whether the server was restored since the device's last exchange.
    func answerBatchUnlessRestored(_ request: SyncRequest, device: DeviceContext, now: Int64, into response: inout SyncResponse) async throws -> Bool {
        guard request.protocolVersion >= 2 else {
            try await answerBatch(request, device: device, now: now, into: &response)
            return false
        }
        var mark = try await store.recoveryMark()
        let restoredSince = request.serverEpoch != 0 && request.serverEpoch != mark.epoch
        if !restoredSince && !request.changes.isEmpty {
            try await answerBatch(request, device: device, now: now, into: &response)
            mark = try await store.recoveryMark()
        }
        response.serverEpoch = mark.epoch
        response.appliedThrough = mark.lastSequence
        response.backedUpThrough = mark.backedUpThrough
        return restoredSince
    }
}
