import FieldModel
import SyncCore

/// Where the sync server keeps record states, processed dots, digests and its logs.
///
/// Shaped for a transactional database: a push reads everything a pure plan needs
/// (`PushSnapshot`), hands it to the plan, and writes what the plan decided. Pushes come in
/// groups (`PushQueue`), one transaction per group: each push reads its snapshot after the
/// writes of the pushes before it in the group, so it is planned against them. SQLite does this
/// in a write transaction; PostgreSQL with `SELECT … FOR UPDATE`. The engine's rules live in the
/// plan, so every backend enforces exactly the same ones.
///
/// Sequence numbers: every record write takes a fresh, increasing sequence number, allocated
/// while the writer holds the lock, so a pull position never skips a change that commits late.
/// Every method either commits completely or changes nothing; errors are `SyncEngineError`.
public protocol SyncStore: Sendable {
    /// Applies a group of pushes in one transaction, in order: for each, reads its snapshot,
    /// calls its plan once and writes the result. A push whose plan throws, or whose writes fail,
    /// writes nothing and gets that error; the others are written all the same. When the
    /// transaction itself fails, every push gets the failure and nothing is written. Returns
    /// once the group committed (or failed): one result per push, in order.
    func push(_ group: [PendingPush]) async -> [Result<PushResult, any Error>]

    /// The records of the given villages whose sequence is above that village's cursor (a
    /// plain sequence number), in sequence order, at most `limit`; with the villages' digests
    /// when nothing more waits, and the purge mark, all read in the same snapshot.
    /// - Complexity: O(records returned + villages), not O(store size).
    func pull(_ cursors: [VillageCode: UInt64], limit: Int) async throws -> PullPage

    /// Per village, the digest (XOR and count) of the live records of `collection`: what a
    /// device of an older schema, which is not sent that collection, leaves out of the village's
    /// digest (SPEC §9). Villages without such records are absent.
    func liveDigests(of collection: RecordCollection, villages: [VillageCode]) async throws -> [VillageCode: ScopeDigest]

    /// The ids of the records whose current sequence number is one of `handles` (SPEC §5: a
    /// record's handle); a handle no record holds now is left out. Sequence numbers are never
    /// given twice, so a handle found names the record it was given for.
    func recordIDs(handles: [UInt64]) async throws -> [UInt64: RecordID]

    /// The villages the store knows (ever held a record, or registered) that `assignment`
    /// covers, plus the assignment's explicit villages; sorted.
    func villages(coveredBy assignment: Assignment) async throws -> [VillageCode]

    /// Makes villages known before any record exists in them (a roster import).
    func registerVillages(_ villages: [VillageCode]) async throws

    /// How many purges removed records, and the highest sequence number removed (0 before any).
    func purgeMark() async throws -> PurgeMark

    /// Physically removes deleted records whose deletion was committed before `milliseconds`;
    /// when it removes any, raises the purge mark's sequence to the highest removed and its
    /// generation by one. Digests do not change: deleted records never contribute to them.
    /// Returns the number of records removed.
    func purgeTombstones(deletedBefore milliseconds: Int64) async throws -> Int

    /// The stored state of a record, nil when the store has no record of that id and collection.
    func record(_ key: RecordKey) async throws -> RecordState?

    /// Records of `villages` whose state waits for a reviewer, in sequence order.
    func openConflicts(villages: [VillageCode]) async throws -> [RecordState]

    /// Reserves `n` ≥ 1 counters of the server's own replica: never handed out twice.
    func allocateServerCounters(_ n: Int) async throws -> ClosedRange<UInt64>

    /// The latest `limit` audit entries, oldest first.
    func auditEntries(limit: Int) async throws -> [AuditEntry]

    /// The audit entries of changes made by `replica` (a device's writes), oldest first, at most `limit`.
    func auditEntries(replica: ReplicaID, limit: Int) async throws -> [AuditEntry]

    /// The latest `limit` conflict-log entries, oldest first.
    func conflictLog(limit: Int) async throws -> [ConflictLogEntry]

    /// Live (not deleted) records in `villages`: what a device holding that scope holds.
    /// - Complexity: O(villages).
    func recordCount(villages: [VillageCode]) async throws -> Int

    /// A hash over the content of every table: equal before and after a request proves the
    /// request changed nothing.
    func stateHash() async throws -> Digest128

    /// `stateHash()` without `tables` as well (`["processed_dots", "replica_counters"]` leaves out
    /// what a rejected change records, so a test shows a rejection changed nothing else).
    func stateHash(leavingOut tables: Set<String>) async throws -> Digest128

    /// A household's workflow trail: every accepted status write, in the order the server
    /// accepted them (empty for a household stored before trails were kept). What supervision reads.
    func workflowTrail(household: RecordID) async throws -> WorkflowTrail

    /// The live records of `collection` in `villages` (every village when nil), in sequence order.
    func liveRecords(_ collection: RecordCollection, villages: [VillageCode]?) async throws -> [RecordState]

    /// Household creates refused for the creation budget since `milliseconds`, oldest first.
    func creationBudgetRefusals(since milliseconds: Int64) async throws -> [CreationBudgetRefusal]

    /// The epoch, the last sequence and the latest backup's position, in one snapshot.
    func recoveryMark() async throws -> RecoveryMark

    /// Records a completed, verified backup holding every sequence up to `sequence`, taken at
    /// `milliseconds`; a mark never moves back (an older copy verified late changes nothing).
    func recordBackup(through sequence: UInt64, at milliseconds: Int64) async throws

    /// Marks the database as restored from a backup: a new random `epoch` (never 0 or 1), the
    /// server's replica counter moved on by `RecoveryMark.serverCounterJump`, and the backup mark
    /// cleared (the backups taken after the restored one hold another history). Returns the new epoch.
    func markRestored() async throws -> UInt64

    /// Releases the store's connections; no call may follow.
    func close() async throws
}

extension SyncStore {
    /// One push on its own, in a group of one. If `plan` throws, nothing is written and the
    /// error is rethrown.
    public func push(_ input: PushInput, plan: @escaping @Sendable (PushSnapshot) throws -> PushPlan) async throws -> PushResult {
        try await push([PendingPush(input: input, plan: plan)])[0].get()
    }

    /// The highest sequence number a purge has removed; 0 before any purge.
    public func purgedThrough() async throws -> UInt64 { try await purgeMark().sequence }
}
