import Foundation
import ServerDirectory
import ServerHTTP
import Synchronization
import Testing

/// A flood of bad tokens costs no durable write per request: failures are limited per address
/// and coalesced per address and minute, and an honest device syncs through it (SPEC §11.2).
@Suite("Floods of failed authentications")
struct FloodTests {
    @Test func tenThousandBadTokensAddAHandfulOfLogEntriesWhileADeviceSyncs() async throws {
        try await Deployment.with { d in
            try await d.seed(HTTPFixture.villageA)
            let device = try await d.enrol(HTTPFixture.assistant(HTTPFixture.villageA), replica: 0xF1)
            try await device.syncOK()
            try await d.access.flushSecurityLog(now: nil)
            let before = try await d.store.securityEvents(limit: 10_000).count

            let statuses = StatusTally()
            let clockAtStart = d.clock.now
            let flood = Task {
                // A flood that ends early (a request that throws) must end the device's loop too,
                // or the loop below syncs for ever and the test hangs instead of failing.
                defer { statuses.finish() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<32 {
                        group.addTask {
                            for n in stride(from: worker, to: 10_000, by: 32) {
                                let answer = try await d.raw("GET", "/v1/conflicts", token: "dst_forged_\(n)")
                                statuses.add(answer.status)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // The honest device syncs, changes included, while the flood runs.
            var synced = 0
            while !statuses.isFinished, statuses.total < 9_000 {
                let h = try device.replica.households(in: HTTPFixture.villageA)[synced % 3]
                try device.replica.updateHousehold(h.id, [.notes: .text("洪水中 \(synced)")])
                let report = try await device.syncOK()
                #expect(report.acked == 1)
                synced += 1
            }
            try await flood.value
            // The server's clock is the test's: it moves only when the device backs off.
            let elapsedSeconds = Double(d.clock.now - clockAtStart) / 1000
            let counts = statuses.counts
            #expect(counts.values.reduce(0, +) == 10_000 && Set(counts.keys).isSubset(of: [401, 429]), "\(counts)")
            // The address's bucket: its burst, then what it refilled while the flood lasted (0.2 per second).
            let allowed = 20 + Int(elapsedSeconds * 0.2) + 1
            #expect(counts[401, default: 0] <= allowed, "past the address's bucket every failure is answered 429: \(counts) in \(elapsedSeconds) s")
            #expect(synced >= 1, "the device synced during the flood")

            try await d.access.flushSecurityLog(now: nil)
            let events = try await d.store.securityEvents(limit: 10_000)
            let added = events.count - before
            #expect(added <= 5, "\(added) entries for 10,000 failures")
            let failures = events.filter { $0.kind == .authenticationFailure }
            #expect(failures.map(\.count).reduce(0, +) == 10_000 && failures.allSatisfy { $0.subject == "127.0.0.1" })
        }
    }

    @Test func enrolmentIsLimitedPerAddress() async throws {
        var limits = ServerLimits()
        limits.enrolmentBurst = 3
        limits.enrolmentsPerSecond = 0.001
        try await Deployment.with(limits: limits) { d in
            for n in 0..<3 {
                let answer = try await d.raw("POST", "/v1/enrol", token: nil, headers: ["Content-Type": "application/json"],
                                             body: Array(#"{"code":"ZZZZ-ZZZZ-ZZZ\#(n)","replica":"00000000000000a\#(n)","deviceName":"x"}"#.utf8))
                #expect(answer.status == 403)
            }
            let limited = try await d.raw("POST", "/v1/enrol", token: nil, headers: ["Content-Type": "application/json"],
                                          body: Array(#"{"code":"ZZZZ-ZZZZ-ZZZZ","replica":"00000000000000af","deviceName":"x"}"#.utf8))
            #expect(limited.status == 429 && limited.error?.message.contains("127.0.0.1") == true)
            // Another address (a proxy's client) still enrols: the bucket is the address's.
            let proxied = try await d.raw("POST", "/v1/enrol", token: nil, headers: ["Content-Type": "application/json", "X-Forwarded-For": "10.9.8.7"],
                                          body: Array(#"{"code":"ZZZZ-ZZZZ-ZZZZ","replica":"00000000000000ae","deviceName":"x"}"#.utf8))
            #expect(proxied.status == 429, "X-Forwarded-For counts only from a trusted proxy; none is configured here")
        }
    }
}

/// Answers counted by status, from many tasks.
final class StatusTally: Sendable {
    private let tally = Mutex<[Int: Int]>([:])
    private let finished = Mutex(false)
    func add(_ status: Int) { tally.withLock { $0[status, default: 0] += 1 } }
    func finish() { finished.withLock { $0 = true } }
    var isFinished: Bool { finished.withLock { $0 } }
    var counts: [Int: Int] { tally.withLock { $0 } }
    var total: Int { counts.values.reduce(0, +) }
}
