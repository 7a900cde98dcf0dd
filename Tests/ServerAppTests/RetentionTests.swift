import Crypto
import DataProtection
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ServerApp
import ServerDirectory
import ServerEngine
import SyncCore
import SyncSimulation
import Testing

/// The retention on both backends: logs are archived to chained files before they are deleted,
/// a failed archive deletes nothing, and years of daily syncs leave both databases flat.
@Suite("Retention: nothing grows for ever", .serialized)
struct RetentionTests {
    /// A server built as `serve` builds it, its retention run by hand on `clock`.
    func withServer(_ backend: Backend, clock: ManualClock, archive: String? = nil,
                    _ body: (RunningServer, String) async throws -> Void) async throws {
        let directory = scratch("retention")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.database = try backend.database()
        configuration.dataKeys = KeyRing.generate().text
        configuration.port = 0
        configuration.retention.intervalHours = nil
        if let archive { configuration.archiveDirectory = archive }
        let running = try await buildApplication(configuration, clock: { clock.now }, logger: .silent).start()
        do {
            try await body(running, configuration.archiveDirectory)
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    func events(_ n: ClosedRange<Int>, from start: Int64) -> [SecurityEvent] {
        n.map { SecurityEvent(atMilliseconds: start + Int64($0) * day, kind: .authenticationFailure, actor: nil, credential: nil,
                              subject: "GET /v1/admin/workers", detail: "day \($0)") }
    }

    @Test(arguments: Backend.all)
    func securityEntriesAreArchivedInChainedFilesThenDeleted(_ backend: Backend) async throws {
        let start: Int64 = 1_780_000_000_000
        let clock = ManualClock(start)
        try await withServer(backend, clock: clock) { running, archive in
            let app = running.application
            let store = app.access.store
            try await store.appendSecurityEvents(events(1...9, from: start))
            // Nothing is old enough on day 180.
            clock.set(start + 180 * day)
            #expect(try #require(await app.retention.runRecorded(now: clock.now)).archived[.security] == 0)

            // Day 185: the bootstrap (day 0) and days 1–4 are past 180 days.
            clock.set(start + 185 * day)
            let first = try #require(await app.retention.runRecorded(now: clock.now))
            #expect(first.archived[.security] == 5)
            let kept = try await store.securityEvents(limit: 100)
            #expect(kept.map(\.detail) == (5...9).map { "day \($0)" }, "the newer entries stay, in order")
            let anchor = try #require(try await app.store.logAnchor(.security))
            let file1 = try Data(contentsOf: URL(fileURLWithPath: archive + "/" + anchor.archive.name))
            let lines1 = String(decoding: file1, as: UTF8.self).split(separator: "\n")
            #expect(lines1.count == 6, "a header and five entries")
            #expect(lines1[0].contains("\"previous\":null") && lines1[0].contains("\"entries\":5"))
            #expect(lines1.last.map(String.init) == anchor.entry, "the anchor is the last archived entry")
            #expect(lines1[5].contains("day 4"))
            #expect(anchor.archive.digest == Self.sha256(file1), "the store holds the file's digest")

            // Day 187: two more, in a file that names the first.
            clock.set(start + 187 * day)
            #expect(try #require(await app.retention.runRecorded(now: clock.now)).archived[.security] == 2)
            let next = try #require(try await app.store.logAnchor(.security))
            let file2 = try Data(contentsOf: URL(fileURLWithPath: archive + "/" + next.archive.name))
            let header = try #require(try JSONSerialization.jsonObject(with: Data(String(decoding: file2, as: UTF8.self).split(separator: "\n")[0].utf8)) as? [String: Any])
            let previous = try #require(header["previous"] as? [String: Any])
            #expect(previous["digest"] as? String == anchor.archive.digest && previous["archive"] as? String == anchor.archive.name)
            #expect((previous["through_id"] as? NSNumber)?.int64Value == anchor.throughID)
            #expect(next.throughID > anchor.throughID && next.archive.digest == Self.sha256(file2))
            #expect(try await store.securityEvents(limit: 100).map(\.detail) == (7...9).map { "day \($0)" })

            // Metrics count each pass and what it removed.
            let metrics = try await Self.metrics(running)
            #expect(metrics.contains("doorstep_retention_runs_total{result=\"ok\"} 3"), "\(metrics.prefix(1_500))")
            #expect(metrics.contains("doorstep_retention_removed_total{kind=\"security_log\"} 7"))
        }
    }

    /// The archives continue the security log's hash chain (SPEC §11.8): verified across the
    /// boundary, and an archive edited or lost is named.
    @Test(arguments: Backend.all)
    func archivesAndTheDatabaseVerifyAsOneChain(_ backend: Backend) async throws {
        let start: Int64 = 1_780_000_000_000
        let clock = ManualClock(start)
        try await withServer(backend, clock: clock) { running, archive in
            let app = running.application
            try await app.access.store.appendSecurityEvents(events(1...9, from: start))
            for days: Int64 in [185, 187] {
                clock.set(start + days * day)
                _ = try await app.retention.run(now: clock.now)
            }
            let anchor = try #require(try await app.store.logAnchor(.security))
            let state = try await app.store.chainState(.security)
            #expect(state.anchorID == anchor.throughID, "archiving moved the chain's anchor to the last archived entry")
            let kept = try await app.store.verify(.security)
            let chain = ArchivedChain(directory: archive, chains: LogChains(keys: try await app.configuration.keyRing()))
            let whole = try await chain.verify(.security, store: app.store)
            #expect(whole.holds, "\(String(describing: whole.firstBroken))")
            #expect(whole.checked == kept.checked + Int(anchor.throughID - whole.anchorID) && whole.headID == kept.headID)

            // An archived entry edited: its file no longer has the digest the database records.
            let newest = archive + "/" + anchor.archive.name
            let original = try Data(contentsOf: URL(fileURLWithPath: newest))
            try Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "day 6", with: "day 0").utf8).write(to: URL(fileURLWithPath: newest))
            let edited = try await chain.verify(.security, store: app.store)
            #expect(edited.firstBroken?.reason.contains(anchor.archive.name) == true && edited.firstBroken?.reason.contains("SHA-256") == true,
                    "\(String(describing: edited.firstBroken))")
            // The older archive lost.
            try original.write(to: URL(fileURLWithPath: newest))
            let older = try #require(try FileManager.default.contentsOfDirectory(atPath: archive).first { $0.hasPrefix("security_log-") && $0 != anchor.archive.name })
            try FileManager.default.removeItem(atPath: archive + "/" + older)
            let lost = try await chain.verify(.security, store: app.store)
            #expect(lost.firstBroken?.reason.contains("\(older) (named by the header of \(anchor.archive.name)) is missing") == true,
                    "\(String(describing: lost.firstBroken))")
        }
    }

    /// Entries are archived as a prefix by id: one written late with an earlier time (a
    /// coalesced entry flushed after newer ones) never lets a younger entry before it go unarchived.
    @Test(arguments: Backend.all)
    func anEntryYoungerThanALaterOneStopsTheArchiveAtIt(_ backend: Backend) async throws {
        let start: Int64 = 1_780_000_000_000
        let clock = ManualClock(start)
        try await withServer(backend, clock: clock) { running, archive in
            let app = running.application
            let store = app.access.store
            var young = events(200...200, from: start)[0], late = events(1...1, from: start)[0]
            young.detail = "young"
            late.detail = "old, written late"
            try await store.appendSecurityEvents(events(1...2, from: start) + [young, late])
            clock.set(start + 185 * day)
            let pass = try #require(await app.retention.runRecorded(now: clock.now))
            let kept = try await store.securityEvents(limit: 100).map(\.detail)
            #expect(kept.suffix(2) == ["young", "old, written late"], "nothing from the young entry on is deleted: \(kept)")
            #expect(!kept.contains("day 1") && !kept.contains("day 2"), "the old prefix is archived: \(kept)")
            let anchor = try #require(try await app.store.logAnchor(.security))
            let file = String(decoding: try Data(contentsOf: URL(fileURLWithPath: archive + "/" + anchor.archive.name)), as: UTF8.self)
            #expect(!file.contains("young") && !file.contains("written late") && file.contains("day 2"))
            #expect(pass.archived[.security] == file.split(separator: "\n").count - 1, "every deleted entry is in the file")
        }
    }

    @Test(arguments: Backend.all)
    func anArchiveThatCannotBeWrittenDeletesNothing(_ backend: Backend) async throws {
        let start: Int64 = 1_780_000_000_000
        let clock = ManualClock(start)
        let blocker = scratch("not-a-directory")
        try Data("a file where the archive directory should be".utf8).write(to: URL(fileURLWithPath: blocker))
        defer { try? FileManager.default.removeItem(atPath: blocker) }
        try await withServer(backend, clock: clock, archive: blocker + "/archive") { running, _ in
            let app = running.application
            try await app.access.store.appendSecurityEvents(events(1...3, from: start))
            clock.set(start + 200 * day)
            let error = await #expect(throws: ServerAppError.self) { try await app.retention.run(now: clock.now) }
            #expect(error?.code == .archive && error?.message.contains("nothing was deleted") == true, "\(String(describing: error))")
            #expect(try await app.access.store.securityEvents(limit: 100).count == 4, "every entry is still there")
            #expect(try await app.store.logAnchor(.security) == nil)
            #expect(await app.retention.runRecorded(now: clock.now) == nil, "a failed pass is logged and counted, not thrown")
            let metrics = try await Self.metrics(running)
            #expect(metrics.contains("doorstep_retention_runs_total{result=\"failed\"} 1"))
        }
    }

    /// Daily syncs, member churn and refused requests for longer than every horizon, the
    /// retention running daily: the server and the devices stop growing. `doorstep-soak
    /// --retention-days 800` runs the same with the real 400-day horizon.
    @Test(arguments: Backend.all)
    func dailySyncsPastEveryHorizonLeaveBothDatabasesFlat(_ backend: Backend) async throws {
        var soak = RetentionSoak.Configuration(days: 240, directory: scratch("soak"))
        defer { try? FileManager.default.removeItem(atPath: soak.directory) }
        soak.database = try backend.database()
        soak.tombstoneHorizonDays = 10
        soak.memberLifeDays = 5
        soak.sampleEveryDays = 10
        let result = try await RetentionSoak.run(soak)
        let last = try #require(result.samples.last)
        for kind in ["tombstones", "processed_dots", "sync_history", "audit_log", "security_log"] {
            #expect((last.removed[kind] ?? 0) > 0, "the retention removed \(kind): \(last.removed)")
        }
        // Flat within a tenth over the last 48 days: PostgreSQL's files grow by whole pages and
        // reuse freed space only after a vacuum, so a few pages either way are noise.
        #expect(result.serverGrowth <= 1.10, "server bytes from day \(result.measuredFromDay): \(result.samples.map { ($0.day, $0.serverBytes) })")
        #expect(result.deviceGrowth <= 1.05, "device bytes: \(result.samples.map { ($0.day, $0.deviceBytes) })")
    }

    static func metrics(_ running: RunningServer) async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: running.url.appendingPathComponent("metrics"))
        return String(decoding: data, as: UTF8.self)
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}
