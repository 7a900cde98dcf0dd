import FieldModel
import ServerEngine
import ServerOps
import SyncCore
import Synchronization
import Testing

/// `RetentionStore.archiveLog` on both backends: the oldest entries go to the archive callback
/// and out of the log in one transaction, a failing callback deletes nothing, and what the
/// metrics count from the logs (applied changes, conflict events) keeps counting them.
@Suite("Archiving a log keeps its counts and deletes only what was archived")
struct LogArchiveStoreTests {
    struct ArchiveFailed: Error {}

    @Test(arguments: StoreBackend.all)
    func archivedAuditAndConflictEntriesStillCount(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let store = try #require(engine.store as? any RetentionStore & OpsStore)
            var (assistant, reviewer) = try await ConflictTests.twoDevices(engine)
            let key = Fixture.key(Fixture.household(in: ConflictTests.a))
            _ = try await assistant.sync(engine, [assistant.set(key, "monthlyIncomeFen", .int(41_000))])
            _ = try await reviewer.sync(engine, [reviewer.set(key, "monthlyIncomeFen", .int(39_000))])
            let applied = try await store.appliedChanges()
            let events = try await store.conflictEvents()
            #expect(events["needs_review", default: 0] > 0 && !applied.isEmpty)

            // A failing archive deletes nothing.
            await #expect(throws: ArchiveFailed.self) {
                try await store.archiveLog(.audit, before: Fixture.now + 1, limit: 10) { _ in throw ArchiveFailed() }
            }
            #expect(try await store.logAnchor(.audit) == nil)

            // Archived in batches of 3: every entry reaches an archive once, in order.
            let before = try await engine.store.auditEntries(limit: 10_000).count
            let seen = Seen()
            var archived = 0
            while true {
                let n = try await store.archiveLog(.audit, before: Fixture.now + 1, limit: 3) { batch in
                    seen.add(batch.entries.map(\.id), previous: batch.previous?.throughID)
                    return ArchiveFile(name: "audit-\(batch.entries[0].id)", digest: "d\(batch.entries.count)")
                }
                archived += n
                if n < 3 { break }
            }
            #expect(archived == before && seen.ids == seen.ids.sorted() && Set(seen.ids).count == before)
            #expect(seen.chained, "each batch continues from the anchor the one before left")
            #expect(try await engine.store.auditEntries(limit: 10_000).isEmpty)
            #expect(try await store.logAnchor(.audit)?.throughID == seen.ids.last)
            _ = try await store.archiveLog(.conflict, before: Fixture.now + 1, limit: 1_000) { _ in ArchiveFile(name: "c", digest: "d") }
            #expect(try await engine.store.conflictLog(limit: 100).isEmpty)

            #expect(try await store.appliedChanges() == applied, "applied changes still count their archived entries")
            #expect(try await store.conflictEvents() == events, "conflict events too")
        }
    }
}

/// What the archive callback saw, across batches.
final class Seen: Sendable {
    private let state = Mutex<(ids: [Int64], chained: Bool)>(([], true))

    var ids: [Int64] { state.withLock { $0.ids } }
    var chained: Bool { state.withLock { $0.chained } }

    func add(_ batch: [Int64], previous: Int64?) {
        state.withLock { s in
            if previous != s.ids.last { s.chained = false }
            s.ids += batch
        }
    }
}
