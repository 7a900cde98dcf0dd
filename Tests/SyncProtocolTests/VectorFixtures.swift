import FieldModel
import SyncCore
@testable import SyncProtocol

/// The messages behind `protocol/vectors/`: built from fixed values so they never change unless
/// the encoding does.
enum VectorFixtures {
    static let device = ReplicaID(0x7F3A_0000_0000_0001)
    static let server = ReplicaID(0x5E_0000_0000_0000)
    static let village = try! VillageCode(validating: 140821101001)
    static let otherVillage = try! VillageCode(validating: 140821101002)
    static let worker = WorkerID(unchecked: "va-140821101001-1")
    static let reviewer = WorkerID(unchecked: "tr-140821101-1")
    static let hlc0 = HLCTimestamp(milliseconds: 1_795_000_000_000, logical: 0)
    static let household = RecordID(uuidString: "019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6071")!
    static let member = RecordID(uuidString: "019a2b3c-4d5e-7f61-9a1b-2c3d4e5f6072")!
    static let visit = RecordID(uuidString: "019a2b3c-4d5e-7f62-aa1b-2c3d4e5f6073")!

    static func hlc(_ plus: Int64) -> HLCTimestamp { HLCTimestamp(milliseconds: hlc0.milliseconds + plus, logical: 0) }

    static var householdFields: FieldValues {
        var w = FieldWriter(Household.Field.self)
        w.set(.headName, "王建国")
        w.set(.headIDNumber, "14082119650312001X")
        w.set(.addressDetail, "东张村三组12号")
        w.set(.phone, "13835901234")
        w.set(.category, HouseholdCategory.ruralDibao)
        w.set(.classification, EconomicClassification.stable)
        w.set(.status, WorkflowStatus.covered)
        w.set(.monthlyStandardFen, Int64(57_000))
        w.set(.monthlyAmountFen, Int64(41_000))
        w.set(.monthlyIncomeFen, Int64(32_000))
        w.set(.assetsFen, Int64(1_500_000))
        w.set(.appliedOn, CalendarDate(year: 2023, month: 4, day: 2))
        w.set(.coveredSince, CalendarDate(year: 2023, month: 6, day: 1))
        w.set(.lastReviewedOn, CalendarDate(year: 2025, month: 12, day: 3))
        w.set(.notes, "")
        return w.fields
    }

    static var visitFields: FieldValues {
        var w = FieldWriter(Visit.Field.self)
        w.set(.householdID, household)
        w.set(.kind, VisitKind.annualReview)
        w.set(.worker, worker.rawValue)
        w.set(.date, CalendarDate(year: 2026, month: 11, day: 20))
        w.set(.monthlyIncomeFen, Int64(35_000))
        w.set(.assetsFen, Int64(1_500_000))
        w.set(.livingCondition, LivingCondition.difficult)
        w.set(.recommendation, Recommendation.maintain)
        w.set(.notes, "家中老人卧床，收入略有增加")
        w.set(.corrects, nil as RecordID?)
        return w.fields
    }

    static let householdKey = RecordKey(.household, household, scope: village)
    /// The vectors' requests are a version-1 device's: still accepted (SPEC §9), and their bytes
    /// do not move with each schema version.
    static let vectorSchemaVersion: UInt32 = 1
    static let serverCreate = VersionVector([(server, 412)])

    /// A device's push: a visit, three field edits, a workflow step and a member delete.
    static var pushRequest: SyncRequest {
        let h = Schema.household
        var changes: [Change] = []
        var ctx = serverCreate
        func add(_ key: RecordKey, _ op: Change.Operation, _ context: VersionVector, _ t: Int64, _ counter: UInt64) {
            changes.append(Change(dot: Dot(device, counter), record: key, operation: op, context: context, hlc: hlc(t), author: worker,
                                  schemaVersion: vectorSchemaVersion))
        }
        add(RecordKey(.visit, visit, scope: village), .create(visitFields), VersionVector(), 0, 7)
        add(householdKey, .set(h.id("monthlyIncomeFen"), .int(35_000)), ctx, 1_000, 8)
        ctx.add(Dot(device, 8))
        add(householdKey, .set(h.id("lastReviewedOn"), .date(CalendarDate(year: 2026, month: 11, day: 20)!)), ctx, 1_001, 9)
        ctx.add(Dot(device, 9))
        add(householdKey, .set(h.id("phone"), .text("13835905678")), ctx, 1_002, 10)
        ctx.add(Dot(device, 10))
        add(householdKey, .transition(h.id("status"), from: .text("covered"), to: .text("underReview")), ctx, 1_003, 11)
        add(RecordKey(.member, member, scope: village), .delete, VersionVector([(server, 413)]), 2_000, 12)
        return SyncRequest(schemaVersion: vectorSchemaVersion, replica: device, appVersion: "1.0.0", cursors: [village: 9_001], changes: changes,
                           health: DeviceHealth(outboxCount: 6, oldestUnsyncedMilliseconds: hlc0.milliseconds, localRecords: 412,
                                                freeStorageBytes: 2_000_000_000, rejectedCount: 0),
                           pageLimit: 500, deviceTimeMilliseconds: hlc0.milliseconds + 60_000, protocolVersion: 1)
    }

    /// A fresh device's first request: nothing to push, no cursor.
    static var bootstrapRequest: SyncRequest {
        SyncRequest(schemaVersion: vectorSchemaVersion, replica: device, appVersion: "1.0.0", cursors: [:], changes: [], health: DeviceHealth(),
                    pageLimit: 500, deviceTimeMilliseconds: hlc0.milliseconds, protocolVersion: 1)
    }

    /// A household created on the server, then edited concurrently by the device and a reviewer.
    static var conflictedHousehold: RecordState {
        var state = RecordState(key: householdKey)
        let h = Schema.household
        state.apply(Change(dot: Dot(server, 412), record: householdKey, operation: .create(householdFields),
                           context: VersionVector(), hlc: hlc0, author: reviewer))
        state.apply(Change(dot: Dot(device, 8), record: householdKey, operation: .set(h.id("monthlyIncomeFen"), .int(35_000)),
                           context: serverCreate, hlc: hlc(1_000), author: worker))
        state.apply(Change(dot: Dot(server, 500), record: householdKey, operation: .set(h.id("monthlyIncomeFen"), .int(29_000)),
                           context: serverCreate, hlc: hlc(5_000), author: reviewer))
        return state
    }

    /// The answer to `pushRequest`: acks, one rejection, a page with a conflicted record, digests.
    static var pushResponse: SyncResponse {
        let page = [conflictedHousehold]
        return SyncResponse(serverTimeMilliseconds: hlc0.milliseconds + 61_000, acked: [7, 8, 9, 10, 11],
                            rejections: [Rejection(counter: 12, reason: "not_deletable", message: "member records leave by a status change")],
                            page: page, cursors: [village: 9_050], hasMore: false,
                            digests: [village: ScopeDigest.of(page)], warnings: [], protocolVersion: 1)
    }

    /// Scope changes: one village dropped, one to pull again from zero.
    static var scopeChangeResponse: SyncResponse {
        SyncResponse(serverTimeMilliseconds: hlc0.milliseconds, cursors: [otherVillage: 0], hasMore: true,
                     droppedVillages: [village], rebootstrapVillages: [otherVillage],
                     warnings: [ScopeWarning(code: "scope_budget_warning", message: "scope holds 41,200 records; warning level 40,000")],
                     protocolVersion: 1)
    }

    /// The household's handle: its sequence number on the server when the device last pulled it.
    static let householdHandle: UInt64 = 9_050

    /// The push in version 2: the household named by its handle (the visit and the member by id).
    static var pushRequestVersion2: SyncRequest {
        var request = pushRequest
        request.protocolVersion = 2
        request.recordHandles = [household: householdHandle]
        return request
    }

    /// The answer in version 2: the page gives the household's new handle.
    static var pushResponseVersion2: SyncResponse {
        var response = pushResponse
        response.protocolVersion = 2
        response.pageHandles = [householdHandle + 1]
        return response
    }

    /// The epoch the device last saw, and the one a restore gave the server (SPEC §4, "Restores").
    static let epochBefore: UInt64 = 1
    static let epochAfter: UInt64 = 0x3C5A_91D2_7E04_B6F1

    /// The push in version 2 from a device that last saw epoch 1 (a server never restored).
    static var restoredRequest: SyncRequest {
        var request = pushRequestVersion2
        request.serverEpoch = epochBefore
        return request
    }

    /// A restored server's answer to it: the batch unanswered, every village pulled from 0 and
    /// listed to re-bootstrap, the new epoch, the sequence reached and no backup yet.
    static var restoredResponse: SyncResponse {
        var response = SyncResponse(serverTimeMilliseconds: hlc0.milliseconds, page: [conflictedHousehold], cursors: [village: 9_051],
                                    digests: [village: ScopeDigest(value: conflictedHousehold.digest, recordCount: 1)],
                                    rebootstrapVillages: [village], protocolVersion: 2)
        response.pageHandles = [9_051]
        response.serverEpoch = epochAfter
        response.appliedThrough = 9_051
        response.backedUpThrough = 0
        return response
    }

    /// Version 1 vectors keep their names (the version still served); version 2's are prefixed.
    static let requests: [(String, SyncRequest)] = [("request-bootstrap", bootstrapRequest), ("request-push", pushRequest),
                                                    ("v2-request-push", pushRequestVersion2), ("v2-request-restored", restoredRequest)] + coverageRequests
    static let responses: [(String, SyncResponse)] = [("response-push", pushResponse), ("response-scope-change", scopeChangeResponse),
                                                      ("v2-response-push", pushResponseVersion2), ("v2-response-restored", restoredResponse)] + coverageResponses
}
