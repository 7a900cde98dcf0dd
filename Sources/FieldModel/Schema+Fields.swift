// Every collection's fields as typed keys (`FieldKey`), in the order `Schema` numbers them.
// A case's name is the field's name: a field is added here and in `Schema` together.

extension Household {
    /// The household's fields (`Schema.household`).
    public enum Field: String, FieldKey {
        case headName, headIDNumber, addressDetail, phone, category, classification, status
        case monthlyStandardFen, monthlyAmountFen, monthlyIncomeFen, assetsFen
        case appliedOn, coveredSince, lastReviewedOn, notes
        public static let collection = RecordCollection.household
    }
}

extension Member {
    /// A member's fields (`Schema.member`).
    public enum Field: String, FieldKey {
        case householdID, name, idNumber, relation, disabilityKind, disabilityGrade, seriousIllness, labourAbility, status
        public static let collection = RecordCollection.member
    }
}

extension Visit {
    /// A visit's fields (`Schema.visit`).
    public enum Field: String, FieldKey {
        case householdID, kind, worker, date, monthlyIncomeFen, assetsFen, livingCondition, recommendation, notes, corrects
        public static let collection = RecordCollection.visit
    }
}

extension DiscoveryLead {
    /// A discovery lead's fields (`Schema.discoveryLead`).
    public enum Field: String, FieldKey {
        case recordedBy, foundBy, personName, addressDetail, difficulty, description, reportedOn, followUpStatus
        public static let collection = RecordCollection.discoveryLead
    }
}

extension RelativeFiling {
    /// A relative filing's fields (`Schema.relativeFiling`).
    public enum Field: String, FieldKey {
        case staff, household, relation, filedOn, staffName, staffPosition, withdrawnOn
        public static let collection = RecordCollection.relativeFiling
    }
}

extension PublicNotice {
    /// A public notice's fields (`Schema.publicNotice`).
    public enum Field: String, FieldKey {
        case households, startsOn, endsOn, objectionCount, objectionNotes, resolvedObjectionCount
        public static let collection = RecordCollection.publicNotice
    }
}

extension Attachment {
    /// An attachment's fields (`Schema.attachment`).
    public enum Field: String, FieldKey {
        case householdID, visitID, memberID, leadID, kind, contentType, byteCount, sha256, takenOn
        public static let collection = RecordCollection.attachment
    }
}
