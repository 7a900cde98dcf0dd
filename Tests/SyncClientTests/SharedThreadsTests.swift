import Foundation
import GRDB
import Replica
import SyncClient
import Testing

/// A sync waiting on its replica's database (here: another connection holding the write lock)
/// waits off the threads Swift concurrency shares, so the app's other tasks carry on.
@Suite("A sync never holds a shared thread while its database works", .serialized)
struct SharedThreadsTests {
    @Test func syncsBlockedOnTheirDatabasesLeaveTheSharedThreadsFree() async throws {
        try await TestServer.with { server in
            let devices = try (1...6).map { try TestDevice(Fixture.assistant, replica: UInt64(100 + $0), on: server) }
            for device in devices { try await device.syncOK() }
            for device in devices { _ = try device.replica.updateHousehold(Fixture.households(Fixture.villageA)[0].id, ["notes": .text("锁")]) }

            // Another connection takes each replica's write lock for two seconds, on threads of its own.
            let hold = 2.0
            let locked = DispatchSemaphore(value: 0)
            for device in devices {
                let path = device.path
                Thread {
                    do {
                        try DatabaseQueue(path: path).inTransaction(.exclusive) { _ in
                            locked.signal()
                            Thread.sleep(forTimeInterval: hold)
                            return .commit
                        }
                    } catch {
                        locked.signal()  // the syncs then find no lock, and the test fails on its timing assumption below
                    }
                }.start()
            }
            for _ in devices { await withCheckedContinuation { c in Thread { locked.wait(); c.resume() }.start() } }

            let started = ContinuousClock.now
            let syncs = devices.map { device in Task { await device.sync() } }
            // Meanwhile a task of the shared pool ticks: it must not wait for the locks.
            try await Task.sleep(for: .milliseconds(200))
            for _ in 0..<10 { try await Task.sleep(for: .milliseconds(10)) }
            let ticked = ContinuousClock.now - started
            #expect(ticked < .seconds(hold * 0.75), "the shared threads were held: ticking took \(ticked) while the locks lasted \(hold) s")

            for sync in syncs { #expect(await sync.value.succeeded, "each sync completes once its lock is released") }
        }
    }
}
