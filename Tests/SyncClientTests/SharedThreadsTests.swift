import Foundation
import GRDB
import Replica
import Synchronization
import SyncClient
import Testing

/// A sync waiting on its replica's database (here: another connection holding the write lock)
/// waits off the threads Swift concurrency shares, so the app's other tasks carry on.
@Suite("A sync never holds a shared thread while its database works", .serialized)
struct SharedThreadsTests {
    @Test func syncsBlockedOnTheirDatabasesLeaveTheSharedThreadsFree() async throws {
        try await TestServer.with { server in
            // Their replicas wait for a lock longer than the test holds one.
            let devices = try (1...6).map { try TestDevice(Fixture.assistant, replica: UInt64(100 + $0), on: server, busyTimeout: 120) }
            for device in devices { try await device.syncOK() }
            for device in devices { _ = try device.replica.updateHousehold(Fixture.households(Fixture.villageA)[0].id, [.notes: .text("锁")]) }

            // Another connection takes each replica's write lock, on threads of its own, and keeps it
            // until the shared pool has ticked (or gives up after a minute): the property is an
            // order of events, not a time, so a loaded machine cannot fake it either way.
            let giveUp = 60.0
            let locked = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let gaveUp = Mutex(0)
            for device in devices {
                let path = device.path
                Thread {
                    do {
                        try DatabaseQueue(path: path).inTransaction(.exclusive) { _ in
                            locked.signal()
                            if release.wait(timeout: .now() + giveUp) == .timedOut { gaveUp.withLock { $0 += 1 } }
                            return .commit
                        }
                    } catch {
                        gaveUp.withLock { $0 += 1 }
                        locked.signal()
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
            let heldThroughout = gaveUp.withLock { $0 } == 0
            for _ in devices { release.signal() }
            #expect(heldThroughout, "the shared threads were held: ticking took \(ticked), past the \(giveUp) s the locks waited for it")

            for sync in syncs { #expect(await sync.value.succeeded, "each sync completes once its lock is released") }
        }
    }
}
