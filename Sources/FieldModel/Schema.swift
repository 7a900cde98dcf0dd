/// Every synced collection's fields and merge policies, declared once as data (DESIGN §4).
///
/// Field numbers are wire identifiers: never reuse or renumber one; add new fields with new
/// numbers and bump `Schema.version`.
///
/// The rest of the code names a field by its typed key, declared beside this table
/// (`Household.Field.monthlyIncomeFen`: `Schema+Fields.swift`), never by a string.
public enum Schema {
    /// The schema version a device states in every sync. Version 2 added the notice's resolved
    /// objections and the filing's person, post and withdrawal; a version-1 device leaves them empty.
    /// Version 3 added attachments (collection 7), which a server sends only to devices of version 3 or later.
    public static let version: UInt32 = 3
    /// The oldest device schema version the server still accepts (and migrates).
    public static let oldestSupportedVersion: UInt32 = 1

    public static let fieldStaff: Set<Role> = [.villageAssistant, .townshipReviewer, .countyConfirmer]
    public static let reviewers: Set<Role> = [.townshipReviewer, .countyConfirmer]
    public static let county: Set<Role> = [.countyConfirmer]
    /// Only the server, acting for an administrator, writes these (a filing's withdrawal).
    public static let administrators: Set<Role> = [.administrator]

    static let moneyCap: Int64 = 100_000_000_000 // 10 亿元 in fen: beyond any household's assets
    static let incomeCap: Int64 = 1_000_000_000 // 1,000 万元 a month in fen

    public static func collection(_ c: RecordCollection) -> CollectionSchema {
        switch c {
        case .household: household
        case .member: member
        case .visit: visit
        case .discoveryLead: discoveryLead
        case .relativeFiling: relativeFiling
        case .publicNotice: publicNotice
        case .attachment: attachment
        }
    }

    /// Applications are taken by the village and the township (Workflow.fieldWork).
    public static let household = CollectionSchema(.household, creators: Workflow.fieldWork, deletable: true, fields: [
        FieldSpec(1, "headName", .personName(maxLength: 40), .lww),
        FieldSpec(2, "headIDNumber", .idCard, .review),
        FieldSpec(3, "addressDetail", .text(maxLength: 200, required: true), .lww),
        FieldSpec(4, "phone", .phone, .lww, optional: true),
        FieldSpec(5, "category", .enumeration(HouseholdCategory.allCases.map(\.rawValue)), .review),
        FieldSpec(6, "classification", .enumeration(EconomicClassification.allCases.map(\.rawValue)), .review),
        FieldSpec(7, "status", .enumeration(WorkflowStatus.allCases.map(\.rawValue)), .workflow),
        FieldSpec(8, "monthlyStandardFen", .money(max: incomeCap), .review, writers: reviewers),
        FieldSpec(9, "monthlyAmountFen", .money(max: incomeCap), .review, writers: reviewers),
        FieldSpec(10, "monthlyIncomeFen", .money(max: incomeCap), .review),
        FieldSpec(11, "assetsFen", .money(max: moneyCap), .review),
        FieldSpec(12, "appliedOn", .date(maxDaysAhead: 1), .immutable),
        FieldSpec(13, "coveredSince", .date(maxDaysAhead: 1), .review, optional: true, writers: county),
        FieldSpec(14, "lastReviewedOn", .date(maxDaysAhead: 1), .review, optional: true),
        FieldSpec(15, "notes", .text(maxLength: 2000), .lww),
    ])

    public static let member = CollectionSchema(.member, creators: fieldStaff, deletable: true, fields: [
        FieldSpec(1, "householdID", .reference(.household), .immutable),
        FieldSpec(2, "name", .personName(maxLength: 40), .lww),
        FieldSpec(3, "idNumber", .idCard, .review),
        FieldSpec(4, "relation", .enumeration(Relation.allCases.map(\.rawValue)), .lww),
        FieldSpec(5, "disabilityKind", .enumeration(DisabilityKind.allCases.map(\.rawValue)), .review),
        FieldSpec(6, "disabilityGrade", .integer(0...4), .review),
        FieldSpec(7, "seriousIllness", .bool, .review),
        FieldSpec(8, "labourAbility", .enumeration(LabourAbility.allCases.map(\.rawValue)), .review),
        FieldSpec(9, "status", .enumeration(MemberStatus.allCases.map(\.rawValue)), .review),
    ])

    public static let visit = CollectionSchema(.visit, creators: fieldStaff, deletable: false, fields: [
        FieldSpec(1, "householdID", .reference(.household), .immutable),
        FieldSpec(2, "kind", .enumeration(VisitKind.allCases.map(\.rawValue)), .immutable),
        FieldSpec(3, "worker", .workerID, .immutable),
        FieldSpec(4, "date", .date(maxDaysAhead: 1), .immutable),
        FieldSpec(5, "monthlyIncomeFen", .money(max: incomeCap), .immutable),
        FieldSpec(6, "assetsFen", .money(max: moneyCap), .immutable),
        FieldSpec(7, "livingCondition", .enumeration(LivingCondition.allCases.map(\.rawValue)), .immutable),
        FieldSpec(8, "recommendation", .enumeration(Recommendation.allCases.map(\.rawValue)), .immutable),
        FieldSpec(9, "notes", .text(maxLength: 2000), .immutable),
        FieldSpec(10, "corrects", .reference(.visit), .immutable, optional: true),
    ])

    public static let discoveryLead = CollectionSchema(.discoveryLead, creators: fieldStaff, deletable: false, fields: [
        FieldSpec(1, "recordedBy", .workerID, .immutable),
        FieldSpec(2, "foundBy", .text(maxLength: 100), .immutable),
        FieldSpec(3, "personName", .personName(maxLength: 40), .immutable),
        FieldSpec(4, "addressDetail", .text(maxLength: 200), .immutable),
        FieldSpec(5, "difficulty", .enumeration(Difficulty.allCases.map(\.rawValue)), .immutable),
        FieldSpec(6, "description", .text(maxLength: 2000), .immutable),
        FieldSpec(7, "reportedOn", .date(maxDaysAhead: 1), .immutable),
        FieldSpec(8, "followUpStatus", .enumeration(FollowUpStatus.allCases.map(\.rawValue)), .lww),
    ])

    public static let relativeFiling = CollectionSchema(.relativeFiling, creators: fieldStaff, deletable: false, fields: [
        FieldSpec(1, "staff", .workerID, .immutable, optional: true),
        FieldSpec(2, "household", .reference(.household), .immutable),
        FieldSpec(3, "relation", .enumeration(CloseRelation.allCases.map(\.rawValue)), .immutable),
        FieldSpec(4, "filedOn", .date(maxDaysAhead: 1), .immutable),
        FieldSpec(5, "staffName", .personName(maxLength: 40), .immutable, optional: true),
        FieldSpec(6, "staffPosition", .text(maxLength: 40), .immutable, optional: true),
        FieldSpec(7, "withdrawnOn", .date(maxDaysAhead: 1), .lww, optional: true, writers: administrators),
    ])

    public static let publicNotice = CollectionSchema(.publicNotice, creators: reviewers, deletable: false, fields: [
        FieldSpec(1, "households", .references(.household, maxCount: 500), .immutable),
        FieldSpec(2, "startsOn", .date(maxDaysAhead: 1), .immutable),
        FieldSpec(3, "endsOn", .date(maxDaysAhead: 366), .immutable),
        FieldSpec(4, "objectionCount", .integer(0...100_000), .review, writers: reviewers),
        FieldSpec(5, "objectionNotes", .text(maxLength: 4000), .lww, writers: reviewers),
        FieldSpec(6, "resolvedObjectionCount", .integer(0...100_000), .review, optional: true, writers: reviewers),
    ])

    /// Evidence (佐证材料): metadata of bytes sent apart (SPEC §15). One parent: a household, with a
    /// member or a visit of it, or a discovery lead (`CrossFieldRules`).
    public static let attachment = CollectionSchema(.attachment, creators: fieldStaff, deletable: true, fields: [
        FieldSpec(1, "householdID", .reference(.household), .immutable, optional: true),
        FieldSpec(2, "visitID", .reference(.visit), .immutable, optional: true),
        FieldSpec(3, "memberID", .reference(.member), .immutable, optional: true),
        FieldSpec(4, "leadID", .reference(.discoveryLead), .immutable, optional: true),
        FieldSpec(5, "kind", .enumeration(AttachmentKind.allCases.map(\.rawValue)), .immutable),
        FieldSpec(6, "contentType", .enumeration(AttachmentContentType.allCases.map(\.rawValue)), .immutable),
        FieldSpec(7, "byteCount", .integer(1...Attachment.schemaMaxBytes), .immutable),
        FieldSpec(8, "sha256", .text(maxLength: 64, required: true), .immutable),
        FieldSpec(9, "takenOn", .date(maxDaysAhead: 1), .immutable),
    ])
}
