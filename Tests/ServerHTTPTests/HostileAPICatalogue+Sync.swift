import FieldModel
import Foundation
import SyncCore
import SyncProtocol
import TestSupport

/// `POST /v1/sync` with hostile content inside well-formed requests: each change is refused with
/// its SPEC §6 reason (the batch is answered) or the whole request with its SPEC §7 code.
extension HostileAPICatalogue {
    static let incomeCap: Int64 = 1_000_000_000
    static let assetsCap: Int64 = 100_000_000_000

    static var syncRequests: [HostileCase] {
        var cases: [HostileCase] = [
            HostileCase("sync: protocol version 3", .refused(400, "unsupported_protocol")) { s in
                var r = s.emptyRequest()
                r.protocolVersion = 3
                return s.sync(r, by: s.assistant)
            },
            HostileCase("sync: replica 0", .refused(400, "invalid_value")) { s in
                var r = s.emptyRequest()
                r.replica = ReplicaID(0)
                return s.sync(r, by: s.assistant)
            },
            HostileCase("sync: the reviewer's replica with the assistant's token", .refused(403, "replica_mismatch")) { s in
                s.sync(s.emptyRequest(s.reviewer), by: s.assistant)
            },
            HostileCase("sync: a schema version ahead of the server's", .refused(426, "schema_too_new")) { s in
                var r = s.emptyRequest()
                r.schemaVersion = Schema.version + 1
                return s.sync(r, by: s.assistant)
            },
            HostileCase("sync: app version of 65 bytes", .refused(413, "too_many_elements")) { s in
                var r = s.emptyRequest()
                r.appVersion = String(repeating: "v", count: 65)
                return s.sync(r, by: s.assistant)
            },
            HostileCase("sync: 2,001 changes, one over the batch cap", .refused(413, "too_many_elements")) { s in
                let ops = (0..<MessageLimits.standard.maxChanges + 1).map { Change.Operation.set(Schema.household.id("phone"), .text("1390000\(String(format: "%04d", $0 % 10_000))")) }
                return try s.push(ops, on: s.household.key)
            },
            HostileCase("sync: a text value of 16 KiB + 1", .refused(413, "too_many_elements")) { s in
                try s.set("notes", .text(String(repeating: "备", count: 5_462)))
            },
            HostileCase("sync: a change in village code 140821000201 (no township)", .refused(400, "invalid_value")) { s in
                try s.push(.set(Schema.household.id("phone"), .text("13900001111")),
                           on: RecordKey(.household, s.household.key.id, scope: VillageCode(uncheckedRawValue: 140_821_000_201)))
            },
            HostileCase("sync: a cursor for village code 1", .refused(400, "invalid_value")) { s in
                var r = s.emptyRequest()
                r.cursors = [VillageCode(uncheckedRawValue: 1): 0]
                return s.sync(r, by: s.assistant)
            },
            HostileCase("sync: 20,001 cursors", .refused(413, "too_many_elements")) { s in
                var r = s.emptyRequest()
                let county = UInt64(s.A.county.rawValue) * 1_000_000
                for n in 0..<20_001 { r.cursors[VillageCode(uncheckedRawValue: county + UInt64(n / 999 + 1) * 1000 + UInt64(n % 999 + 1))] = 1 }
                return s.sync(r, by: s.assistant)
            },
            HostileCase("sync: the same dot twice in one batch", .refused(400, "inconsistent_message")) { s in
                let counter = s.nextCounter(s.assistant)
                let change = Change(dot: Dot(s.assistant.identity.replica, counter), record: s.household.key,
                                    operation: .set(Schema.household.id("phone"), .text("13900003333")), context: s.household.version,
                                    hlc: HLCTimestamp(milliseconds: s.now, logical: 0), author: s.assistant.identity.worker.id)
                var r = s.emptyRequest()
                r.changes = [change, change]
                return s.sync(r, by: s.assistant)
            },
            HostileCase("sync: one dot with two contents in one batch", .refused(400, "inconsistent_message")) { s in
                let counter = s.nextCounter(s.assistant)
                let changes = ["13900003334", "13900003335"].map { phone in
                    Change(dot: Dot(s.assistant.identity.replica, counter), record: s.household.key,
                           operation: .set(Schema.household.id("phone"), .text(phone)), context: s.household.version,
                           hlc: HLCTimestamp(milliseconds: s.now, logical: 0), author: s.assistant.identity.worker.id)
                }
                var r = s.emptyRequest()
                r.changes = changes
                return s.sync(r, by: s.assistant)
            },
            HostileCase("sync: a body of 1 MiB + 1 bytes", .refused(413, "body_too_large")) { s in
                var r = s.sync(s.emptyRequest(), by: s.assistant)
                r.body = [UInt8](repeating: 0x42, count: (1 << 20) + 1)
                return r
            },
        ]
        cases += scopeAndRole + workflowAndShape + valueSweeps + causality
        return cases
    }

    /// Writes outside the worker's villages or above the worker's role.
    static var scopeAndRole: [HostileCase] {
        [
            .rejected("sync: the assistant sets a phone in village B", "outside_scope") { s in try s.set("phone", .text("13900001111"), of: s.householdB) },
            .rejected("sync: the assistant creates a household in village B", "outside_scope") { s in
                let (key, op) = s.householdCreate(in: s.B)
                return try s.push(op, on: key, context: VersionVector())
            },
            .rejected("sync: the assistant deletes a household of village B", "outside_scope") { s in try s.push(.delete, on: s.householdB.key) },
            .rejected("sync: the assistant records a visit in village B", "outside_scope") { s in
                let (key, op) = s.visitCreate(at: s.householdB)
                return try s.push(op, on: key, context: VersionVector())
            },
            .rejected("sync: village B's household relabelled as village A", "outside_scope") { s in
                try s.push(.set(Schema.household.id("phone"), .text("13900001111")), on: RecordKey(.household, s.householdB.key.id, scope: s.A))
            },
            .rejected("sync: the reviewer sets a phone in another township", "outside_scope") { s in
                try s.set("phone", .text("13900001111"), of: s.householdFar, by: s.reviewer)
            },
            .rejected("sync: the assistant sets the subsidy amount", "role_not_allowed") { s in try s.set("monthlyAmountFen", .int(99_900)) },
            .rejected("sync: the assistant sets the local standard", "role_not_allowed") { s in try s.set("monthlyStandardFen", .int(99_900)) },
            .rejected("sync: the assistant sets the coverage date", "role_not_allowed") { s in try s.set("coveredSince", .date(s.today)) },
            .rejected("sync: the reviewer sets the coverage date", "role_not_allowed") { s in try s.set("coveredSince", .date(s.today), by: s.reviewer) },
            .rejected("sync: the assistant moves a household to exited", "role_not_allowed") { s in
                try s.push(.transition(Schema.household.id("status"), from: .text("covered"), to: .text("exited")), on: s.household.key)
            },
            .rejected("sync: the assistant creates a public notice", "role_not_allowed") { s in
                let values: FieldValues = [FieldID(1): .ids([s.household.key.id]), FieldID(2): .date(s.today), FieldID(3): .date(s.today.adding(days: 7))]
                return try s.push(.create(values), on: RecordKey(.publicNotice, s.freshID(), scope: s.A), context: VersionVector())
            },
            .rejected("sync: the assistant resolves the income conflict", "role_not_allowed") { s in
                try s.push(.set(Schema.household.id("monthlyIncomeFen"), .int(42_000)), on: s.conflicted.key, context: s.conflicted.version)
            },
            .rejected("sync: the assistant creates a household already covered", "invalid_transition") { s in
                let (key, op) = s.householdCreate(["status": .text("covered")])
                return try s.push(op, on: key, context: VersionVector())
            },
            .rejected("sync: the assistant creates a household with a subsidy amount", "role_not_allowed") { s in
                let (key, op) = s.householdCreate(["monthlyAmountFen": .int(88_800)])
                return try s.push(op, on: key, context: VersionVector())
            },
            .rejected("sync: the assistant creates a household with a coverage date", "role_not_allowed") { s in
                let (key, op) = s.householdCreate(["coveredSince": .date(s.today)])
                return try s.push(op, on: key, context: VersionVector())
            },
            .rejected("sync: a visit recorded in another worker's name", "role_not_allowed") { s in
                let (key, op) = s.visitCreate(["worker": .text(s.reviewer.identity.worker.id.rawValue)])
                return try s.push(op, on: key, context: VersionVector())
            },
            .rejected("sync: a change names its record by a handle the server never gave", "unknown_handle") { s in
                let device = s.assistant
                let change = Change(dot: Dot(device.identity.replica, s.nextCounter(device)), record: s.household.key,
                                    operation: .set(Schema.household.id("phone"), .text("13900001111")), context: s.household.version,
                                    hlc: HLCTimestamp(milliseconds: s.now, logical: 0), author: device.identity.worker.id)
                var request = SyncRequest(replica: device.identity.replica, appVersion: "hostile", cursors: [:], changes: [change],
                                          health: DeviceHealth(), pageLimit: 1, deviceTimeMilliseconds: s.now)
                request.recordHandles = [s.household.key.id: UInt64(Int64.max)]
                return s.sync(request, by: device)
            },
            .rejected("sync: a change signed by the reviewer", "author_mismatch") { s in
                try s.push(.set(Schema.household.id("phone"), .text("13900001111")), on: s.household.key, author: s.reviewer.identity.worker.id)
            },
            .rejected("sync: a change signed by the administrator", "author_mismatch") { s in
                try s.push(.set(Schema.household.id("phone"), .text("13900001111")), on: s.household.key, author: WorkerID(unchecked: "admin"))
            },
            .rejected("sync: the assistant changes the income of a relative's household", "recusal") { s in
                try s.set("monthlyIncomeFen", .int(1_00), of: s.relative)
            },
            .rejected("sync: the assistant records a review visit at a relative's household", "recusal") { s in
                let (key, op) = s.visitCreate(at: s.relative, kind: .annualReview)
                return try s.push(op, on: key, context: VersionVector())
            },
        ]
    }

    /// Unknown fields, immutable fields, workflow steps, records that do not exist or do not fit.
    static var workflowAndShape: [HostileCase] {
        [
            .rejected("sync: field 99 of a household", "unknown_field") { s in try s.push(.set(FieldID(99), .text("x")), on: s.household.key) },
            .rejected("sync: a household create with an extra field 99", "unknown_field") { s in
                let (key, op) = s.householdCreate()
                guard case .create(var values) = op else { throw TestFailure("not a create") }
                values[FieldID(99)] = .int(1)
                return try s.push(.create(values), on: key, context: VersionVector())
            },
            .rejected("sync: a transition of field 99", "unknown_field") { s in
                try s.push(.transition(FieldID(99), from: .text("applied"), to: .text("investigated")), on: s.household.key)
            },
            .rejected("sync: a plain write of the status", "invalid_transition") { s in try s.set("status", .text("covered")) },
            .rejected("sync: a transition of the phone", "invalid_transition") { s in
                try s.push(.transition(Schema.household.id("phone"), from: .text("1"), to: .text("2")), on: s.household.key)
            },
            .rejected("sync: the reviewer moves a household from covered back to applied", "invalid_transition") { s in
                try s.push(.transition(Schema.household.id("status"), from: .text("covered"), to: .text("applied")), on: s.household.key, by: s.reviewer)
            },
            .rejected("sync: the application date rewritten", "immutable") { s in try s.set("appliedOn", .date(s.today)) },
            .rejected("sync: a member moved to another household", "immutable") { s in
                try s.set("householdID", .id(s.conflicted.key.id), of: s.member)
            },
            .rejected("sync: a visit's kind rewritten", "immutable") { s in try s.set("kind", .text("annualReview"), of: s.visit) },
            .rejected("sync: a phone set on a household never created", "unknown_record") { s in
                try s.push(.set(Schema.household.id("phone"), .text("13900001111")), on: RecordKey(.household, s.freshID(), scope: s.A), context: VersionVector())
            },
            .rejected("sync: a delete of a household never created", "unknown_record") { s in
                try s.push(.delete, on: RecordKey(.household, s.freshID(), scope: s.A), context: VersionVector())
            },
            .rejected("sync: a delete of a member never created", "unknown_record") { s in
                try s.push(.delete, on: RecordKey(.member, s.freshID(), scope: s.A), context: VersionVector())
            },
            .rejected("sync: a transition of a household never created", "unknown_record") { s in
                try s.push(.transition(Schema.household.id("status"), from: .text("applied"), to: .text("investigated")),
                           on: RecordKey(.household, s.freshID(), scope: s.A), context: VersionVector())
            },
            .rejected("sync: a delete of a visit", "not_deletable") { s in try s.push(.delete, on: s.visit.key) },
            .rejected("sync: a create of an existing household's id", "duplicate_create") { s in
                let (_, op) = s.householdCreate()
                return try s.push(op, on: s.household.key, context: VersionVector())
            },
            .rejected("sync: a member of village B's household placed in village A", "wrong_record") { s in
                let base = try requireValue(ScopeFixture.village(s.B).members.first)
                var values = base.fieldValues
                values[Schema.member.id("householdID")] = .id(s.householdB.key.id)
                return try s.push(.create(values), on: RecordKey(.member, s.freshID(), scope: s.A), context: VersionVector())
            },
            .rejected("sync: a household's id written as a member", "wrong_record") { s in
                try s.push(.set(Schema.member.id("name"), .text("王五")), on: RecordKey(.member, s.household.key.id, scope: s.A))
            },
        ]
    }

    /// Contexts and counters that no honest device sends, and clocks far ahead.
    static var causality: [HostileCase] {
        @Sendable func phone(_ s: HostileStage, context: VersionVector? = nil, hlc: HLCTimestamp? = nil, schema: UInt32 = Schema.version) throws -> HostileRequest {
            try s.push(.set(Schema.household.id("phone"), .text("13900004444")), on: s.household.key, context: context, hlc: hlc, schemaVersion: schema)
        }
        return [
            .rejected("sync: a context claiming 1,000 server writes more", "context_ahead") { s in
                try phone(s, context: s.household.version.merging(VersionVector([(Deployment.serverReplica, s.household.version[Deployment.serverReplica] + 1_000)])))
            },
            .rejected("sync: a context claiming a replica that never wrote the record", "context_ahead") { s in
                try phone(s, context: s.household.version.merging(VersionVector([(ReplicaID(0xDEAD), 5)])))
            },
            .rejected("sync: a context claiming the sender's own later write", "context_ahead") { s in
                try phone(s, context: s.household.version.merging(VersionVector([(s.assistant.identity.replica, 1 << 40)])))
            },
            .rejected("sync: a context claiming counter 2^64-1", "context_ahead") { s in
                try phone(s, context: s.household.version.merging(VersionVector([(Deployment.serverReplica, UInt64.max)])))
            },
            .rejected("sync: a context that forgets the sender's own applied write", "context_regressed") { s in
                try phone(s, context: s.ownWrite.context)
            },
            .rejected("sync: a counter below one already sent", "counter_regressed") { s in
                try s.push([.set(Schema.household.id("phone"), .text("13900005555"))], on: s.household.key, counter: s.skippedCounter)
            },
            .rejected("sync: an applied dot re-sent with other content", "dot_reused") { s in
                try s.push([.set(Schema.household.id("phone"), .text("13900006666"))], on: s.household.key, context: s.ownWrite.context,
                           counter: s.ownWrite.dot.counter)
            },
            .rejected("sync: a change stamped two days ahead", "clock_ahead") { s in
                try phone(s, hlc: HLCTimestamp(milliseconds: s.now + 2 * 86_400_000, logical: 0))
            },
            .rejected("sync: a change stamped in the year 10889", "clock_ahead") { s in
                try phone(s, hlc: HLCTimestamp(rawValue: UInt64.max))
            },
            .rejected("sync: a change written under schema 0", "unknown_schema_version") { s in try phone(s, schema: 0) },
            .rejected("sync: a change written under a schema ahead of the server's", "unknown_schema_version") { s in try phone(s, schema: Schema.version + 1) },
        ]
    }
}
