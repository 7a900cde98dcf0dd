import FieldModel
import Replica
import SyncClient
import SyncCore
import Testing

@Suite("Bootstrap: a fresh device pulls its scope in pages")
struct BootstrapTests {
    let A = Fixture.villageA

    @Test func aFreshDevicePullsItsVillageInSeveralPages() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server, pageLimit: 4)
            let (states, digest) = try await server.village(A)
            #expect(states.count > 10, "ten households and their members")

            let report = try await device.syncOK()
            #expect(report.exchanges >= (states.count + 3) / 4 && report.exchanges <= (states.count + 3) / 4 + 1, "a page of four per exchange")
            #expect(report.pulled == states.count)
            #expect(report.repairs.isEmpty && report.rebootstraps.isEmpty && report.dropped.isEmpty)
            #expect(try device.replica.digest(of: A) == digest)
            try await expectConverged(device, A)

            // The requests followed the cursor: the first from nothing, each later one from the last page.
            let requests = server.received(from: device.deviceID)
            #expect(requests.first?.cursors.isEmpty == true)
            #expect(requests.dropFirst().allSatisfy { ($0.cursors[A] ?? 0) > 0 })
            #expect(requests.allSatisfy { $0.pageLimit == 4 && $0.changes.isEmpty })

            let log = try #require(try device.replica.lastSync())
            #expect(log.result == "ok" && log.pulled == states.count && log.bytesDown == report.bytesDown)
            #expect(try device.replica.households(in: A).count == 10)
        }
    }

    @Test("while more waits the device asks for the larger catch-up page; the next sync starts small again")
    func catchUpPages() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server, pageLimit: 4, catchUpPageLimit: 9)
            let (states, digest) = try await server.village(A)
            let report = try await device.syncOK()
            #expect(report.pulled == states.count && report.exchanges == 1 + (states.count - 4 + 8) / 9, "one page of 4, then pages of 9")
            #expect(try device.replica.digest(of: A) == digest)
            let first = server.received(from: device.deviceID).map(\.pageLimit)
            #expect(first.first == 4 && first.dropFirst().allSatisfy { $0 == 9 } && first.count == report.exchanges)
            try await device.syncOK()
            #expect(server.received(from: device.deviceID).last?.pageLimit == 4, "nothing waited: the small page again")
        }
    }

    @Test func aSecondSyncWithNothingNewIsOneEmptyExchange() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server)
            try await device.syncOK()
            let again = try await device.syncOK()
            #expect(again.exchanges == 1)
            #expect(again.pulled == 0 && again.pushed == 0)
            try await expectConverged(device, A)
        }
    }

    @Test func aWriteWaitsForThePulledHouseholdThenGoesUp() async throws {
        try await TestServer.with { server in
            let device = try TestDevice(Fixture.assistant, replica: 1, on: server, pageLimit: 7)
            let household = Fixture.households(A)[0]
            // The device learns of the household only by pulling; a visit to a household it knows
            // nothing of is refused locally until then.
            let early = Fixture.visit(1, at: household, by: Fixture.assistant, on: Fixture.today)
            #expect(throws: ReplicaError.self) { try device.replica.recordVisit(early) }

            try await device.syncOK()
            try device.replica.recordVisit(early)
            try device.replica.addMember(Fixture.member(2, of: household))
            let report = try await device.syncOK()
            #expect(report.pushed == 2 && report.acked == 2 && report.rejected == 0)
            #expect(try await server.engine.store.record(RecordKey(.visit, early.id, scope: A)) != nil)
            try await expectConverged(device, A)
        }
    }
}
