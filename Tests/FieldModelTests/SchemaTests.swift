import FieldModel
import Testing

/// The schema is data: field numbers are wire ids, merge policies decide conflicts (DESIGN §4).
@Suite("Schema")
struct SchemaTests {
    @Test("field ids and names are unique within each collection", arguments: RecordCollection.allCases)
    func uniqueFields(collection: RecordCollection) {
        let fields = collection.schema.fields
        #expect(!fields.isEmpty)
        #expect(Set(fields.map(\.id)).count == fields.count)
        #expect(Set(fields.map(\.name)).count == fields.count)
        #expect(fields.allSatisfy { $0.id.rawValue >= 1 })
        for spec in fields {
            #expect(collection.schema.field(spec.id) == spec)
            #expect(collection.schema.field(named: spec.name) == spec)
            #expect(collection.schema.id(spec.name) == spec.id)
        }
        #expect(collection.schema.field(FieldID(0)) == nil)
        #expect(collection.schema.field(named: "") == nil)
    }

    @Test("collections keep their wire numbers and names")
    func collectionNumbers() {
        let expected: [(RecordCollection, UInt8, String)] = [
            (.household, 1, "household"), (.member, 2, "member"), (.visit, 3, "visit"),
            (.discoveryLead, 4, "discoveryLead"), (.relativeFiling, 5, "relativeFiling"), (.publicNotice, 6, "publicNotice"),
            (.attachment, 7, "attachment"),
        ]
        #expect(RecordCollection.allCases.count == expected.count)
        for (c, number, name) in expected {
            #expect(c.rawValue == number && c.name == name && c.description == name)
            #expect(RecordCollection(name: name) == c)
            #expect(RecordCollection(rawValue: number) == c)
            #expect(c.schema.collection == c && Schema.collection(c).collection == c)
        }
        #expect(RecordCollection(name: "Household") == nil)
        #expect(RecordCollection(rawValue: 0) == nil && RecordCollection(rawValue: 8) == nil)
    }

    @Test("each record type is stored in its own collection")
    func recordTypes() {
        #expect(Household.collection == .household)
        #expect(Member.collection == .member)
        #expect(Visit.collection == .visit)
        #expect(DiscoveryLead.collection == .discoveryLead)
        #expect(RelativeFiling.collection == .relativeFiling)
        #expect(PublicNotice.collection == .publicNotice)
    }

    @Test("eligibility fields are review registers, contact fields last-writer-wins, the status a workflow",
          arguments: [RecordCollection.household, .member])
    func householdAndMemberPolicies(collection: RecordCollection) throws {
        let eligibility = RecusalTests.eligibilityFields[collection]!
        let contact = RecusalTests.contactFields[collection]!
        for spec in collection.schema.fields {
            if spec.name == "status" && collection == .household {
                #expect(spec.merge == .workflow)
            } else if eligibility.contains(spec.name) {
                #expect(spec.merge == .review, "\(collection).\(spec.name)")
            } else if contact.contains(spec.name) {
                #expect(spec.merge == .lww, "\(collection).\(spec.name)")
            } else {
                #expect(spec.merge == .immutable, "\(collection).\(spec.name)")
            }
        }
        let status = try #require(Schema.household.field(named: "status"))
        #expect(status.kind == .enumeration(WorkflowStatus.allCases.map(\.rawValue)))
    }

    @Test("visits and filings are written once; corrections are new records")
    func appendOnly() {
        #expect(Schema.visit.isAppendOnly)
        // A filing is written once; only its withdrawal, by an administrator, comes later.
        #expect(Schema.relativeFiling.fields.filter { $0.merge != .immutable }.map(\.name) == ["withdrawnOn"])
        #expect(Schema.relativeFiling.field(named: "withdrawnOn")?.writers == [.administrator])
        #expect(!Schema.household.isAppendOnly && !Schema.member.isAppendOnly)
        // A lead's follow-up and a notice's objections change after creation.
        #expect(Schema.discoveryLead.field(named: "followUpStatus")?.merge == .lww)
        #expect(Schema.publicNotice.field(named: "objectionCount")?.merge == .review)
        #expect(Schema.visit.field(named: "corrects")?.kind == .reference(.visit))
        for c in [RecordCollection.visit, .discoveryLead, .relativeFiling, .publicNotice] {
            #expect(!c.schema.deletable, "\(c) records are immutable and never deleted")
        }
        #expect(Schema.household.deletable && Schema.member.deletable)
    }

    @Test("a field set once has no writers, whatever was declared")
    func immutableHasNoWriters() {
        let spec = FieldSpec(1, "x", .bool, .immutable, writers: [.countyConfirmer])
        #expect(spec.writers.isEmpty)
        for field in FieldRef.all where field.spec.merge == .immutable {
            #expect(field.spec.writers.isEmpty, "\(field.path)")
        }
    }

    @Test("who may write what after creation", arguments: FieldRef.all)
    func writers(field: FieldRef) {
        let writers = field.spec.writers
        // City supervisors read; administrators manage accounts: neither writes household data
        // (an administrator withdraws a filing, through the server).
        #expect(!writers.contains(.citySupervisor))
        #expect(!writers.contains(.administrator) || field.path == "relativeFiling.withdrawnOn")
        switch field.path {
        case "household.monthlyStandardFen", "household.monthlyAmountFen":
            #expect(writers == [.townshipReviewer, .countyConfirmer], "assistants record, reviewers set the amount")
        case "household.coveredSince":
            #expect(writers == [.countyConfirmer], "coverage starts with the county's confirmation")
        case "publicNotice.objectionCount", "publicNotice.objectionNotes", "publicNotice.resolvedObjectionCount":
            #expect(writers == [.townshipReviewer, .countyConfirmer])
        case "relativeFiling.withdrawnOn":
            #expect(writers == [.administrator], "only an administrator withdraws a filing")
        default:
            if field.spec.merge != .immutable {
                #expect(writers == [.villageAssistant, .townshipReviewer, .countyConfirmer], "\(field.path)")
            }
        }
    }

    @Test("who may create records")
    func creators() {
        let fieldStaff: Set<Role> = [.villageAssistant, .townshipReviewer, .countyConfirmer]
        for c in RecordCollection.allCases where c != .publicNotice && c != .household {
            #expect(c.schema.creators == fieldStaff, "\(c)")
        }
        // Applications are taken by the village and the township (村、乡镇受理), not the county.
        #expect(Schema.household.creators == [.villageAssistant, .townshipReviewer])
        #expect(Schema.publicNotice.creators == [.townshipReviewer, .countyConfirmer])
        #expect(Schema.fieldStaff == fieldStaff)
    }

    @Test("enumeration fields list every case of their type")
    func enumerationsAreComplete() {
        let expected: [String: [String]] = [
            "household.category": HouseholdCategory.allCases.map(\.rawValue),
            "household.classification": EconomicClassification.allCases.map(\.rawValue),
            "household.status": WorkflowStatus.allCases.map(\.rawValue),
            "member.relation": Relation.allCases.map(\.rawValue),
            "member.disabilityKind": DisabilityKind.allCases.map(\.rawValue),
            "member.labourAbility": LabourAbility.allCases.map(\.rawValue),
            "member.status": MemberStatus.allCases.map(\.rawValue),
            "visit.kind": VisitKind.allCases.map(\.rawValue),
            "visit.livingCondition": LivingCondition.allCases.map(\.rawValue),
            "visit.recommendation": Recommendation.allCases.map(\.rawValue),
            "discoveryLead.difficulty": Difficulty.allCases.map(\.rawValue),
            "discoveryLead.followUpStatus": FollowUpStatus.allCases.map(\.rawValue),
            "relativeFiling.relation": CloseRelation.allCases.map(\.rawValue),
            "attachment.kind": AttachmentKind.allCases.map(\.rawValue),
            "attachment.contentType": AttachmentContentType.allCases.map(\.rawValue),
        ]
        let enumerations = FieldRef.all.filter { if case .enumeration = $0.spec.kind { true } else { false } }
        #expect(Set(enumerations.map(\.path)) == Set(expected.keys))
        for field in enumerations {
            #expect(field.spec.kind == .enumeration(expected[field.path]!), "\(field.path)")
        }
        // 老、弱、病、残、困、灾: the six difficulties the discovery roster records.
        #expect(Difficulty.allCases.count == 6)
    }

    @Test("merge policies that flag concurrent values for a reviewer")
    func flagging() {
        let flags: [MergePolicy: Bool] = [.review: true, .workflow: true, .lww: false, .immutable: false]
        for policy in MergePolicy.allCases { #expect(policy.flagsConcurrentValues == flags[policy]) }
    }

    @Test("the schema version a device states is one the server accepts")
    func versions() {
        #expect(Schema.version >= 1)
        #expect(Schema.oldestSupportedVersion >= 1 && Schema.oldestSupportedVersion <= Schema.version)
    }
}
