import FieldModel
import Foundation
import ServerDirectory
import ServerEngine
import ServerHTTP
import SyncCore
import Testing

@Suite("Conflicts reach a reviewer over HTTP and are resolved there")
struct ConflictAPITests {
    let A = HTTPFixture.villageA
    let income = Schema.household.id("monthlyIncomeFen")

    /// Two assistants change the same household's income offline; both sync.
    func concurrentIncomes(_ d: Deployment) async throws -> (FieldDevice, FieldDevice, Household) {
        try await d.seed(A)
        let one = try await d.enrol(HTTPFixture.assistant(A, 1), replica: 0x11)
        let two = try await d.enrol(HTTPFixture.assistant(A, 2), replica: 0x12)
        try await one.syncOK()
        try await two.syncOK()
        let h = HTTPFixture.households(in: A)[2]
        try one.replica.updateHousehold(h.id, [.monthlyIncomeFen: .int(310_00)])
        d.clock.advance(by: 60_000)
        try two.replica.updateHousehold(h.id, [.monthlyIncomeFen: .int(655_00)])
        try await one.syncOK()
        try await two.syncOK()
        return (one, two, h)
    }

    @Test func theReviewerSeesBothIncomesAndHisChoiceReachesEveryDevice() async throws {
        try await Deployment.with { d in
            let (one, two, h) = try await concurrentIncomes(d)
            let reviewerDevice = try await d.enrol(HTTPFixture.reviewer, replica: 0x21)
            let reviewer = APIClient(server: d.running.url, token: reviewerDevice.token)

            let listed = try await reviewer.conflicts().conflicts
            #expect(listed.map(\.id) == [h.id.description])
            let field = try #require(listed.first?.fields.first)
            #expect(field.field == "monthlyIncomeFen")
            #expect(Set(field.values.map(\.value)) == [.number(310_00), .number(655_00)], "both figures, neither dropped")
            #expect(Set(field.values.map(\.author)) == [HTTPFixture.assistant(A, 1).id.rawValue, HTTPFixture.assistant(A, 2).id.rawValue])

            let resolved = try await reviewer.resolve(ResolutionDocument(collection: "household", id: h.id.description, village: A.description,
                                                                         field: "monthlyIncomeFen", value: .number(480_00)))
            #expect(resolved.outcome == "applied")
            #expect(try await reviewer.conflicts().conflicts.isEmpty)
            for device in [one, two] {
                try await device.syncOK()
                #expect(try device.replica.openConflicts().isEmpty)
                #expect(try device.replica.householdDetail(h.id).household.monthlyIncomeFen == 480_00)
            }
        }
    }

    @Test func anAssistantMayNotSettleAnIncomeAndTheRefusalIsLogged() async throws {
        try await Deployment.with { d in
            let (one, _, h) = try await concurrentIncomes(d)
            let assistant = APIClient(server: d.running.url, token: one.token)
            let failure = await failureOf {
                try await assistant.resolve(ResolutionDocument(collection: "household", id: h.id.description, village: A.description,
                                                               field: "monthlyIncomeFen", value: .number(1)))
            }
            #expect(failure?.status == 403 && failure?.document.code == "role_not_allowed")
            #expect(try await d.store.record(RecordKey(.household, h.id, scope: A))?.fields[income]?.siblings.count == 2, "both figures remain")
            #expect(try await d.store.auditEntries(limit: 100).allSatisfy { $0.worker != HTTPFixture.assistant(A, 1).id || $0.record.id == h.id })
            let events = try await d.store.securityEvents(limit: 20)
            #expect(events.last?.kind == .authorizationFailure && events.last?.actor == HTTPFixture.assistant(A, 1).id)
        }
    }

    @Test func aResolutionThatDoesNotFitIsRefusedWithItsReason() async throws {
        try await Deployment.with { d in
            let (_, _, h) = try await concurrentIncomes(d)
            let reviewerDevice = try await d.enrol(HTTPFixture.reviewer, replica: 0x22)
            let reviewer = APIClient(server: d.running.url, token: reviewerDevice.token)
            let cases: [(ResolutionDocument, Int, String)] = [
                (.init(collection: "household", id: h.id.description, village: A.description, field: "monthlyIncomeFen", value: .string("many")), 400, "invalid_value"),
                (.init(collection: "household", id: h.id.description, village: A.description, field: "income", value: .number(1)), 400, "unknown_field"),
                (.init(collection: "houses", id: h.id.description, village: A.description, field: "monthlyIncomeFen", value: .number(1)), 400, "invalid_argument"),
                (.init(collection: "household", id: "not-a-uuid", village: A.description, field: "monthlyIncomeFen", value: .number(1)), 400, "invalid_argument"),
                (.init(collection: "household", id: h.id.description, village: "12", field: "monthlyIncomeFen", value: .number(1)), 400, "invalid_value"),
                (.init(collection: "household", id: h.id.description, village: A.description, field: "monthlyIncomeFen", value: .number(-5)), 400, "invalid_value"),
            ]
            for (document, status, code) in cases {
                let before = try await d.store.stateHash()
                let failure = await failureOf { try await reviewer.resolve(document) }
                #expect(failure?.status == status && failure?.document.code == code, "\(document): \(String(describing: failure))")
                #expect(try await d.store.stateHash() == before, "a malformed resolution changes nothing")
            }
            #expect(try await reviewer.conflicts().conflicts.count == 1)
        }
    }
}

/// The API failure `body` ends with, nil when it succeeds.
func failureOf<T>(_ body: () async throws -> T) async -> APIClient.Failure? {
    do {
        _ = try await body()
        return nil
    } catch let failure as APIClient.Failure {
        return failure
    } catch {
        Issue.record("not an API failure: \(error)")
        return nil
    }
}
