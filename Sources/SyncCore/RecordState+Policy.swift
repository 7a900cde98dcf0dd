import FieldModel

/// What the policy checks read from a merged record, the same on the server and on a device.
/// The workflow field is found by its merge policy, never by name.
extension RecordState {
    /// The field that holds the collection's workflow step, nil for collections without one.
    public var workflowField: FieldSpec? { schema.fields.first { $0.merge == .workflow } }

    /// The household the record belongs to: its own id for a household, the one a member, visit
    /// or filing names, nil for records of no household.
    public var householdID: RecordID? {
        key.collection == .household ? key.id : schema.householdReference.flatMap { value($0.id).idValue }
    }

    /// The concurrent values of the workflow field (one when nothing waits for a reviewer).
    public var workflowSiblings: [Sibling] {
        workflowField.flatMap { fields[$0.id]?.siblings } ?? []
    }

    /// The workflow statuses the record shows, one per concurrent value, in dot order.
    public var workflowStatuses: [WorkflowStatus] {
        workflowSiblings.compactMap { $0.value.textValue.flatMap(WorkflowStatus.init(rawValue:)) }
    }

    /// Whether the household still stands as its create made it: what deleting it or its
    /// members asks (`Deletion`).
    public var householdStanding: Deletion.HouseholdStanding {
        let siblings = workflowSiblings
        let status = siblings.count == 1 ? siblings[0].value.textValue.flatMap(WorkflowStatus.init(rawValue:)) : nil
        return Deletion.HouseholdStanding(status: status, statusIsCreation: siblings.count == 1 && siblings[0].dot == created?.dot)
    }

    /// The notice the record holds, with whether its objection figures are settled; nil for
    /// another collection, a deleted notice, or one whose values do not read.
    public var noticeStanding: NoticeStanding? {
        guard key.collection == .publicNotice, !isDeleted,
              let notice = try? PublicNotice(id: key.id, village: key.scope, fields: values) else { return nil }
        return NoticeStanding(notice, objectionsSettled: conflictedFields.isEmpty)
    }
}
