import FieldModel
import Foundation
import ServerDirectory
import ServerEngine
import SyncCore
import SyntheticData
import Testing

/// The audit and security logs are hash-chained: verification walks them from their anchor and
/// names the first entry that does not follow (SPEC §11.8).
@Suite("Tamper-evident logs: chains, verification, anchors")
struct LogChainTests {
    static let now: Int64 = 1_796_000_000_000
    static let dataset = DatasetGenerator.generate(DatasetSpec(seed: 7, size: .households(12)))

    /// A store with audit entries (an import) and security entries (administrator actions).
    func withLogs(_ backend: DirectoryBackend, _ body: (any ChainedLogStore, DirectoryBackend.Opened) async throws -> Void) async throws {
        let opened = try await backend.open()
        let access = AccessControl(store: opened.store, serverReplica: ReplicaID(0x5E))
        let token = try #require(try await access.bootstrap(now: Self.now))
        let admin = try await access.authenticate(authorization: "Bearer \(token)", now: Self.now, route: "t")
        for n in 0..<5 {
            try await access.createWorker(Worker(id: WorkerID(unchecked: "va-\(n)"), name: "李华", role: .villageAssistant,
                                                 assignment: Assignment(villages: [Self.dataset.villages[0].code])), by: admin, now: Self.now + Int64(n))
        }
        let engine = SyncEngine(store: opened.store, configuration: .init(serverReplica: ReplicaID(0x5E)))
        _ = try await engine.importRecords(Self.dataset.households.map(ImportRecord.init), by: admin.worker.id, now: Self.now)
        let chained = try #require(opened.store as? any ChainedLogStore)
        do { try await body(chained, opened) } catch {
            try? await opened.close()
            throw error
        }
        try await opened.close()
    }

    /// Statements that lift a log's append-only guard, change it, and put the guard back: what
    /// someone with the database's password could do.
    func behindTheStore(_ backend: DirectoryBackend, _ opened: DirectoryBackend.Opened, table: String, _ statement: String) async throws {
        if backend.name == "SQLite" {
            let short = table == "audit_log" ? "audit_log" : "security_log"
            try await opened.execute("""
                DROP TRIGGER \(short)_no_update; DROP TRIGGER \(short)_no_delete; \(statement);
                CREATE TRIGGER \(short)_no_update BEFORE UPDATE ON \(short) BEGIN SELECT RAISE(ABORT, '\(short) is append-only'); END;
                CREATE TRIGGER \(short)_no_delete BEFORE DELETE ON \(short) BEGIN SELECT RAISE(ABORT, '\(short) is append-only'); END;
                """)
        } else {
            try await opened.execute("ALTER TABLE \(table) DISABLE TRIGGER \(table)_append_only")
            try await opened.execute(statement)
            try await opened.execute("ALTER TABLE \(table) ENABLE TRIGGER \(table)_append_only")
        }
    }

    @Test("both chains hold as written, from the first entry to the recorded head", arguments: DirectoryBackend.all)
    func holds(backend: DirectoryBackend) async throws {
        try await withLogs(backend) { store, _ in
            for log in ChainedLog.allCases {
                let result = try await store.verify(log)
                #expect(result.holds, "\(log): \(String(describing: result.firstBroken))")
                let state = try await store.chainState(log)
                #expect(result.checked > 0 && result.headID == state.headID && state.anchorID == 0)
            }
        }
    }

    @Test("editing one audit entry is found, and named", arguments: DirectoryBackend.all)
    func editedEntry(backend: DirectoryBackend) async throws {
        try await withLogs(backend) { store, opened in
            let state = try await store.chainState(.audit)
            let target = state.headID - 3
            try await behindTheStore(backend, opened, table: "audit_log", "UPDATE audit_log SET worker = 'mallory' WHERE id = \(target)")
            let result = try await store.verify(.audit)
            #expect(result.firstBroken?.id == target, "\(String(describing: result.firstBroken))")
            #expect(result.firstBroken?.reason.contains("edited") == true)
            #expect(try await store.verify(.security).holds, "the other log is untouched")
        }
    }

    @Test("deleting an entry in the middle or at the end is found", arguments: DirectoryBackend.all)
    func deletedEntries(backend: DirectoryBackend) async throws {
        try await withLogs(backend) { store, opened in
            let state = try await store.chainState(.security)
            try await behindTheStore(backend, opened, table: "security_log", "DELETE FROM security_log WHERE id = \(state.headID - 2)")
            #expect(try await store.verify(.security).firstBroken?.id == state.headID - 1, "the entry after the gap does not follow")

            let audit = try await store.chainState(.audit)
            try await behindTheStore(backend, opened, table: "audit_log", "DELETE FROM audit_log WHERE id = \(audit.headID)")
            let result = try await store.verify(.audit)
            #expect(result.firstBroken?.reason.contains("deleted from its end") == true, "\(String(describing: result.firstBroken))")
        }
    }

    @Test("archiving moves the anchor: the kept entries verify from the first one kept", arguments: DirectoryBackend.all)
    func anchor(backend: DirectoryBackend) async throws {
        try await withLogs(backend) { store, opened in
            let before = try await store.chainState(.audit)
            let retained = try #require(opened.store as? any RetentionStore)
            let archived = try await retained.archiveLog(.audit, before: .max, limit: 5) { batch in
                ArchiveFile(name: "audit_log-\(batch.entries.map(\.id).min() ?? 0).jsonl", digest: String(repeating: "0", count: 64))
            }
            #expect(archived == 5)
            let through = try #require(try await retained.logAnchor(.audit)).throughID
            let moved = try await store.chainState(.audit)
            #expect(moved.anchorID == through && moved.anchor != before.anchor && moved.head == before.head)
            let result = try await store.verify(.audit)
            #expect(result.holds && result.checked == Int(before.headID - moved.anchorID), "\(String(describing: result.firstBroken))")
        }
    }
}
