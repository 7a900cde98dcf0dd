import DataProtection
import Foundation
import LoadSimulation
import Synchronization
import TestSupport
import Testing

/// The restore drill on PostgreSQL's point-in-time recovery (README, "Backups and restores"): a
/// cluster of its own archiving its WAL, `pg_basebackup` while the devices sync on day 2, the
/// backup's position recorded, a mark taken just after; after day 4 the data directory is lost,
/// the base backup put back and the archive replayed up to the mark, then `doorstep-server
/// restore` starts the new epoch. What came after the mark is lost to the server and sent again
/// by the devices; what came between the base backup and the mark is there from the WAL.
extension RestoreDrillTests {
    static let pitr = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres-pitr.sh")

    /// Runs `scripts/postgres-pitr.sh arguments`; returns the last line it printed.
    static func pitr(_ arguments: [String]) async throws -> String {
        let (status, output) = try await ChildProcess.run(pitr, arguments)
        guard status == 0 else { throw TestFailure("postgres-pitr.sh \(arguments.joined(separator: " ")) exited \(status): \(output)") }
        return output.split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test("PostgreSQL: pg_basebackup while devices sync, WAL replayed to a mark after it, nothing lost", .enabled(if: TestPostgres.runs))
    func pointInTimeRecovery() async throws {
        let dir = try directory("pitr")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The cluster runs as `postgres` when the tests run as root: it must reach its directory.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        let root = dir + "/pg", port = String(try await FreePort.take())
        let url = try await Self.pitr(["start", root, port])
        do {
            try await Self.drillOnPointInTimeRecovery(in: dir, url: url, root: root, port: port)
        } catch {
            _ = try? await Self.pitr(["stop", root, port])
            throw error
        }
        _ = try await Self.pitr(["stop", root, port])
    }

    static func drillOnPointInTimeRecovery(in dir: String, url: String, root: String, port: String) async throws {
        let database = url + "&schema=doorstep"
        let environment = ["DOORSTEP_DATA_KEYS": KeyRing.generate().text]
        let mark = Mutex<String?>(nil)
        let report = try await drill(in: dir, arguments: ["--database", database], environment: environment, backup: { _ in
            let position = try await command(["backup-position", "--database", database], environment: environment)
            let sequence = try #require(Self.number("lastSequence", in: position))
            try await Self.pitr(["base-backup", root, port])
            try await Self.command(["record-backup", "--sequence", "\(sequence)", "--database", database], environment: environment)
            let lsn = try await Self.pitr(["mark", root, port])
            mark.withLock { $0 = lsn }
        }, restore: { _ in
            let lsn = try #require(mark.withLock { $0 }, "the backup was taken and marked")
            #expect(try await Self.pitr(["recover", root, port, lsn]) == url)
            let restored = try await Self.command(["backup-position", "--database", database], environment: environment)
            #expect(Self.number("backedUpThrough", in: restored) ?? 0 > 0,
                    "the record of the base backup, written after it, came back from the WAL: \(restored)")
            try await Self.command(["restore", "--database", database], environment: environment)
        })
        Self.expectPassed(report)
    }
}
