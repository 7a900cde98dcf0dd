/// 近亲属关系: the relations the filing rule covers.
public enum CloseRelation: String, Sendable, Hashable, Codable, CaseIterable {
    case spouse, parent, child, sibling, grandparent, grandchild, parentInLaw, childInLaw

    public var chineseName: String {
        switch self {
        case .spouse: "配偶"
        case .parent: "父母"
        case .child: "子女"
        case .sibling: "兄弟姐妹"
        case .grandparent: "祖父母、外祖父母"
        case .grandchild: "孙子女、外孙子女"
        case .parentInLaw: "岳父母、公婆"
        case .childInLaw: "儿媳、女婿"
        }
    }
}

/// 近亲属备案: a filing that a close relative of a staff member, or of a village cadre, applies
/// for assistance. The filings together form the special roster (专项花名册) county staff list.
///
/// A worker files their own relatives (`staff` is the worker, bound by recusal at once); an
/// administrator files for anyone, also for a person without an account (a village cadre), who
/// is then named by `staffName` alone. Only an administrator withdraws a filing (`withdrawnOn`);
/// a withdrawn filing stays on the roster, marked, and binds no recusal.
public struct RelativeFiling: Sendable, Hashable, Codable {
    public var id: RecordID
    /// The applicant household's village: the filing travels with that village's records.
    public var village: VillageCode
    /// The worker whose relative applies, nil for a person without an account.
    public var staff: WorkerID?
    public var household: RecordID
    public var relation: CloseRelation
    public var filedOn: CalendarDate
    /// The person's name, required when `staff` is nil.
    public var staffName: String?
    /// The person's post (村委会委员, 乡镇民政助理员, …), when given.
    public var staffPosition: String?
    public var withdrawnOn: CalendarDate?

    public init(id: RecordID, village: VillageCode, staff: WorkerID?, household: RecordID,
                relation: CloseRelation, filedOn: CalendarDate, staffName: String? = nil,
                staffPosition: String? = nil, withdrawnOn: CalendarDate? = nil) {
        self.id = id
        self.village = village
        self.staff = staff
        self.household = household
        self.relation = relation
        self.filedOn = filedOn
        self.staffName = staffName
        self.staffPosition = staffPosition
        self.withdrawnOn = withdrawnOn
    }

    /// Whether the filing still binds recusal.
    public var isStanding: Bool { withdrawnOn == nil }
}
