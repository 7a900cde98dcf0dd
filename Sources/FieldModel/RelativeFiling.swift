/// 近亲属关系: the relations the filing rule covers.
public enum CloseRelation: String, Sendable, Hashable, Codable, CaseIterable {
    case spouse, parent, child, sibling, grandparent, grandchild, parentInLaw, childInLaw
}

/// 近亲属备案: a staff member's filing that a close relative's household applies for assistance.
/// Immutable; the filings together form the special roster (专项花名册) county staff list.
public struct RelativeFiling: Sendable, Hashable, Codable {
    public var id: RecordID
    /// The applicant household's village: the filing travels with that village's records.
    public var village: VillageCode
    public var staff: WorkerID
    public var household: RecordID
    public var relation: CloseRelation
    public var filedOn: CalendarDate

    public init(id: RecordID, village: VillageCode, staff: WorkerID, household: RecordID,
                relation: CloseRelation, filedOn: CalendarDate) {
        self.id = id
        self.village = village
        self.staff = staff
        self.household = household
        self.relation = relation
        self.filedOn = filedOn
    }
}
