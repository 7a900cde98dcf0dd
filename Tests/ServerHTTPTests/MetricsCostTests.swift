import Foundation
@testable import ServerHTTP
import Synchronization
import Testing

/// `/metrics` reads the store at most once per refresh period, however often and however many
/// scrapers ask at once (SPEC §11.3).
@Suite("The cost of /metrics does not grow with scrapes")
struct MetricsCostTests {
    final class Builds: Sendable {
        let count = Mutex(0)
        func build() async throws -> Int {
            try await Task.sleep(for: .milliseconds(20))
            return count.withLock { $0 += 1; return $0 }
        }
    }

    @Test func oneBuildPerLifetimeWhateverTheScrapes() async throws {
        let cache = TimedCache<Int>(lifetimeMilliseconds: 15_000)
        let builds = Builds()
        // 200 scrapes at once, then 200 more within the lifetime: one build.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 { group.addTask { try await cache.value(now: 1_000) { try await builds.build() } } }
            for try await value in group { #expect(value == 1) }
        }
        for n in 0..<200 { #expect(try await cache.value(now: 1_000 + Int64(n) * 70) { try await builds.build() } == 1) }
        #expect(builds.count.withLock { $0 } == 1)
        // Past the lifetime, one build again.
        #expect(try await cache.value(now: 16_001) { try await builds.build() } == 2)
        #expect(try await cache.value(now: 16_002) { try await builds.build() } == 2)
    }

    @Test func aFailedBuildIsNotKept() async throws {
        struct Down: Error {}
        let cache = TimedCache<Int>(lifetimeMilliseconds: 15_000)
        await #expect(throws: Down.self) { _ = try await cache.value(now: 0) { throw Down() } }
        #expect(try await cache.value(now: 1) { 7 } == 7)
    }
}
