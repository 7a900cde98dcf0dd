/// What a worker's create may hold beyond valid values (the device refuses the rest locally and
/// the server again): a record starts at the workflow's first step, leaves empty every field the
/// worker's role may not write (an assistant's application carries no subsidy amount, standard
/// or coverage date: a reviewer sets those later), and names its own author as the worker who
/// made it (a visit's worker, a lead's recorder, a filing's staff member: a worker files only
/// their own relatives).
extension CollectionSchema {
    /// The fields that say who made an immutable record: they must name the writing worker.
    public static let authorFields: [RecordCollection: FieldID] = [
        .visit: Visit.Field.worker.id, .discoveryLead: DiscoveryLead.Field.recordedBy.id, .relativeFiling: RelativeFiling.Field.staff.id,
    ]

    public func checkCreate(_ values: FieldValues, by worker: Worker) throws(RuleViolation) {
        for spec in fields {
            let value = values[spec.id] ?? .null
            switch spec.merge {
            case .workflow:
                guard value == .text(Workflow.initial.rawValue) else {
                    throw RuleViolation(.invalidTransition, "a new \(collection.name) starts as \(Workflow.initial.rawValue), not \(value)")
                }
            case .review, .lww:
                guard spec.writers.contains(worker.role) || value == .null || value == .int(0) else {
                    throw RuleViolation(.roleNotAllowed, "a \(worker.role.rawValue) may not set \(collection.name).\(spec.name) (\(Schema.isSensitive(collection, spec.id) ? "a value" : "\(value)")); a new record leaves it empty")
                }
            case .immutable:
                guard Self.authorFields[collection] == spec.id else { continue }
                guard value == .text(worker.id.rawValue) else {
                    throw RuleViolation(.roleNotAllowed, "\(collection.name).\(spec.name) names \(value); the record is made by \(worker.id)")
                }
            }
        }
    }
}
