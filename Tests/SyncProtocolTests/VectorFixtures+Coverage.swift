import FieldModel
import SyncCore
@testable import SyncProtocol

/// The vectors that cover the rest of the protocol (SPEC §10): a create of every collection with a
/// `schema_versions` column, a page holding every value kind and a tombstone, every rejection
/// reason, and the repair exchange.
extension VectorFixtures {
    static let reviewerDevice = ReplicaID(0x7F3A_0000_0000_0002)
    static let lead = RecordID(uuidString: "019a2b3c-4d5e-7f63-ba1b-2c3d4e5f6074")!
    static let filing = RecordID(uuidString: "019a2b3c-4d5e-7f64-8a1b-2c3d4e5f6075")!
    static let notice = RecordID(uuidString: "019a2b3c-4d5e-7f65-9a1b-2c3d4e5f6076")!
    static let newHousehold = RecordID(uuidString: "019a2b3c-4d5e-7f66-aa1b-2c3d4e5f6077")!
    static let secondMember = RecordID(uuidString: "019a2b3c-4d5e-7f67-ba1b-2c3d4e5f6078")!
    static let thirdMember = RecordID(uuidString: "019a2b3c-4d5e-7f68-8a1b-2c3d4e5f6079")!

    static var applicationFields: FieldValues {
        var w = FieldWriter(Household.Field.self)
        w.set(.headName, "赵桂兰")
        w.set(.headIDNumber, "140821195807150023")
        w.set(.addressDetail, "东张村一组3号")
        w.set(.phone, "0359-5601234")
        w.set(.category, HouseholdCategory.ruralDibao)
        w.set(.classification, EconomicClassification.unstableIncome)
        w.set(.status, WorkflowStatus.applied)
        w.set(.monthlyStandardFen, Int64(0))
        w.set(.monthlyAmountFen, Int64(0))
        w.set(.monthlyIncomeFen, Int64(18_000))
        w.set(.assetsFen, Int64(0))
        w.set(.appliedOn, CalendarDate(year: 2026, month: 11, day: 21))
        w.set(.notes, "")
        return w.fields
    }

    static func memberFields(name: String, idNumber: String, relation: Relation, ill: Bool) -> FieldValues {
        var w = FieldWriter(Member.Field.self)
        w.set(.householdID, household)
        w.set(.name, name)
        w.set(.idNumber, idNumber)
        w.set(.relation, relation)
        w.set(.disabilityKind, DisabilityKind.physical)
        w.set(.disabilityGrade, Int64(3))
        w.set(.seriousIllness, ill)
        w.set(.labourAbility, LabourAbility.partial)
        w.set(.status, MemberStatus.present)
        return w.fields
    }

    static var leadFields: FieldValues {
        var w = FieldWriter(DiscoveryLead.Field.self)
        w.set(.recordedBy, reviewer.rawValue)
        w.set(.foundBy, "村民小组长")
        w.set(.personName, "孙长根")
        w.set(.addressDetail, "东张村五组")
        w.set(.difficulty, Difficulty.elderly)
        w.set(.description, "独居，无固定收入")
        w.set(.reportedOn, CalendarDate(year: 2026, month: 11, day: 21))
        w.set(.followUpStatus, FollowUpStatus.open)
        return w.fields
    }

    static var filingFields: FieldValues {
        var w = FieldWriter(RelativeFiling.Field.self)
        w.set(.staff, reviewer.rawValue)
        w.set(.household, newHousehold)
        w.set(.relation, CloseRelation.sibling)
        w.set(.filedOn, CalendarDate(year: 2026, month: 11, day: 21))
        w.set(.withdrawnOn, nil as CalendarDate?)
        return w.fields
    }

    static var noticeFields: FieldValues {
        var w = FieldWriter(PublicNotice.Field.self)
        w.set(.households, .ids([household, newHousehold]))
        w.set(.startsOn, CalendarDate(year: 2026, month: 11, day: 21))
        w.set(.endsOn, CalendarDate(year: 2026, month: 11, day: 27))
        w.set(.objectionCount, Int64(0))
        w.set(.objectionNotes, "")
        return w.fields
    }

    /// A township reviewer's device creates one record of every collection; the household was
    /// written before the app's upgrade, under schema version 1, so `schema_versions` is sent.
    static var createEveryCollectionRequest: SyncRequest {
        let creates: [(RecordKey, FieldValues, UInt32)] = [
            (RecordKey(.household, newHousehold, scope: village), applicationFields, 1),
            (RecordKey(.member, secondMember, scope: village), memberFields(name: "赵小军", idNumber: "140821198203040011", relation: .child, ill: false), 2),
            (RecordKey(.visit, visit, scope: village), visitFields, 2),
            (RecordKey(.discoveryLead, lead, scope: village), leadFields, 2),
            (RecordKey(.relativeFiling, filing, scope: village), filingFields, 2),
            (RecordKey(.publicNotice, notice, scope: village), noticeFields, 2),
        ]
        let changes = creates.enumerated().map { i, create in
            Change(dot: Dot(reviewerDevice, UInt64(31 + i)), record: create.0, operation: .create(create.1), context: VersionVector(),
                   hlc: hlc(Int64(10_000 + 1_000 * i)), author: reviewer, schemaVersion: create.2)
        }
        return SyncRequest(schemaVersion: Schema.version, replica: reviewerDevice, appVersion: "1.1.0", cursors: [village: 9_050],
                           changes: changes, health: DeviceHealth(outboxCount: 6, oldestUnsyncedMilliseconds: hlc0.milliseconds + 10_000,
                                                                   localRecords: 1, freeStorageBytes: nil, rejectedCount: 0),
                           pageLimit: 500, deviceTimeMilliseconds: hlc0.milliseconds + 20_000, protocolVersion: 1)
    }

    static func created(_ collection: RecordCollection, _ id: RecordID, _ fields: FieldValues, dot: Dot, at t: Int64, by author: WorkerID) -> RecordState {
        var state = RecordState(key: RecordKey(collection, id, scope: village))
        state.apply(Change(dot: dot, record: state.key, operation: .create(fields), context: VersionVector(), hlc: hlc(t), author: author))
        return state
    }

    /// A member created, then deleted by its author: a tombstone and no field left.
    static var deletedMember: RecordState {
        var state = created(.member, member, memberFields(name: "王小红", idNumber: "14082119900101002X", relation: .child, ill: true),
                            dot: Dot(device, 3), at: -5_000, by: worker)
        state.apply(Change(dot: Dot(device, 4), record: state.key, operation: .delete, context: VersionVector([(device, 3)]),
                           hlc: hlc(-4_000), author: worker))
        return state
    }

    /// The village's records as a page: every collection, every value kind (0–9), a conflict and
    /// a tombstone.
    static var everyKindPage: [RecordState] {
        [conflictedHousehold, deletedMember,
         created(.member, secondMember, memberFields(name: "赵小军", idNumber: "140821198203040011", relation: .child, ill: false),
                 dot: Dot(server, 414), at: 2_000, by: reviewer),
         created(.member, thirdMember, memberFields(name: "王秀兰", idNumber: "140821194001010027", relation: .parent, ill: true),
                 dot: Dot(server, 415), at: 2_500, by: reviewer),
         created(.visit, visit, visitFields, dot: Dot(device, 7), at: 0, by: worker),
         created(.discoveryLead, lead, leadFields, dot: Dot(reviewerDevice, 34), at: 13_000, by: reviewer),
         created(.relativeFiling, filing, filingFields, dot: Dot(reviewerDevice, 35), at: 14_000, by: reviewer),
         created(.publicNotice, notice, noticeFields, dot: Dot(reviewerDevice, 36), at: 15_000, by: reviewer)]
    }

    /// The digest of a village over its live records (a deleted record contributes nothing).
    static func villageDigest(_ states: [RecordState]) -> ScopeDigest { ScopeDigest.of(states.filter { !$0.isDeleted }) }

    static var everyKindResponse: SyncResponse {
        SyncResponse(serverTimeMilliseconds: hlc0.milliseconds + 90_000, page: everyKindPage, cursors: [village: 9_120], hasMore: false,
                     digests: [village: villageDigest(everyKindPage)], warnings: [], protocolVersion: 1)
    }

    /// Every reason of SPEC §6, one rejected change each, in the table's order.
    static let rejectionReasons = [
        "outside_scope", "recusal", "role_not_allowed", "invalid_value", "invalid_transition", "immutable", "unknown_field",
        "dot_reused", "duplicate_create", "not_deletable", "wrong_record", "context_ahead", "context_regressed", "counter_regressed",
        "clock_ahead", "unknown_schema_version", "author_mismatch", "unknown_record", "status_mismatch", "status_conflict",
        "separation_of_duties", "notice_not_ready", "creation_budget", "unknown_handle",
    ]

    static var rejectionsResponse: SyncResponse {
        SyncResponse(serverTimeMilliseconds: hlc0.milliseconds + 120_000, acked: [40],
                     rejections: rejectionReasons.enumerated().map { i, reason in
                         Rejection(counter: UInt64(41 + i), reason: reason, message: "change \(41 + i) refused: \(reason)")
                     },
                     cursors: [village: 9_120], hasMore: false, digests: [village: villageDigest(everyKindPage)], warnings: [],
                     protocolVersion: 1)
    }

    /// After a digest mismatch the device drops the village and pulls it from 0: its cursor is
    /// left out (a village in scope the request does not name starts at 0); the other stays.
    static var repairRequest: SyncRequest {
        SyncRequest(schemaVersion: Schema.version, replica: device, appVersion: "1.1.0", cursors: [otherVillage: 77], changes: [],
                    health: DeviceHealth(outboxCount: 0, localRecords: 3, freeStorageBytes: 1_500_000_000), pageLimit: 500,
                    deviceTimeMilliseconds: hlc0.milliseconds + 100_000, protocolVersion: 1)
    }

    /// The repair's answer: the village's every record (a tombstone included), its cursor and digest.
    static var repairResponse: SyncResponse {
        let page = Array(everyKindPage.prefix(4))
        return SyncResponse(serverTimeMilliseconds: hlc0.milliseconds + 100_500, page: page, cursors: [village: 9_120, otherVillage: 77],
                            hasMore: false, digests: [village: villageDigest(page), otherVillage: ScopeDigest()], warnings: [],
                            protocolVersion: 1)
    }

    static let coverageRequests: [(String, SyncRequest)] = [("request-create-every-collection", createEveryCollectionRequest),
                                                            ("request-repair", repairRequest)]
    static let coverageResponses: [(String, SyncResponse)] = [("response-page-every-kind", everyKindResponse),
                                                              ("response-rejections", rejectionsResponse),
                                                              ("response-repair", repairResponse)]
}
