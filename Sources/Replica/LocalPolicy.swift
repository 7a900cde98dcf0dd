import FieldModel
import SyncCore

/// The policy as a device can check it, from what it holds. The server checks again with what
/// it holds (the workflow trail, every filing, every notice): a device that knows less lets
/// through a write the server refuses, and shows that refusal. The one fact a device reads that
/// the server may not share: it counts the household's creator as its applicant even after a
/// new application, which it cannot see (then a county confirmer who created the household
/// before a change of role is refused locally and must ask a colleague).
extension LocalState {
    /// A create holds only what the worker may set, valid values, and the rules across fields.
    /// `settings`: the figures the rules across fields read (an attachment's size cap).
    func checkCreate(_ values: FieldValues, _ collection: RecordCollection, settings: PolicySettings = .standard) throws {
        try rule { () throws(RuleViolation) in try collection.schema.checkCreate(values, by: worker) }
        try valid { () throws(ValidationError) in try collection.schema.validateCreate(values, asOf: today, settings: settings) }
    }

    /// The transition of household `id` to `target` from the status the worker sees: refused
    /// while the status has concurrent values (a reviewer settles them first), else held to the
    /// step table, separation of duties, the notice gates and the household's dates.
    func checkTransition(_ id: RecordID, to target: WorkflowStatus) throws -> Change.Operation {
        let state = try existing(.household, id)
        try checkWrite(state.key.scope)
        guard let field = state.workflowField else { throw ReplicaError(.inconsistent, "household \(id) has no workflow field") }
        let statuses = state.workflowStatuses
        guard statuses.count == 1, let from = statuses.first else {
            if statuses.count > 1 {
                throw ReplicaError(RuleViolation(.statusConflict,
                                                 "household \(id)'s status has concurrent values \(statuses.map(\.rawValue).joined(separator: " and ")); a reviewer settles them first"))
            }
            throw ReplicaError(.inconsistent, "household \(id) has no valid status (\(state.value(field.id)))")
        }
        let filings = try filings()
        let cycle = try knownCycle(of: state)
        let notices = try notices(in: state.key.scope)
        try rule { () throws(RuleViolation) in
            try Workflow.check(from: from, to: target, by: worker, household: id, cycle: cycle, notices: notices, today: today)
            try Recusal.checkFieldWrite(field, by: worker.id, at: id, filings: filings)
        }
        try valid { () throws(ValidationError) in try state.schema.validateUpdate(field.id, .text(target.rawValue), of: state.values, asOf: today) }
        return .transition(field.id, from: .text(from.rawValue), to: .text(target.rawValue))
    }

    /// Settling a household's concurrent statuses on `value`: one of them, by a role that may
    /// move a household into it.
    func checkStatusResolution(_ state: RecordState, to value: FieldValue) throws {
        let statuses = state.workflowStatuses
        guard let target = value.textValue.flatMap(WorkflowStatus.init(rawValue:)) else {
            throw ReplicaError(RuleViolation(.invalidTransition, "\(value) is not a workflow status"))
        }
        guard statuses.count > 1 else {
            throw ReplicaError(RuleViolation(.invalidTransition, "household \(state.key.id)'s status has no concurrent value to resolve"))
        }
        guard statuses.contains(target) else {
            throw ReplicaError(RuleViolation(.statusConflict, "\(target.rawValue) is not one of the concurrent statuses \(statuses.map(\.rawValue).joined(separator: ", "))"))
        }
        guard Workflow.roles(into: target).contains(worker.role) else {
            throw ReplicaError(RuleViolation(.roleNotAllowed, "a \(worker.role.rawValue) may not settle a household's status on \(target.rawValue)"))
        }
    }

    /// A delete: the worker's own mistaken entry, its household an untouched application, and
    /// not a filed relative's household.
    func checkDelete(_ state: RecordState) throws {
        let householdID = state.householdID
        let household = try householdID.flatMap { try record(.household, $0) }
        let standing = household?.householdStanding ?? Deletion.HouseholdStanding(status: nil, statusIsCreation: false)
        let filings = try filings()
        try rule { () throws(RuleViolation) in
            try Deletion.check(state.key.collection, state.key.id, createdBy: state.created?.author, by: worker.id, household: standing)
            if let householdID {
                try Recusal.checkMembership(Self.deletion(of: state.key.collection),
                                            by: worker.id, at: householdID, filings: filings)
            }
        }
    }

    /// What deleting a record of `collection` does to its household, as a recusal refusal says it.
    static func deletion(of collection: RecordCollection) -> String {
        switch collection {
        case .household: "delete the household"
        case .attachment: "delete evidence of the household"
        default: "delete a \(collection.name) of the household"
        }
    }

    /// Who did what in the household's application, as far as the device can tell: the record's
    /// creator took the application, the author of the status it shows made the step into it,
    /// and the worker's own transitions still in the outbox made theirs.
    func knownCycle(of state: RecordState) throws -> WorkflowCycle {
        var cycle = WorkflowCycle()
        if let creator = state.created?.author { cycle.record(Workflow.creationDuty, by: creator) }
        for sibling in state.workflowSiblings {
            guard let status = sibling.value.textValue.flatMap(WorkflowStatus.init(rawValue:)),
                  let duty = Workflow.steps.first(where: { $0.to == status && $0.duty != nil })?.duty,
                  sibling.dot != state.created?.dot else { continue }
            cycle.record(duty, by: sibling.author)
        }
        for change in try ownChanges(of: state.key) {
            guard case .transition(_, let from, let to) = change.operation,
                  let f = from.textValue.flatMap(WorkflowStatus.init(rawValue:)), let t = to.textValue.flatMap(WorkflowStatus.init(rawValue:)),
                  let duty = Workflow.step(from: f, to: t)?.duty else { continue }
            cycle.record(duty, by: change.author)
        }
        return cycle
    }
}

extension LocalState {
    /// A new attachment: its records are held, live, in its village and of its household (the
    /// server refuses anything else as `wrong_record`), the worker may create evidence there
    /// and is not recused from the household, and its values pass the schema's rules with the
    /// device's size cap in `settings`.
    func checkAttachment(_ attachment: Attachment, settings: PolicySettings) throws {
        let village = attachment.village
        if let householdID = attachment.householdID {
            _ = try household(householdID, of: .attachment, in: village)
        }
        if let parent = attachment.parent, parent.collection != .household {
            let state = try existing(parent.collection, parent.id)
            guard state.key.scope == village else {
                throw ReplicaError(.inconsistent, "attachment \(attachment.id)'s village \(village) is not its \(parent.collection.name)'s \(state.key.scope)")
            }
            if parent.collection != .discoveryLead, state.householdID != attachment.householdID {
                throw ReplicaError(.inconsistent, "attachment \(attachment.id) names \(parent.collection.name) \(parent.id) of household "
                                   + "\(state.householdID.map(String.init(describing:)) ?? "none"), not its own \(attachment.householdID.map(String.init(describing:)) ?? "none")")
            }
        }
        try checkWrite(village, creating: .attachment)
        if let householdID = attachment.householdID {
            let filings = try filings()
            try rule { () throws(RuleViolation) in
                try Recusal.checkMembership("attach evidence to the household", by: worker.id, at: householdID, filings: filings)
            }
        }
        try checkCreate(attachment.fieldValues, .attachment, settings: settings)
    }
}
