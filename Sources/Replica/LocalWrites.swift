import FieldModel
import SyncCore

/// The writes a field app makes. Each checks FieldModel's rules first — scope, role, validation,
/// recusal, workflow — and refuses with a typed error, or commits in one transaction.
extension Replica {
    /// Registers a new application (申请): a household in status `applied`.
    @discardableResult
    public func createHousehold(_ household: Household) throws(ReplicaError) -> Change {
        try checkWrite(household.village, creating: .household)
        try validateCreate(household.fieldValues, .household)
        return try commit(RecordKey(.household, household.id, scope: household.village), [.create(household.fieldValues)])[0]
    }

    /// Changes fields of a household (not its status: see `transitionHousehold`).
    @discardableResult
    public func updateHousehold(_ id: RecordID, _ values: [String: FieldValue]) throws(ReplicaError) -> [Change] {
        let state = try existing(.household, id)
        return try updateFields(state, values, household: id)
    }

    /// Moves a household one workflow step (入户调查, 乡镇审核, …) from the status the worker sees.
    @discardableResult
    public func transitionHousehold(_ id: RecordID, to target: WorkflowStatus) throws(ReplicaError) -> Change {
        let state = try existing(.household, id)
        try checkWrite(state.key.scope)
        let field = Schema.household.field(named: "status")!
        let current = state.value(field.id)
        guard let from = current.textValue.flatMap(WorkflowStatus.init(rawValue:)) else {
            throw ReplicaError(.inconsistent, "household \(id) has no valid status (\(current))")
        }
        let me = try currentIdentity()
        let filings = try filedHouseholds()
        do { try Workflow.check(from: from, to: target, by: me.worker.role) } catch { throw ReplicaError(error) }
        do { try Recusal.checkFieldWrite(field, by: me.worker.id, at: id, filings: filings) } catch { throw ReplicaError(error) }
        return try commit(state.key, [.transition(field.id, from: current, to: .text(target.rawValue))])[0]
    }

    @discardableResult
    public func addMember(_ member: Member) throws(ReplicaError) -> Change {
        let household = try existing(.household, member.householdID)
        guard household.key.scope == member.village else {
            throw ReplicaError(.inconsistent, "member's village \(member.village) is not its household's \(household.key.scope)")
        }
        try checkWrite(member.village, creating: .member)
        try validateCreate(member.fieldValues, .member)
        return try commit(RecordKey(.member, member.id, scope: member.village), [.create(member.fieldValues)])[0]
    }

    @discardableResult
    public func updateMember(_ id: RecordID, _ values: [String: FieldValue]) throws(ReplicaError) -> [Change] {
        let state = try existing(.member, id)
        let household = state.value(Schema.member.id("householdID")).idValue ?? id
        return try updateFields(state, values, household: household)
    }

    /// Deletes a member record entered by mistake (a member who leaves changes status instead).
    @discardableResult
    public func deleteMember(_ id: RecordID) throws(ReplicaError) -> Change {
        let state = try existing(.member, id)
        try checkWrite(state.key.scope)
        return try commit(state.key, [.delete])[0]
    }

    /// Records a household visit. Eligibility visits are refused for a filed relative's household.
    @discardableResult
    public func recordVisit(_ visit: Visit) throws(ReplicaError) -> Change {
        let household = try existing(.household, visit.householdID)
        guard household.key.scope == visit.village else {
            throw ReplicaError(.inconsistent, "visit's village \(visit.village) is not its household's \(household.key.scope)")
        }
        let me = try currentIdentity()
        try checkWrite(visit.village, creating: .visit)
        let filings = try filedHouseholds()
        do { try Recusal.checkVisit(visit.kind, by: me.worker.id, at: visit.householdID, filings: filings) } catch {
            throw ReplicaError(error)
        }
        try validateCreate(visit.fieldValues, .visit)
        return try commit(RecordKey(.visit, visit.id, scope: visit.village), [.create(visit.fieldValues)])[0]
    }

    /// Adds a family to the active-discovery roster (主动发现花名册).
    @discardableResult
    public func registerLead(_ lead: DiscoveryLead) throws(ReplicaError) -> Change {
        try checkWrite(lead.village, creating: .discoveryLead)
        try validateCreate(lead.fieldValues, .discoveryLead)
        return try commit(RecordKey(.discoveryLead, lead.id, scope: lead.village), [.create(lead.fieldValues)])[0]
    }

    @discardableResult
    public func updateLeadStatus(_ id: RecordID, to status: FollowUpStatus) throws(ReplicaError) -> Change {
        let state = try existing(.discoveryLead, id)
        return try updateFields(state, ["followUpStatus": .text(status.rawValue)], household: nil)[0]
    }

    /// A reviewer's resolution of a conflict: one value written having seen every concurrent one,
    /// so it supersedes them all (a workflow field re-affirms the chosen step).
    @discardableResult
    public func resolveConflict(_ collection: RecordCollection, _ id: RecordID, field name: String, value: FieldValue) throws(ReplicaError) -> Change {
        let state = try existing(collection, id)
        let me = try currentIdentity()
        guard me.worker.role == .townshipReviewer || me.worker.role == .countyConfirmer else {
            throw ReplicaError(RuleViolation(.roleNotAllowed, "a \(me.worker.role.rawValue) may not resolve conflicts; a reviewer must"))
        }
        try checkWrite(state.key.scope)
        guard let spec = collection.schema.field(named: name) else {
            throw ReplicaError(.notFound, "\(collection.name) has no field \(name)")
        }
        let date = try today()
        do { try spec.validate(value, in: collection, asOf: date) } catch { throw ReplicaError(error) }
        let operation: Change.Operation = spec.merge == .workflow ? .transition(spec.id, from: value, to: value) : .set(spec.id, value)
        return try commit(state.key, [operation])[0]
    }

    /// Checks and commits plain field writes of one record.
    private func updateFields(_ state: RecordState, _ values: [String: FieldValue], household: RecordID?) throws(ReplicaError) -> [Change] {
        try checkWrite(state.key.scope)
        let me = try currentIdentity()
        let schema = state.key.collection.schema
        let filings = try filedHouseholds()
        let date = try today()
        var operations: [Change.Operation] = []
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let spec = schema.field(named: name) else {
                throw ReplicaError(.notFound, "\(schema.collection.name) has no field \(name)")
            }
            switch spec.merge {
            case .immutable: throw ReplicaError(RuleViolation(.immutable, "\(schema.collection.name).\(name) is set once at creation"))
            case .workflow: throw ReplicaError(RuleViolation(.invalidTransition, "\(schema.collection.name).\(name) changes only by a workflow step"))
            case .review, .lww: break
            }
            guard spec.writers.contains(me.worker.role) else {
                throw ReplicaError(RuleViolation(.roleNotAllowed, "a \(me.worker.role.rawValue) may not change \(schema.collection.name).\(name)"))
            }
            if spec.merge == .review, state.conflictedFields.contains(spec.id), me.worker.role == .villageAssistant {
                throw ReplicaError(RuleViolation(.roleNotAllowed, "\(schema.collection.name).\(name) has concurrent values waiting for a reviewer"))
            }
            if let household {
                do { try Recusal.checkFieldWrite(spec, by: me.worker.id, at: household, filings: filings) } catch { throw ReplicaError(error) }
            }
            do { try spec.validate(value, in: schema.collection, asOf: date) } catch { throw ReplicaError(error) }
            operations.append(.set(spec.id, value))
        }
        return try commit(state.key, operations)
    }

    private func validateCreate(_ values: FieldValues, _ collection: RecordCollection) throws(ReplicaError) {
        let me = try currentIdentity()
        do { try collection.schema.checkCreate(values, by: me.worker) } catch { throw ReplicaError(error) }
        let date = try today()
        do { try collection.schema.validateCreate(values, asOf: date) } catch { throw ReplicaError(error) }
    }
}
