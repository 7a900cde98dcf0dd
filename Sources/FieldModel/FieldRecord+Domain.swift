extension Household: FieldRecord {
    public static let collection = RecordCollection.household

    public var fieldValues: FieldValues {
        var w = FieldWriter(Household.Field.self)
        w.set(.headName, headName)
        w.set(.headIDNumber, headIDNumber.rawValue)
        w.set(.addressDetail, addressDetail)
        w.set(.phone, phone)
        w.set(.category, category)
        w.set(.classification, classification)
        w.set(.status, status)
        w.set(.monthlyStandardFen, monthlyStandardFen)
        w.set(.monthlyAmountFen, monthlyAmountFen)
        w.set(.monthlyIncomeFen, monthlyIncomeFen)
        w.set(.assetsFen, assetsFen)
        w.set(.appliedOn, appliedOn)
        w.set(.coveredSince, coveredSince)
        w.set(.lastReviewedOn, lastReviewedOn)
        w.set(.notes, notes)
        return w.fields
    }

    public init(id: RecordID, village: VillageCode, fields: FieldValues) throws(ValidationError) {
        let r = FieldReader(fields, as: Household.Field.self)
        self.init(id: id, village: village, headName: try r.text(.headName), headIDNumber: try r.idCard(.headIDNumber),
                  addressDetail: try r.text(.addressDetail), phone: try r.optionalText(.phone),
                  category: try r.enumeration(.category), classification: try r.enumeration(.classification),
                  status: try r.enumeration(.status), monthlyStandardFen: try r.int(.monthlyStandardFen),
                  monthlyAmountFen: try r.int(.monthlyAmountFen), monthlyIncomeFen: try r.int(.monthlyIncomeFen),
                  assetsFen: try r.int(.assetsFen), appliedOn: try r.date(.appliedOn),
                  coveredSince: try r.optionalDate(.coveredSince), lastReviewedOn: try r.optionalDate(.lastReviewedOn),
                  notes: try r.text(.notes))
    }
}

extension Member: FieldRecord {
    public static let collection = RecordCollection.member

    public var fieldValues: FieldValues {
        var w = FieldWriter(Member.Field.self)
        w.set(.householdID, householdID)
        w.set(.name, name)
        w.set(.idNumber, idNumber.rawValue)
        w.set(.relation, relation)
        w.set(.disabilityKind, disabilityKind)
        w.set(.disabilityGrade, Int64(disabilityGrade))
        w.set(.seriousIllness, seriousIllness)
        w.set(.labourAbility, labourAbility)
        w.set(.status, status)
        return w.fields
    }

    public init(id: RecordID, village: VillageCode, fields: FieldValues) throws(ValidationError) {
        let r = FieldReader(fields, as: Member.Field.self)
        self.init(id: id, householdID: try r.id(.householdID), village: village, name: try r.text(.name),
                  idNumber: try r.idCard(.idNumber), relation: try r.enumeration(.relation),
                  disabilityKind: try r.enumeration(.disabilityKind), disabilityGrade: Int(try r.int(.disabilityGrade)),
                  seriousIllness: try r.bool(.seriousIllness), labourAbility: try r.enumeration(.labourAbility),
                  status: try r.enumeration(.status))
    }
}

extension Visit: FieldRecord {
    public static let collection = RecordCollection.visit

    public var fieldValues: FieldValues {
        var w = FieldWriter(Visit.Field.self)
        w.set(.householdID, householdID)
        w.set(.kind, kind)
        w.set(.worker, worker.rawValue)
        w.set(.date, date)
        w.set(.monthlyIncomeFen, monthlyIncomeFen)
        w.set(.assetsFen, assetsFen)
        w.set(.livingCondition, livingCondition)
        w.set(.recommendation, recommendation)
        w.set(.notes, notes)
        w.set(.corrects, corrects)
        return w.fields
    }

    public init(id: RecordID, village: VillageCode, fields: FieldValues) throws(ValidationError) {
        let r = FieldReader(fields, as: Visit.Field.self)
        self.init(id: id, householdID: try r.id(.householdID), village: village, kind: try r.enumeration(.kind),
                  worker: try r.worker(.worker), date: try r.date(.date), monthlyIncomeFen: try r.int(.monthlyIncomeFen),
                  assetsFen: try r.int(.assetsFen), livingCondition: try r.enumeration(.livingCondition),
                  recommendation: try r.enumeration(.recommendation), notes: try r.text(.notes),
                  corrects: try r.optionalID(.corrects))
    }
}

extension DiscoveryLead: FieldRecord {
    public static let collection = RecordCollection.discoveryLead

    public var fieldValues: FieldValues {
        var w = FieldWriter(DiscoveryLead.Field.self)
        w.set(.recordedBy, recordedBy.rawValue)
        w.set(.foundBy, foundBy)
        w.set(.personName, personName)
        w.set(.addressDetail, addressDetail)
        w.set(.difficulty, difficulty)
        w.set(.description, description)
        w.set(.reportedOn, reportedOn)
        w.set(.followUpStatus, followUpStatus)
        return w.fields
    }

    public init(id: RecordID, village: VillageCode, fields: FieldValues) throws(ValidationError) {
        let r = FieldReader(fields, as: DiscoveryLead.Field.self)
        self.init(id: id, village: village, recordedBy: try r.worker(.recordedBy), foundBy: try r.text(.foundBy),
                  personName: try r.text(.personName), addressDetail: try r.text(.addressDetail),
                  difficulty: try r.enumeration(.difficulty), description: try r.text(.description),
                  reportedOn: try r.date(.reportedOn), followUpStatus: try r.enumeration(.followUpStatus))
    }
}

extension RelativeFiling: FieldRecord {
    public static let collection = RecordCollection.relativeFiling

    public var fieldValues: FieldValues {
        var w = FieldWriter(RelativeFiling.Field.self)
        w.set(.staff, staff?.rawValue)
        w.set(.household, household)
        w.set(.relation, relation)
        w.set(.filedOn, filedOn)
        w.set(.staffName, staffName)
        w.set(.staffPosition, staffPosition)
        w.set(.withdrawnOn, withdrawnOn)
        return w.fields
    }

    public init(id: RecordID, village: VillageCode, fields: FieldValues) throws(ValidationError) {
        let r = FieldReader(fields, as: RelativeFiling.Field.self)
        self.init(id: id, village: village, staff: try r.optionalText(.staff).map(WorkerID.init(unchecked:)), household: try r.id(.household),
                  relation: try r.enumeration(.relation), filedOn: try r.date(.filedOn), staffName: try r.optionalText(.staffName),
                  staffPosition: try r.optionalText(.staffPosition), withdrawnOn: try r.optionalDate(.withdrawnOn))
    }
}

extension PublicNotice: FieldRecord {
    public static let collection = RecordCollection.publicNotice

    public var fieldValues: FieldValues {
        var w = FieldWriter(PublicNotice.Field.self)
        w.set(.households, .ids(households))
        w.set(.startsOn, startsOn)
        w.set(.endsOn, endsOn)
        w.set(.objectionCount, objectionCount)
        w.set(.objectionNotes, objectionNotes)
        w.set(.resolvedObjectionCount, resolvedObjectionCount)
        return w.fields
    }

    public init(id: RecordID, village: VillageCode, fields: FieldValues) throws(ValidationError) {
        let r = FieldReader(fields, as: PublicNotice.Field.self)
        self.init(id: id, village: village, households: try r.ids(.households), startsOn: try r.date(.startsOn),
                  endsOn: try r.date(.endsOn), objectionCount: try r.int(.objectionCount),
                  objectionNotes: try r.text(.objectionNotes), resolvedObjectionCount: try r.optionalInt(.resolvedObjectionCount) ?? 0)
    }
}

extension Attachment: FieldRecord {
    public static let collection = RecordCollection.attachment

    public var fieldValues: FieldValues {
        var w = FieldWriter(Attachment.Field.self)
        w.set(.householdID, householdID)
        w.set(.visitID, visitID)
        w.set(.memberID, memberID)
        w.set(.leadID, leadID)
        w.set(.kind, kind)
        w.set(.contentType, contentType)
        w.set(.byteCount, byteCount)
        w.set(.sha256, sha256)
        w.set(.takenOn, takenOn)
        return w.fields
    }

    public init(id: RecordID, village: VillageCode, fields: FieldValues) throws(ValidationError) {
        let r = FieldReader(fields, as: Attachment.Field.self)
        self.init(id: id, village: village, householdID: try r.optionalID(.householdID), visitID: try r.optionalID(.visitID),
                  memberID: try r.optionalID(.memberID), leadID: try r.optionalID(.leadID), kind: try r.enumeration(.kind),
                  contentType: try r.enumeration(.contentType), byteCount: try r.int(.byteCount), sha256: try r.text(.sha256),
                  takenOn: try r.date(.takenOn))
    }
}
