import FieldModel
import Foundation
import ServerHTTP
import SyncClientHTTP
import SyncCore
import SyncProtocol
import Synchronization
import SyntheticData
import TestSupport
import Testing

/// What the hostile catalogue attacks: a deployment with two seeded villages, devices of a
/// village assistant (village A), a second assistant and a township reviewer, a revoked device
/// with a sync body it sent before its revocation, a conflict, a filing, enrolment codes
/// (unused, used, expired), a visit and an applied write of the assistant's own.
///
/// Every case is refused, so the records read here stay as they are for the whole catalogue.
final class HostileStage: Sendable {
    let deployment: Deployment
    let A: VillageCode
    let B: VillageCode
    /// A village of another township: outside the reviewer's scope too.
    let far: VillageCode
    let assistant: FieldDevice
    let reviewer: FieldDevice
    let revokedToken: String
    /// A sync body the revoked device sent while it was enrolled.
    let revokedSyncBody: [UInt8]
    let adminToken: String

    /// Households of A: one the assistant wrote a phone number to, one with two concurrent
    /// incomes waiting for a reviewer, one filed as the assistant's relative.
    let household: RecordState
    let conflicted: RecordState
    let relative: RecordState
    let householdB: RecordState
    let householdFar: RecordState
    let member: RecordState
    let visit: RecordState
    /// The assistant's applied phone write and the change it was.
    let ownWrite: Change
    let unusedCode: String
    let usedCode: String
    let expiredCode: String
    /// A roster CSV of a fourth village, imported once.
    let importedRoster: String
    /// A worker with no device, for the administrator's endpoints.
    let spareWorker: Worker
    /// A counter below the assistant's highest that it never sent: a regression.
    let skippedCounter: UInt64

    private let counters: Mutex<[ReplicaID: UInt64]>

    var now: Int64 { deployment.clock.now }
    var today: CalendarDate { CalendarDate.chinaStandard(millisecondsSinceEpoch: now) }

    init(_ d: Deployment) async throws {
        deployment = d
        let villages = ScopeFixture.codes
        A = villages[0]
        B = villages[1]
        far = villages[2]
        for v in [A, B, far] { try await d.seed(ScopeFixture.records(in: v), villages: [v]) }
        adminToken = d.adminToken

        assistant = try await d.enrol(ScopeFixture.assistant(A), replica: 0xA1)
        let second = try await d.enrol(ScopeFixture.assistant(A, 2), replica: 0xA2)
        reviewer = try await d.enrol(ScopeFixture.reviewer(A.township), replica: 0xB1)
        for device in [assistant, second, reviewer] { try await device.syncOK() }

        let inA = ScopeFixture.village(A).households
        let phoneChanges = try assistant.replica.updateHousehold(inA[0].id, [.phone: .text("13900001111")])
        ownWrite = phoneChanges[0]
        _ = try assistant.replica.updateHousehold(inA[1].id, [.monthlyIncomeFen: .int(41_000)])
        _ = try second.replica.updateHousehold(inA[1].id, [.monthlyIncomeFen: .int(43_000)])
        var generator = SystemRandomNumberGenerator()
        let visitChange = try assistant.replica.recordVisit(Visit(
            id: RecordID(milliseconds: d.clock.now, using: &generator), householdID: inA[0].id, village: A, kind: .screening,
            worker: assistant.identity.worker.id, date: CalendarDate.chinaStandard(millisecondsSinceEpoch: d.clock.now),
            monthlyIncomeFen: 50_000, assetsFen: 100_000, livingCondition: .difficult, recommendation: .none, notes: "入户"))
        for device in [assistant, second, assistant] { try await device.syncOK() }
        _ = try await d.admin.file(FilingDocument(staff: assistant.identity.worker.id.rawValue, household: inA[2].id.description,
                                                  village: A.description, relation: "sibling"))
        try await assistant.syncOK()

        // A device that synced, was revoked, and whose earlier body is replayed.
        let lost = try await d.enrol(ScopeFixture.assistant(A, 3), replica: 0xA3)
        revokedSyncBody = SyncCodec.encodeRequest(try lost.replica.makeRequest(batchLimit: 10, pageLimit: 10, appVersion: "t"))
        _ = try await lost.transport.exchange(revokedSyncBody)
        _ = try await d.admin.revokeDevice(lost.deviceID)
        revokedToken = lost.token

        spareWorker = ScopeFixture.assistant(A, 4)
        try await d.create(spareWorker)
        unusedCode = try await d.admin.issueCode(worker: spareWorker.id.rawValue).code
        usedCode = try await d.admin.issueCode(worker: spareWorker.id.rawValue).code
        _ = try await DeviceEnrolment.enrol(server: d.running.url, code: usedCode, replica: ReplicaID(0xA4), deviceName: "spare")
        expiredCode = try await d.admin.issueCode(worker: spareWorker.id.rawValue, lifetimeHours: 1).code
        let rosterVillage = ScopeFixture.village(villages[3])
        importedRoster = RosterCSVWriter.render(rosterVillage.households, members: rosterVillage.members)
        _ = try await d.admin.importRoster(csv: Array(importedRoster.utf8))

        func stored(_ c: RecordCollection, _ id: RecordID, _ v: VillageCode) async throws -> RecordState {
            guard let state = try await d.store.record(RecordKey(c, id, scope: v)) else { throw TestFailure("no \(c.name) \(id)") }
            return state
        }
        household = try await stored(.household, inA[0].id, A)
        conflicted = try await stored(.household, inA[1].id, A)
        relative = try await stored(.household, inA[2].id, A)
        householdB = try await stored(.household, ScopeFixture.village(B).households[0].id, B)
        householdFar = try await stored(.household, ScopeFixture.village(far).households[0].id, far)
        let memberOfA = try requireValue(ScopeFixture.village(A).members.first { $0.householdID == inA[0].id }, "a member of the first household")
        member = try await stored(.member, memberOfA.id, A)
        visit = try await stored(.visit, visitChange.record.id, A)
        guard conflicted.conflictedFields.count == 1 else { throw TestFailure("the concurrent incomes made no conflict") }

        let last = try assistant.replica.lastCounter()
        skippedCounter = last + 1
        counters = Mutex([assistant.identity.replica: last + 1, reviewer.identity.replica: try reviewer.replica.lastCounter()])
        d.clock.advance(by: 2 * 3_600_000)
    }

    /// The next unused counter of `device`'s replica.
    func nextCounter(_ device: FieldDevice) -> UInt64 {
        counters.withLock { all in
            all[device.identity.replica, default: 0] += 1
            return all[device.identity.replica]!
        }
    }

    /// A sync request carrying `operations` on `record` as `device`'s next changes, each made in
    /// `context` (the stored version by default), stamped now, signed by the device's worker.
    func push(_ operations: [Change.Operation], on record: RecordKey, by device: FieldDevice? = nil, context: VersionVector? = nil,
              hlc: HLCTimestamp? = nil, author: WorkerID? = nil, schemaVersion: UInt32 = Schema.version,
              counter: UInt64? = nil) throws -> HostileRequest {
        let device = device ?? assistant
        let changes = operations.map { operation in
            Change(dot: Dot(device.identity.replica, counter ?? nextCounter(device)), record: record, operation: operation,
                   context: context ?? version(of: record.id), hlc: hlc ?? HLCTimestamp(milliseconds: now, logical: 0),
                   author: author ?? device.identity.worker.id, schemaVersion: schemaVersion)
        }
        return sync(SyncRequest(replica: device.identity.replica, appVersion: "hostile", cursors: [:], changes: changes,
                                health: DeviceHealth(), pageLimit: 1, deviceTimeMilliseconds: now), by: device)
    }

    func push(_ operation: Change.Operation, on record: RecordKey, by device: FieldDevice? = nil, context: VersionVector? = nil,
              hlc: HLCTimestamp? = nil, author: WorkerID? = nil, schemaVersion: UInt32 = Schema.version) throws -> HostileRequest {
        try push([operation], on: record, by: device, context: context, hlc: hlc, author: author, schemaVersion: schemaVersion)
    }

    /// A set of `field` (by name) of the stage's household.
    func set(_ field: String, _ value: FieldValue, of record: RecordState? = nil, by device: FieldDevice? = nil) throws -> HostileRequest {
        let record = record ?? household
        return try push(.set(record.key.collection.schema.id(field), value), on: record.key, by: device)
    }

    func sync(_ request: SyncRequest, by device: FieldDevice) -> HostileRequest {
        HostileRequest(method: "POST", path: HTTPAPI.syncPath, token: device.token,
                       headers: ["Content-Encoding": "deflate", "Content-Type": HTTPAPI.syncMediaType], body: SyncCodec.encodeRequest(request))
    }

    /// A valid empty sync request of `device`, to corrupt one field of.
    func emptyRequest(_ device: FieldDevice? = nil) -> SyncRequest {
        let device = device ?? assistant
        return SyncRequest(replica: device.identity.replica, appVersion: "hostile", cursors: [:], changes: [],
                           health: DeviceHealth(), pageLimit: 1, deviceTimeMilliseconds: now)
    }

    func version(of id: RecordID) -> VersionVector {
        [household, conflicted, relative, householdB, householdFar, member, visit].first { $0.key.id == id }?.version ?? VersionVector()
    }

    /// The imported roster with `column` of its first person replaced by `value`.
    func roster(_ column: String, _ value: String) -> String {
        var lines = importedRoster.components(separatedBy: "\r\n")
        let index = RosterCSVWriter.header.firstIndex(of: column)!
        var cells = lines[1].components(separatedBy: ",")
        cells[index] = value
        lines[1] = cells.joined(separator: ",")
        return lines.joined(separator: "\r\n")
    }

    /// A fresh record id no fixture record uses.
    func freshID() -> RecordID {
        var generator = SystemRandomNumberGenerator()
        return RecordID(milliseconds: now, using: &generator)
    }

    /// A household create as a device sends it, with `changes` applied to the fields.
    func householdCreate(in village: VillageCode? = nil, _ changes: [String: FieldValue] = [:]) -> (RecordKey, Change.Operation) {
        let base = ScopeFixture.village(village ?? A).households[3]
        var values = base.fieldValues
        values[Schema.household.id("status")] = .text(Workflow.initial.rawValue)
        values[Schema.household.id("monthlyAmountFen")] = .int(0)
        values[Schema.household.id("monthlyStandardFen")] = .int(0)
        values[Schema.household.id("coveredSince")] = .null
        values[Schema.household.id("appliedOn")] = .date(today)
        for (name, value) in changes { values[Schema.household.id(name)] = value }
        return (RecordKey(.household, freshID(), scope: village ?? A), .create(values))
    }

    /// A visit create at the stage's household, by the assistant, with `changes` applied.
    func visitCreate(at target: RecordState? = nil, kind: VisitKind = .screening, _ changes: [String: FieldValue] = [:]) -> (RecordKey, Change.Operation) {
        let target = target ?? household
        let id = freshID()
        var values = Visit(id: id, householdID: target.key.id, village: target.key.scope, kind: kind, worker: assistant.identity.worker.id,
                           date: today, monthlyIncomeFen: 50_000, assetsFen: 100_000, livingCondition: .difficult, recommendation: .none,
                           notes: "走访").fieldValues
        for (name, value) in changes { values[Schema.visit.id(name)] = value }
        return (RecordKey(.visit, id, scope: target.key.scope), .create(values))
    }
}

/// `#require` for a value outside a test function's direct body.
func requireValue<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { throw TestFailure("missing \(what)") }
    return value
}
