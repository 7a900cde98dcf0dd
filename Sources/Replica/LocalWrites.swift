import FieldModel
import SyncCore

/// The writes a field app makes. Each checks FieldModel's rules — scope, role, validation,
/// recusal, the workflow — against what the device holds, and refuses with a typed error, or
/// commits; checks and write are one transaction (`commit`).
extension Replica {
    /// Registers a new application (申请): a household in status `applied`.
    @discardableResult
    public func createHousehold(_ household: Household) throws(ReplicaError) -> Change {
        try commit(RecordKey(.household, household.id, scope: household.village)) { local in
            try local.checkWrite(household.village, creating: .household)
            try local.checkCreate(household.fieldValues, .household)
            return [.create(household.fieldValues)]
        }[0]
    }

    /// Changes fields of a household (not its status: see `transitionHousehold`).
    @discardableResult
    public func updateHousehold(_ id: RecordID, _ values: [Household.Field: FieldValue]) throws(ReplicaError) -> [Change] {
        try updateFields(id, values)
    }

    /// Moves a household one workflow step (入户调查, 乡镇审核, …) from the status the worker
    /// sees, checked against the step table, separation of duties as far as the device knows
    /// who did what, and the notice gates on the village's notices it holds.
    @discardableResult
    public func transitionHousehold(_ id: RecordID, to target: WorkflowStatus) throws(ReplicaError) -> Change {
        let key = try existing(.household, id).key
        return try commit(key) { local in [try local.checkTransition(id, to: target)] }[0]
    }

    @discardableResult
    public func addMember(_ member: Member) throws(ReplicaError) -> Change {
        try commit(RecordKey(.member, member.id, scope: member.village)) { local in
            _ = try local.household(member.householdID, of: .member, in: member.village)
            try local.checkWrite(member.village, creating: .member)
            let filings = try local.filings()
            try local.rule { () throws(RuleViolation) in
                try Recusal.checkMembership("add a member to the household", by: local.worker.id, at: member.householdID, filings: filings)
            }
            try local.checkCreate(member.fieldValues, .member)
            return [.create(member.fieldValues)]
        }[0]
    }

    @discardableResult
    public func updateMember(_ id: RecordID, _ values: [Member.Field: FieldValue]) throws(ReplicaError) -> [Change] {
        try updateFields(id, values)
    }

    /// Deletes a member entered by mistake: the worker's own entry, while the household is still
    /// the application it was created as (a member who leaves changes status instead).
    @discardableResult
    public func deleteMember(_ id: RecordID) throws(ReplicaError) -> Change {
        try delete(.member, id)
    }

    /// Deletes a household entered by mistake: the worker's own, still an untouched application.
    /// A household that reached investigation leaves the roll by a review and `exited`.
    @discardableResult
    public func deleteHousehold(_ id: RecordID) throws(ReplicaError) -> Change {
        try delete(.household, id)
    }

    /// Records a household visit. Eligibility visits are refused for a filed relative's household.
    @discardableResult
    public func recordVisit(_ visit: Visit) throws(ReplicaError) -> Change {
        try commit([Self.visitWrite(visit)])[0]
    }

    /// A new visit's checks and create, alone or with its evidence (`recordVisit(_:evidence:)`).
    static func visitWrite(_ visit: Visit) -> RecordWrite {
        RecordWrite(RecordKey(.visit, visit.id, scope: visit.village)) { local in
            _ = try local.household(visit.householdID, of: .visit, in: visit.village)
            try local.checkWrite(visit.village, creating: .visit)
            let filings = try local.filings()
            try local.rule { () throws(RuleViolation) in
                try Recusal.checkVisit(visit.kind, by: local.worker.id, at: visit.householdID, filings: filings)
            }
            try local.checkCreate(visit.fieldValues, .visit)
            return [.create(visit.fieldValues)]
        }
    }

    /// Adds a family to the active-discovery roster (主动发现花名册).
    @discardableResult
    public func registerLead(_ lead: DiscoveryLead) throws(ReplicaError) -> Change {
        try commit(RecordKey(.discoveryLead, lead.id, scope: lead.village)) { local in
            try local.checkWrite(lead.village, creating: .discoveryLead)
            try local.checkCreate(lead.fieldValues, .discoveryLead)
            return [.create(lead.fieldValues)]
        }[0]
    }

    @discardableResult
    public func updateLeadStatus(_ id: RecordID, to status: FollowUpStatus) throws(ReplicaError) -> Change {
        try updateFields(id, [DiscoveryLead.Field.followUpStatus: .text(status.rawValue)])[0]
    }

    /// A reviewer's resolution of a conflict: one value written having seen every concurrent one,
    /// so it supersedes them all (a workflow field settles on one of its concurrent statuses).
    @discardableResult
    public func resolveConflict(_ collection: RecordCollection, _ id: RecordID, field name: String, value: FieldValue) throws(ReplicaError) -> Change {
        let key = try existing(collection, id).key
        return try commit(key) { local in
            let state = try local.existing(collection, id)
            guard local.worker.role == .townshipReviewer || local.worker.role == .countyConfirmer else {
                throw ReplicaError(RuleViolation(.roleNotAllowed, "a \(local.worker.role.rawValue) may not resolve conflicts; a reviewer must"))
            }
            try local.checkWrite(state.key.scope)
            guard let spec = collection.schema.field(named: name) else {
                throw ReplicaError(.notFound, "\(collection.name) has no field \(name)")
            }
            try local.valid { () throws(ValidationError) in try spec.validate(value, in: collection, asOf: local.today) }
            guard spec.merge == .workflow else { return [.set(spec.id, value)] }
            try local.checkStatusResolution(state, to: value)
            return [.transition(spec.id, from: value, to: value)]
        }[0]
    }

    /// Checks and commits plain field writes of one record, in the order of the fields' names.
    func updateFields<Key: FieldKey>(_ id: RecordID, _ values: [Key: FieldValue]) throws(ReplicaError) -> [Change] {
        let collection = Key.collection
        let key = try existing(collection, id).key
        return try commit(key) { local in
            let state = try local.existing(collection, id)
            try local.checkWrite(state.key.scope)
            let schema = collection.schema
            let household: RecordID? = collection == .household || collection == .member ? state.householdID : nil
            let filings = try local.filings()
            var record = state.values
            var operations: [Change.Operation] = []
            for (field, value) in values.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let spec = field.spec
                switch spec.merge {
                case .immutable: throw ReplicaError(RuleViolation(.immutable, "\(field.path) is set once at creation"))
                case .workflow: throw ReplicaError(RuleViolation(.invalidTransition, "\(field.path) changes only by a workflow step"))
                case .review, .lww: break
                }
                guard spec.writers.contains(local.worker.role) else {
                    throw ReplicaError(RuleViolation(.roleNotAllowed, "a \(local.worker.role.rawValue) may not change \(field.path)"))
                }
                if spec.merge == .review, state.conflictedFields.contains(spec.id), local.worker.role == .villageAssistant {
                    throw ReplicaError(RuleViolation(.roleNotAllowed, "\(field.path) has concurrent values waiting for a reviewer"))
                }
                if let household {
                    try local.rule { () throws(RuleViolation) in try Recusal.checkFieldWrite(spec, by: local.worker.id, at: household, filings: filings) }
                }
                try local.valid { () throws(ValidationError) in
                    try schema.validateUpdate(spec.id, value, of: record, asOf: local.today)
                }
                record[spec.id] = value
                operations.append(.set(spec.id, value))
            }
            return operations
        }
    }

    /// Deletes a record after the deletion rule and recusal.
    func delete(_ collection: RecordCollection, _ id: RecordID) throws(ReplicaError) -> Change {
        let key = try existing(collection, id).key
        return try commit(key) { local in
            let state = try local.existing(collection, id)
            try local.checkWrite(state.key.scope)
            try local.checkDelete(state)
            return [.delete]
        }[0]
    }
}
