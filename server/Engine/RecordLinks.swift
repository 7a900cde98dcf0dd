import FieldModel
import SyncCore

/// Which household a member, visit or relative filing belongs to.
///
/// Recusal and the village-consistency check both ask it, and stores index it (`household_id`);
/// the field is the collection's household reference (`CollectionSchema.householdReference`).
public enum RecordLinks {
    /// The field that names the record's household, nil for collections that name none.
    public static func householdField(of collection: RecordCollection) -> FieldID? {
        collection.schema.householdReference?.id
    }

    /// The household named by a create's values.
    public static func household(in values: FieldValues, of collection: RecordCollection) -> RecordID? {
        householdField(of: collection).flatMap { values[$0]?.idValue }
    }

    /// The households a create lists (a public notice's), empty for collections that list none.
    public static func listedHouseholds(in values: FieldValues, of collection: RecordCollection) -> [RecordID] {
        collection.schema.fields.filter { if case .references(.household, _) = $0.kind { true } else { false } }
            .flatMap { values[$0.id]?.idsValue ?? [] }
    }

    /// The household a stored record belongs to (nil for a household itself).
    public static func household(of state: RecordState) -> RecordID? {
        householdField(of: state.key.collection).flatMap { state.value($0).idValue }
    }

    /// The fields that name an attachment's records, with the collection each names.
    public static let attachmentParents: [(field: Attachment.Field, collection: RecordCollection)] =
        [(.householdID, .household), (.visitID, .visit), (.memberID, .member), (.leadID, .discoveryLead)]

    /// The records an attachment's create names (its household and its visit, member or lead).
    public static func attachmentParents(in values: FieldValues, of collection: RecordCollection) -> [RecordID] {
        guard collection == .attachment else { return [] }
        return attachmentParents.compactMap { values[$0.field.id]?.idValue }
    }
}
