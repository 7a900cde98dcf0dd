import DataProtection
import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// The checks a pushed attachment record passes (SPEC §15.1): one parent the server holds, in the
/// attachment's village and household; a hash in hex and a size within the server's cap;
/// recusal as for adding a member; deletion as a mistaken entry's. Both backends.
@Suite("Attachment records")
struct AttachmentRecordTests {
    static let a = RejectionTests.a, b = RejectionTests.b
    static var house: Household { Fixture.household(in: a) }
    static var other: Household { Fixture.household(in: a, 1) }
    static let photo: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 7, count: 300)

    static func visit(_ n: UInt64, of household: Household) -> Visit {
        Visit(id: Fixture.freshID(500 + n), householdID: household.id, village: household.village, kind: .screening,
              worker: Fixture.assistant(of: a).id, date: Fixture.today, monthlyIncomeFen: 0, assetsFen: 0,
              livingCondition: .adequate, recommendation: .none, notes: "")
    }

    static func attachment(_ n: UInt64, household: RecordID? = house.id, visit: RecordID? = nil, member: RecordID? = nil,
                           lead: RecordID? = nil, village: VillageCode = a, byteCount: Int64? = nil, sha256: String? = nil) -> FieldModel.Attachment {
        FieldModel.Attachment(id: Fixture.freshID(900 + n), village: village, householdID: household, visitID: visit, memberID: member, leadID: lead,
                   kind: .homePhoto, contentType: .jpeg, byteCount: byteCount ?? Int64(photo.count),
                   sha256: sha256 ?? ContentHash.sha256(photo), takenOn: Fixture.today)
    }

    @Test(arguments: StoreBackend.all) func aVisitAndItsPhotosInOneBatchAreTaken(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a, Self.b)
            var device = TestDevice(Fixture.assistant(of: Self.a), replica: 0xA7)
            try await device.syncUntilDone(engine)
            let visit = Self.visit(1, of: Self.house)
            let lead = DiscoveryLead(id: Fixture.freshID(700), village: Self.a, recordedBy: device.worker.id, foundBy: "网格员",
                                     personName: "王芳", addressDetail: "三组", difficulty: .illness, description: "",
                                     reportedOn: Fixture.today, followUpStatus: .open)
            let batch = [device.create(visit), device.create(Self.attachment(1, visit: visit.id)), device.create(Self.attachment(2)),
                         device.create(lead), device.create(Self.attachment(3, household: nil, lead: lead.id))]
            let response = try await device.sync(engine, batch)
            #expect(response.rejections.isEmpty, "\(response.rejections)")
            #expect(response.acked.count == batch.count)
            let stored = try #require(try await engine.store.record(RecordKey(.attachment, Fixture.freshID(901), scope: Self.a)))
            let decoded = try FieldModel.Attachment(id: stored.key.id, village: Self.a, fields: stored.values)
            #expect(decoded == Self.attachment(1, visit: visit.id))
        }
    }

    @Test(arguments: StoreBackend.all) func aParentTheServerDoesNotHoldIsAWrongRecord(backend: StoreBackend) async throws {
        try await RejectionTests.expectRejection(.wrongRecord, backend: backend) { d in
            [d.create(Self.attachment(4, visit: Fixture.freshID(4_444)))]
        }
        try await RejectionTests.expectRejection(.wrongRecord, backend: backend) { d in
            [d.create(Self.attachment(5, household: Fixture.freshID(5_555)))]
        }
    }

    @Test(arguments: StoreBackend.all) func aVisitOfAnotherHouseholdIsAWrongRecord(backend: StoreBackend) async throws {
        let visit = Self.visit(2, of: Self.other)
        try await RejectionTests.expectRejection(.wrongRecord, backend: backend, prepare: { d, engine in
            let response = try await d.sync(engine, [d.create(visit)])
            #expect(response.rejections.isEmpty)
        }) { d in
            [d.create(Self.attachment(6, household: Self.house.id, visit: visit.id))]
        }
    }

    @Test(arguments: StoreBackend.all) func aHouseholdNamedAsAVisitIsAWrongRecord(backend: StoreBackend) async throws {
        try await RejectionTests.expectRejection(.wrongRecord, backend: backend) { d in
            [d.create(Self.attachment(7, household: Self.house.id, visit: Self.other.id))]
        }
    }

    @Test(arguments: StoreBackend.all) func anotherVillagesHouseholdIsAWrongRecord(backend: StoreBackend) async throws {
        try await RejectionTests.expectRejection(.wrongRecord, backend: backend) { d in
            [d.create(Self.attachment(8, household: Fixture.household(in: Self.b).id))]
        }
    }

    @Test(arguments: StoreBackend.all) func malformedMetadataIsAnInvalidValue(backend: StoreBackend) async throws {
        let cases: [FieldModel.Attachment] = [
            Self.attachment(9, household: Self.house.id, lead: Fixture.freshID(700)),
            Self.attachment(10, household: nil),
            Self.attachment(11, sha256: String(repeating: "G", count: 64)),
            Self.attachment(12, sha256: ContentHash.sha256(Self.photo).uppercased()),
            Self.attachment(13, byteCount: PolicySettings.defaultAttachmentMaxBytes + 1),
            Self.attachment(14, byteCount: 0),
        ]
        for attachment in cases {
            try await RejectionTests.expectRejection(.invalidValue, backend: backend) { d in [d.create(attachment)] }
        }
    }

    @Test(arguments: StoreBackend.all) func evidenceOfAFiledRelativesHouseholdIsRefused(backend: StoreBackend) async throws {
        let filing = RelativeFiling(id: Fixture.freshID(2), village: Self.a, staff: Fixture.assistant(of: Self.a).id,
                                    household: Self.house.id, relation: .sibling, filedOn: Fixture.dataset.plan.spec.asOf)
        try await RejectionTests.expectRejection(.recusal, backend: backend, prepare: { d, engine in
            let response = try await d.sync(engine, [d.create(filing)])
            #expect(response.rejections.isEmpty)
        }) { d in
            [d.create(Self.attachment(15))]
        }
    }

    @Test(arguments: StoreBackend.all) func onlyItsAuthorDeletesAnAttachment(backend: StoreBackend) async throws {
        let application = Fixture.application(in: Self.a, 77)
        let photo = Self.attachment(16, household: application.id)
        let key = RecordKey(.attachment, photo.id, scope: Self.a)
        try await RejectionTests.expectRejection(.notDeletable, backend: backend, worker: Fixture.reviewer, prepare: { _, engine in
            var author = TestDevice(Fixture.assistant(of: Self.a), replica: 0xA8)
            try await author.syncUntilDone(engine)
            let response = try await author.sync(engine, [author.create(application), author.create(photo)])
            #expect(response.rejections.isEmpty, "\(response.rejections)")
        }) { d in
            [d.write(.delete, to: key)]
        }
    }
}
