import FieldModel
import SyncCore

/// The checks a change passes before it is merged, in the order SPEC §6 documents: the first
/// one that fails gives the rejection reason.
extension BatchRun {
    /// A new dot below one already processed from the same replica: a restored backup or a
    /// device reusing counters. Counters start at 1.
    func checkCounter(_ c: Change) throws(ChangeRejection) {
        guard c.dot.counter > 0 else { throw ChangeRejection(.invalidValue, "dot \(c.dot) has counter 0; counters start at 1") }
        guard c.dot.replica != planner.serverReplica, c.dot.counter < highestCounter else { return }
        throw ChangeRejection(.counterRegressed,
                              "\(c.dot) is new but replica \(c.dot.replica) already sent counter \(highestCounter)")
    }

    func check(_ c: Change, stored: RecordState?) throws(ChangeRejection) {
        guard c.schemaVersion >= Schema.oldestSupportedVersion, c.schemaVersion <= Schema.version else {
            throw ChangeRejection(.unknownSchemaVersion,
                                  "\(c.dot) was written under schema \(c.schemaVersion); the server accepts \(Schema.oldestSupportedVersion)…\(Schema.version)")
        }
        // A collection added by a later schema cannot have been written under an earlier one.
        guard c.schemaVersion >= c.record.collection.introducedInSchema else {
            throw ChangeRejection(.unknownSchemaVersion,
                                  "\(c.dot) writes a \(c.record.collection.name) record under schema \(c.schemaVersion); that collection exists from schema \(c.record.collection.introducedInSchema)")
        }
        let worker = planner.authority.workerID
        guard c.author == worker else {
            throw ChangeRejection(.authorMismatch, "\(c.dot) is signed by \(c.author); the device belongs to \(worker)")
        }
        guard c.hlc.milliseconds <= now + planner.clockAheadTolerance else {
            throw ChangeRejection(.clockAhead,
                                  "\(c.dot) is stamped \(c.hlc.milliseconds) ms, \(c.hlc.milliseconds - now) ms ahead of the server's \(now)")
        }
        if case .worker(let w) = planner.authority { try checkScope(c, stored: stored, Jurisdiction(w)) }
        if let stored, stored.key.collection != c.record.collection || stored.key.scope != c.record.scope {
            throw ChangeRejection(.wrongRecord, "\(c.dot) names \(c.record), but the server holds that id as \(stored.key)")
        }
        if case .worker(let w) = planner.authority {
            try checkRole(c, w.role)
            try checkCreate(c, w)
            try checkResolution(c, stored: stored, w.role)
        }
        try checkValues(c)
        try checkHousehold(c)
        try checkAttachmentParent(c)
        if case .worker(let w) = planner.authority { try checkRecusal(c, stored: stored, w.id) }
        // A purged record is unknown, not a forged context: say so first.
        if stored == nil, !c.isCreate {
            throw ChangeRejection(.unknownRecord, "\(c.record) was never created (or was purged); \(c.dot) cannot change it")
        }
        try checkContext(c, stored: stored)
        if case .worker(let w) = planner.authority { try checkPolicy(c, stored: stored, w) }
    }

    func checkScope(_ c: Change, stored: RecordState?, _ j: Jurisdiction) throws(ChangeRejection) {
        for village in [c.record.scope] + (stored.map { [$0.key.scope] } ?? []) where !j.canWrite(village) {
            throw ChangeRejection(.outsideScope,
                                  "a \(j.role.rawValue) assigned \(j.assignment.summary) may not write \(c.record.collection.name) records of village \(village)")
        }
    }

    func checkRole(_ c: Change, _ role: Role) throws(ChangeRejection) {
        let schema = c.record.collection.schema
        let name = c.record.collection.name
        switch c.operation {
        case .create:
            guard schema.creators.contains(role) else { throw ChangeRejection(.roleNotAllowed, "a \(role.rawValue) may not create \(name) records") }
        case .delete:
            guard schema.creators.contains(role) else { throw ChangeRejection(.roleNotAllowed, "a \(role.rawValue) may not delete \(name) records") }
        case .set(let id, _):
            // Unknown, immutable and workflow fields are refused by the value checks, with their own reasons.
            guard let spec = schema.field(id), spec.merge == .review || spec.merge == .lww else { return }
            guard spec.writers.contains(role) else { throw ChangeRejection(.roleNotAllowed, "a \(role.rawValue) may not change \(name).\(spec.name)") }
        case .transition(let id, _, let to):
            guard let spec = schema.field(id), spec.merge == .workflow,
                  let target = to.textValue.flatMap(WorkflowStatus.init(rawValue:)) else { return }
            guard Workflow.roles(into: target).contains(role) else {
                throw ChangeRejection(.roleNotAllowed, "a \(role.rawValue) may not move a \(name) into \(target.rawValue)")
            }
        }
    }

    /// A create holds only what its writer may set (`CollectionSchema.checkCreate`).
    func checkCreate(_ c: Change, _ worker: Worker) throws(ChangeRejection) {
        guard case .create(let values) = c.operation else { return }
        do throws(RuleViolation) {
            try c.record.collection.schema.checkCreate(values, by: worker)
        } catch {
            throw ChangeRejection(error.code == .invalidTransition ? .invalidTransition : .roleNotAllowed, error.message)
        }
    }

    /// A write whose context covers several concurrent values of a review field resolves the
    /// conflict: that is a reviewer's decision, refused from a village assistant (whose device
    /// refuses it too; a stale device that saw only one value adds a sibling instead).
    func checkResolution(_ c: Change, stored: RecordState?, _ role: Role) throws(ChangeRejection) {
        guard role == .villageAssistant, case .set(let id, _) = c.operation,
              c.record.collection.schema.field(id)?.merge == .review,
              let siblings = stored?.fields[id]?.siblings, siblings.count > 1,
              siblings.filter({ c.context.covers($0.dot) }).count > 1 else { return }
        throw ChangeRejection(.roleNotAllowed,
                              "\(c.dot) would resolve the conflict of \(c.record.collection.name) field \(id) (\(siblings.count) values); a reviewer must")
    }

    /// Field numbers, policies and values, as of today in China Standard Time.
    func checkValues(_ c: Change) throws(ChangeRejection) {
        let collection = c.record.collection
        let schema = collection.schema
        func valid(_ body: () throws(ValidationError) -> Void) throws(ChangeRejection) {
            do { try body() } catch { throw ChangeRejection(.invalidValue, error.description) }
        }
        func known(_ id: FieldID) throws(ChangeRejection) -> FieldSpec {
            guard let spec = schema.field(id) else { throw ChangeRejection(.unknownField, "\(collection.name) has no field \(id)") }
            return spec
        }
        switch c.operation {
        case .create(let values):
            for id in values.keys.sorted() { _ = try known(id) }
            try valid { () throws(ValidationError) in try schema.validateCreate(values, asOf: today, settings: planner.settings) }
        case .set(let id, let value):
            let spec = try known(id)
            switch spec.merge {
            case .immutable: throw ChangeRejection(.immutable, "\(collection.name).\(spec.name) is set once at creation; record a correction instead")
            case .workflow: throw ChangeRejection(.invalidTransition, "\(collection.name).\(spec.name) changes only by a workflow transition")
            case .review, .lww: try valid { () throws(ValidationError) in try spec.validate(value, in: collection, asOf: today) }
            }
        case .transition(let id, let from, let to):
            let spec = try known(id)
            guard spec.merge == .workflow else {
                throw ChangeRejection(.invalidTransition, "\(collection.name).\(spec.name) is not a workflow field")
            }
            try valid { () throws(ValidationError) in try spec.validate(from, in: collection, asOf: today) }
            try valid { () throws(ValidationError) in try spec.validate(to, in: collection, asOf: today) }
            guard Schema.isAllowedTransition(from: from, to: to) else {
                throw ChangeRejection(.invalidTransition, "\(collection.name).\(spec.name): \(from) → \(to) is not an allowed step")
            }
        case .delete:
            break
        }
    }

    /// A member, visit or filing lives in its household's village (a device holding the village
    /// must hold both), and its household reference names a household; a notice lists only
    /// households of its own village (the gates read a household's village's notices).
    func checkHousehold(_ c: Change) throws(ChangeRejection) {
        guard case .create(let values) = c.operation else { return }
        let named = RecordLinks.household(in: values, of: c.record.collection).map { [$0] } ?? []
        for id in named + RecordLinks.listedHouseholds(in: values, of: c.record.collection) {
            guard let household = states[id] else { continue }
            guard household.key.collection == .household else {
                throw ChangeRejection(.invalidValue, "\(c.record.collection.name) \(c.record.id) names \(household.key), which is not a household")
            }
            guard household.key.scope == c.record.scope else {
                throw ChangeRejection(.wrongRecord,
                                      "\(c.record) names household \(id) of village \(household.key.scope); it must be placed in that village")
            }
        }
    }

    /// An attachment's record is one the server holds, not deleted, of the collection its field
    /// names, in the attachment's village and of the attachment's household: evidence never
    /// hangs on a record that is not there, nor leaks into another village's pulls.
    func checkAttachmentParent(_ c: Change) throws(ChangeRejection) {
        guard c.record.collection == .attachment, case .create(let values) = c.operation else { return }
        for (field, collection) in RecordLinks.attachmentParents {
            guard let id = values[field.id]?.idValue else { continue }
            guard let parent = states[id], !parent.isDeleted else {
                throw ChangeRejection(.wrongRecord, "attachment \(c.record.id) names \(collection.name) \(id), which the server does not hold")
            }
            guard parent.key.collection == collection, parent.key.scope == c.record.scope else {
                throw ChangeRejection(.wrongRecord, "attachment \(c.record.id)@\(c.record.scope) names \(field.rawValue) \(id), but the server holds that id as \(parent.key)")
            }
            if collection != .household, collection != .discoveryLead,
               let household = values[Attachment.Field.householdID.id]?.idValue, RecordLinks.household(of: parent) != household {
                throw ChangeRejection(.wrongRecord, "attachment \(c.record.id) names \(parent.key) of another household than its own \(household)")
            }
        }
    }

    /// 回避: eligibility writes about a household the author filed as a relative's.
    func checkRecusal(_ c: Change, stored: RecordState?, _ worker: WorkerID) throws(ChangeRejection) {
        let schema = c.record.collection.schema
        do throws(RuleViolation) {
            switch (c.record.collection, c.operation) {
            case (.household, .set(let id, _)), (.household, .transition(let id, _, _)):
                if let spec = schema.field(id) { try Recusal.checkFieldWrite(spec, by: worker, at: c.record.id, filings: filings) }
            case (.member, .set(let id, _)):
                if let spec = schema.field(id), let household = stored.flatMap(RecordLinks.household(of:)) {
                    try Recusal.checkFieldWrite(spec, by: worker, at: household, filings: filings)
                }
            case (.visit, .create(let values)):
                if let kind = values[Visit.Field.kind.id]?.textValue.flatMap(VisitKind.init(rawValue:)),
                   let household = RecordLinks.household(in: values, of: .visit) {
                    try Recusal.checkVisit(kind, by: worker, at: household, filings: filings)
                }
            case (.household, .delete):
                try Recusal.checkMembership("delete the household", by: worker, at: c.record.id, filings: filings)
            case (.member, .create(let values)):
                if let household = RecordLinks.household(in: values, of: .member) {
                    try Recusal.checkMembership("add a member to the household", by: worker, at: household, filings: filings)
                }
            case (.member, .delete):
                if let household = stored.flatMap(RecordLinks.household(of:)) {
                    try Recusal.checkMembership("delete a member of the household", by: worker, at: household, filings: filings)
                }
            case (.attachment, .create(let values)):
                if let household = RecordLinks.household(in: values, of: .attachment) {
                    try Recusal.checkMembership("attach evidence to the household", by: worker, at: household, filings: filings)
                }
            case (.attachment, .delete):
                if let household = stored.flatMap(RecordLinks.household(of:)) {
                    try Recusal.checkMembership("delete evidence of the household", by: worker, at: household, filings: filings)
                }
            default:
                break
            }
        } catch {
            throw ChangeRejection(.recusal, error.message)
        }
    }

    /// The context may claim only writes the server holds for the record, and, of the sender's
    /// own, only writes made before this one: anything else is forged or corrupted.
    func checkContext(_ c: Change, stored: RecordState?) throws(ChangeRejection) {
        let version = stored?.version ?? VersionVector()
        for entry in c.context.entries {
            if entry.replica == c.dot.replica {
                guard entry.counter < c.dot.counter else {
                    throw ChangeRejection(.contextAhead, "\(c.dot)'s context claims its own write \(entry.replica):\(entry.counter), not made before it")
                }
            } else if entry.counter > version[entry.replica] {
                throw ChangeRejection(.contextAhead,
                                      "\(c.dot)'s context claims \(entry.replica):\(entry.counter); the server holds \(c.record.id) at \(entry.replica):\(version[entry.replica])")
            }
        }
        // A writer always sees its own earlier writes to the record: a context that forgets one
        // the server applied goes backwards (a forged or corrupted context, or a restored device).
        if !c.isCreate, version[c.dot.replica] > c.context[c.dot.replica] {
            throw ChangeRejection(.contextRegressed,
                                  "\(c.dot)'s context holds \(c.dot.replica):\(c.context[c.dot.replica]) of \(c.record.id), but the server applied its write \(c.dot.replica):\(version[c.dot.replica])")
        }
    }
}

extension Change {
    var isCreate: Bool { if case .create = operation { true } else { false } }
}
