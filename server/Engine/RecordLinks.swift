import FieldModel
import SyncCore

/// Which household a member, visit or relative filing belongs to.
///
/// Recusal and the village-consistency check both ask it, and stores index it (`household_id`),
/// so it is declared once here from the schema's field names.
public enum RecordLinks {
    static let memberHousehold = Schema.member.id("householdID")
    static let visitHousehold = Schema.visit.id("householdID")
    static let filingHousehold = Schema.relativeFiling.id("household")

    /// The field that names the record's household, nil for collections that name none.
    public static func householdField(of collection: RecordCollection) -> FieldID? {
        switch collection {
        case .member: memberHousehold
        case .visit: visitHousehold
        case .relativeFiling: filingHousehold
        case .household, .discoveryLead, .publicNotice: nil
        }
    }

    /// The household named by a create's values.
    public static func household(in values: FieldValues, of collection: RecordCollection) -> RecordID? {
        householdField(of: collection).flatMap { values[$0]?.idValue }
    }

    /// The household a stored record belongs to.
    public static func household(of state: RecordState) -> RecordID? {
        householdField(of: state.key.collection).flatMap { state.value($0).idValue }
    }
}
