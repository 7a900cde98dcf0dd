import FieldModel
import SyncCore
import SyncProtocol
import Synchronization

extension SyncEngine {
    /// Fills the pull half of a response: dropped and re-bootstrapped villages, the page, the new
    /// cursors and, with the last page, the digests.
    ///
    /// A position that may have missed a purged tombstone (`PullPosition.isStale`) is pulled again
    /// from 0 and its village listed in `rebootstrapVillages` (SPEC §4). The decision is checked
    /// against the purge mark of the page's own snapshot: a purge committing in between is
    /// noticed and the pull redone, never served under the old mark. The first guess is the mark
    /// the previous page was served under (purges are rare), which spares every exchange a read.
    func pull(into response: inout SyncResponse, request: SyncRequest, scope: [VillageCode]) async throws {
        let inScope = Set(scope)
        response.droppedVillages = request.cursors.keys.filter { !inScope.contains($0) }.sorted()
        guard !scope.isEmpty else { return }

        var mark = if let last = lastPurgeMark.value { last } else { try await store.purgeMark() }
        for _ in 0..<3 {
            var sequences: [VillageCode: UInt64] = [:]
            var rebootstrap: [VillageCode] = []
            for village in scope {
                let position = PullPosition(rawValue: request.cursors[village] ?? 0)
                if position.isStale(after: mark) {
                    rebootstrap.append(village)
                    sequences[village] = 0
                } else {
                    sequences[village] = position.sequence
                }
            }
            let page = try await store.pull(sequences, limit: pageLimit(request.pageLimit))
            lastPurgeMark.value = page.purgeMark
            guard page.purgeMark == mark else { mark = page.purgeMark; continue }

            response.rebootstrapVillages = rebootstrap
            response.page = page.records
            response.pageHandles = page.sequences
            response.hasMore = page.hasMore
            response.cursors = sequences.mapValues {
                PullPosition(generation: mark.generation, sequence: max($0, page.watermark)).rawValue
            }
            if !page.hasMore {
                response.digests = Dictionary(uniqueKeysWithValues: scope.map { ($0, page.digests[$0] ?? ScopeDigest()) })
            }
            try await leaveOutNewerCollections(&response, schemaVersion: request.schemaVersion, scope: scope)
            return
        }
        throw SyncEngineError(.storage, "purges kept committing during the pull (purge generation \(mark.generation)); retry the sync")
    }

    /// A device of an older schema is not sent the records of collections it does not know (it
    /// could not decode them), and its digests leave them out. Their digests are read after the
    /// page's snapshot: an attachment committed in between shows as a mismatch the device repairs.
    func leaveOutNewerCollections(_ response: inout SyncResponse, schemaVersion: UInt32, scope: [VillageCode]) async throws {
        let unknown = RecordCollection.allCases.filter { $0.introducedInSchema > schemaVersion }
        guard !unknown.isEmpty else { return }
        let kept = response.page.indices.filter { response.page[$0].key.collection.introducedInSchema <= schemaVersion }
        if kept.count < response.page.count {
            if response.pageHandles.count == response.page.count { response.pageHandles = kept.map { response.pageHandles[$0] } }
            response.page = kept.map { response.page[$0] }
        }
        guard !response.digests.isEmpty else { return }
        for collection in unknown {
            for (village, hidden) in try await store.liveDigests(of: collection, villages: scope) {
                guard var digest = response.digests[village] else { continue }
                digest.leaveOut(hidden)
                response.digests[village] = digest
            }
        }
    }

    /// The device's page size clamped to `1…maxPageSize`; 0 (or less) asks for the default.
    func pageLimit(_ requested: Int) -> Int {
        requested <= 0 ? configuration.defaultPageSize : min(requested, configuration.maxPageSize)
    }
}

/// The purge mark of the latest page this engine served, shared by its concurrent pulls.
final class LastPurgeMark: Sendable {
    private let mark = Mutex<PurgeMark?>(nil)

    var value: PurgeMark? {
        get { mark.withLock { $0 } }
        set { mark.withLock { $0 = newValue } }
    }
}
