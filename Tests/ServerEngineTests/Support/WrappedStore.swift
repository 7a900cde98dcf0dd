import FieldModel
import ServerEngine
import SyncCore

/// A store that hands every call to `base`, for test stores that change one behaviour (a purge
/// before a pull, a group held back) and keep the rest.
protocol WrappedStore: SyncStore {
    var base: any SyncStore { get }
}

extension WrappedStore {
    func push(_ group: [PendingPush]) async -> [Result<PushResult, any Error>] { await base.push(group) }
    func pull(_ cursors: [VillageCode: UInt64], limit: Int) async throws -> PullPage { try await base.pull(cursors, limit: limit) }
    func recordIDs(handles: [UInt64]) async throws -> [UInt64: RecordID] { try await base.recordIDs(handles: handles) }
    func liveDigests(of collection: RecordCollection, villages: [VillageCode]) async throws -> [VillageCode: ScopeDigest] {
        try await base.liveDigests(of: collection, villages: villages)
    }
    func villages(coveredBy assignment: Assignment) async throws -> [VillageCode] { try await base.villages(coveredBy: assignment) }
    func registerVillages(_ villages: [VillageCode]) async throws { try await base.registerVillages(villages) }
    func purgeMark() async throws -> PurgeMark { try await base.purgeMark() }
    func purgeTombstones(deletedBefore milliseconds: Int64) async throws -> Int { try await base.purgeTombstones(deletedBefore: milliseconds) }
    func record(_ key: RecordKey) async throws -> RecordState? { try await base.record(key) }
    func openConflicts(villages: [VillageCode]) async throws -> [RecordState] { try await base.openConflicts(villages: villages) }
    func allocateServerCounters(_ n: Int) async throws -> ClosedRange<UInt64> { try await base.allocateServerCounters(n) }
    func auditEntries(limit: Int) async throws -> [AuditEntry] { try await base.auditEntries(limit: limit) }
    func auditEntries(replica: ReplicaID, limit: Int) async throws -> [AuditEntry] { try await base.auditEntries(replica: replica, limit: limit) }
    func conflictLog(limit: Int) async throws -> [ConflictLogEntry] { try await base.conflictLog(limit: limit) }
    func recordCount(villages: [VillageCode]) async throws -> Int { try await base.recordCount(villages: villages) }
    func stateHash() async throws -> Digest128 { try await base.stateHash() }
    func stateHash(leavingOut tables: Set<String>) async throws -> Digest128 { try await base.stateHash(leavingOut: tables) }
    func workflowTrail(household: RecordID) async throws -> WorkflowTrail { try await base.workflowTrail(household: household) }
    func liveRecords(_ collection: RecordCollection, villages: [VillageCode]?) async throws -> [RecordState] {
        try await base.liveRecords(collection, villages: villages)
    }
    func creationBudgetRefusals(since milliseconds: Int64) async throws -> [CreationBudgetRefusal] {
        try await base.creationBudgetRefusals(since: milliseconds)
    }
    func recoveryMark() async throws -> RecoveryMark { try await base.recoveryMark() }
    func recordBackup(through sequence: UInt64, at milliseconds: Int64) async throws {
        try await base.recordBackup(through: sequence, at: milliseconds)
    }
    func markRestored() async throws -> UInt64 { try await base.markRestored() }
    func close() async throws { try await base.close() }
}
