/// 与户主关系.
public enum Relation: String, Sendable, Hashable, Codable, CaseIterable {
    case head, spouse, child, parent, grandparent, grandchild, sibling, childInLaw, other
}

/// 残疾类别 (GB/T 26341): the kind of a certified disability.
public enum DisabilityKind: String, Sendable, Hashable, Codable, CaseIterable {
    case none, visual, hearing, speech, physical, intellectual, mental, multiple
}

/// 劳动能力.
public enum LabourAbility: String, Sendable, Hashable, Codable, CaseIterable {
    /// 有劳动能力.
    case able
    /// 部分丧失劳动能力.
    case partial
    /// 丧失劳动能力 (including children and the elderly).
    case none
}

/// Whether a member still counts in the household. Members leave by a status change, not a delete.
public enum MemberStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case present, movedOut, deceased
}

/// A person in a household.
public struct Member: Sendable, Hashable, Codable {
    public var id: RecordID
    public var householdID: RecordID
    public var village: VillageCode
    public var name: String
    public var idNumber: IDCardNumber
    public var relation: Relation
    public var disabilityKind: DisabilityKind
    /// 残疾等级 1 (most severe) to 4; 0 when `disabilityKind` is `.none`.
    public var disabilityGrade: Int
    /// 重病患者.
    public var seriousIllness: Bool
    public var labourAbility: LabourAbility
    public var status: MemberStatus

    public init(id: RecordID, householdID: RecordID, village: VillageCode, name: String,
                idNumber: IDCardNumber, relation: Relation, disabilityKind: DisabilityKind,
                disabilityGrade: Int, seriousIllness: Bool, labourAbility: LabourAbility,
                status: MemberStatus) {
        self.id = id
        self.householdID = householdID
        self.village = village
        self.name = name
        self.idNumber = idNumber
        self.relation = relation
        self.disabilityKind = disabilityKind
        self.disabilityGrade = disabilityGrade
        self.seriousIllness = seriousIllness
        self.labourAbility = labourAbility
        self.status = status
    }
}
