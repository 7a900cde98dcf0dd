import FieldModel
import Foundation
import ServerDirectory
import ServerEngine
import ServerHTTP
import SyncCore
import SyntheticData
import Testing

@Suite("The roster import over HTTP: every row checked, all or nothing")
struct RosterAPITests {
    let A = HTTPFixture.villageA

    var roster: String {
        let households = HTTPFixture.households(in: A)
        return RosterCSVWriter.render(households, members: HTTPFixture.dataset.members.filter { $0.village == A })
    }

    @Test func aGoodRosterArrivesOnTheVillagesDevices() async throws {
        try await Deployment.with { d in
            let result = try await d.admin.importRoster(csv: Array(roster.utf8))
            #expect(result.households == HTTPFixture.households(in: A).count)
            #expect(result.villages == [A.description])
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0x31)
            try await device.syncOK()
            #expect(try device.replica.households(in: A).count == result.households)
            #expect(try await d.store.securityEvents(limit: 10).contains { $0.kind == .adminAction && $0.subject == "roster" })
        }
    }

    @Test func oneBadRowIsReportedByLineAndNothingIsImported() async throws {
        try await Deployment.with { d in
            var lines = roster.split(separator: "\r\n").map(String.init)
            let bad = 7
            let goodID = lines[bad - 1].split(separator: ",", omittingEmptySubsequences: false)[15]
            var wrong = Array(goodID)
            wrong[17] = wrong[17] == "1" ? "2" : "1"   // a wrong check character
            lines[bad - 1] = lines[bad - 1].replacingOccurrences(of: String(goodID), with: String(wrong))
            let before = try await d.store.stateHash()
            let failure = await failureOf { try await d.admin.importRoster(csv: Array(lines.joined(separator: "\n").utf8)) }
            #expect(failure?.status == 422 && failure?.document.code == "invalid_roster")
            let problem = try #require(failure?.document.problems?.first)
            #expect(problem.line == bad && problem.column == "id_number", "\(problem)")
            #expect(!problem.message.contains(String(wrong)), "an ID number never appears in full: \(problem.message)")
            #expect(try await d.store.stateHash() == before)
            #expect(try await d.store.recordCount(villages: [A]) == 0)
        }
    }

    @Test func importingTheSameRosterTwiceIsRefusedWhole() async throws {
        try await Deployment.with { d in
            _ = try await d.admin.importRoster(csv: Array(roster.utf8))
            let count = try await d.store.recordCount(villages: [A])
            let failure = await failureOf { try await d.admin.importRoster(csv: Array(roster.utf8)) }
            #expect(failure?.status == 409 && failure?.document.code == "roster_refused")
            // Found by the blind index of the ID numbers, every line of the file named.
            #expect(failure?.document.problems?.first?.message.contains("already on the roll") == true)
            #expect(failure?.document.problems?.first?.column == "id_number")
            #expect(try await d.store.recordCount(villages: [A]) == count)
        }
    }

    @Test func onlyAnAdministratorImportsAndTheBodyIsCapped() async throws {
        var limits = ServerLimits()
        limits.maxRosterBodyBytes = 4_096
        try await Deployment.with(limits: limits) { d in
            let device = try await d.enrol(HTTPFixture.reviewer, replica: 0x32)
            let before = try await d.store.stateHash()
            let asReviewer = await failureOf { try await APIClient(server: d.running.url, token: device.token).importRoster(csv: Array(roster.utf8)) }
            #expect(asReviewer?.status == 403 && asReviewer?.document.code == "forbidden")
            let tooBig = await failureOf { try await d.admin.importRoster(csv: Array(roster.utf8)) }
            #expect(tooBig?.status == 413 && tooBig?.document.code == "body_too_large")
            #expect(try await d.store.stateHash() == before)
        }
    }
}
