/// 不得随意删除: nothing leaves the roll silently. A household or member that reached the
/// investigation is never deleted by field staff: it leaves by the `exited` step after a review
/// (a member by a status change). A delete is a correction of a mistaken entry: by the worker
/// who made it, while the household is still the application it was created as.
public enum Deletion {
    /// Whether the household a record belongs to still stands as created: its status has one
    /// value, written by the household's create, and that value is `applied`.
    public struct HouseholdStanding: Sendable, Hashable {
        public var status: WorkflowStatus?
        /// The status's only value is the one the create wrote.
        public var statusIsCreation: Bool

        public init(status: WorkflowStatus?, statusIsCreation: Bool) {
            self.status = status
            self.statusIsCreation = statusIsCreation
        }

        public var isUntouchedApplication: Bool { statusIsCreation && status == Workflow.initial }
    }

    /// May `worker` delete `collection` record `id`, created by `creator`, of a household standing
    /// as `household`?
    public static func check(_ collection: RecordCollection, _ id: RecordID, createdBy creator: WorkerID?, by worker: WorkerID,
                             household: HouseholdStanding) throws(RuleViolation) {
        guard collection.schema.deletable else {
            throw RuleViolation(.notDeletable, "\(collection.name) records are never deleted")
        }
        guard creator == worker else {
            throw RuleViolation(.notDeletable,
                                "\(collection.name) \(id) was entered by \(creator?.rawValue ?? "nobody known"), not \(worker): only its author deletes a mistaken entry")
        }
        guard household.isUntouchedApplication else {
            let where_ = household.status.map { "\($0.rawValue) (\($0.chineseName))" } ?? "unknown"
            throw RuleViolation(.notDeletable,
                                "\(collection.name) \(id) belongs to a household whose application moved on (status \(where_)\(household.statusIsCreation ? "" : " since its creation")): it leaves the roll by a review and the exited step, not a delete")
        }
    }
}
