import DataProtection
import FieldModel
import Foundation
import Replica
import ServerApp
import ServerDirectory
import ServerEngine
import ServerHTTP
import SyncClient
import SyncClientHTTP
import SyncCore
import SyncProtocol
import SyntheticData

/// Years of daily field work against one server built as `serve` builds it, on a simulated
/// clock, to show that neither the server's database nor a device's grows once the tombstone
/// horizon and the log retention have passed. Every day each device updates two households,
/// adds a member and deletes the one it added two weeks before (a tombstone), and syncs over
/// HTTP; a request with a forged token lands in the security log; the server runs its retention
/// and records the night's backup (so phones let go of the acknowledged changes it holds).
///
///     let result = try await RetentionSoak.run(.init(days: 800, directory: dir)) { print($0) }
///     result.serverGrowth   // server bytes at the end over those when every horizon had passed
public enum RetentionSoak {
    public struct Configuration: Sendable {
        public var days: Int
        public var devices = 2
        public var database = DatabaseLocation.sqlite
        public var tombstoneHorizonDays = Double(TombstoneHorizon.defaultMilliseconds / 86_400_000)
        /// Days of sync history and of the audit, conflict and security logs.
        public var logDays = RetentionPolicy.minimumLogDays
        /// Days a member lives before its device deletes it.
        public var memberLifeDays = 14
        public var sampleEveryDays = 50
        public var directory: String
        public var seed: UInt64 = 1

        public init(days: Int, directory: String) {
            self.days = days
            self.directory = directory
        }

        /// The first day by which every horizon has passed.
        public var steadyFromDay: Int { Int(max(tombstoneHorizonDays, logDays)) + memberLifeDays + 7 }

        /// Where growth is measured from: the last 150 days, or from `steadyFromDay` if later.
        /// PostgreSQL's indexes settle some weeks after the horizon (vacuumed pages are reused
        /// a cycle later); SQLite reuses freed pages at once.
        public var measuredFromDay: Int { max(steadyFromDay, days - 150) }
    }

    /// The sizes on one simulated day, and what the retention had removed by then.
    public struct Sample: Sendable, Hashable, Codable {
        public let day: Int
        public let serverBytes: Int64
        public let deviceBytes: [Int64]
        public let removed: [String: Int]
    }

    public struct Result: Sendable, Hashable, Codable {
        public let samples: [Sample]
        public let measuredFromDay: Int
        public let seconds: Double

        /// The last sample's server size over the one at `measuredFromDay` (1.0: no growth).
        public var serverGrowth: Double { growth { Double($0.serverBytes) } }
        /// The same for the largest device.
        public var deviceGrowth: Double { growth { Double($0.deviceBytes.max() ?? 0) } }

        func growth(_ size: (Sample) -> Double) -> Double {
            guard let base = samples.first(where: { $0.day >= measuredFromDay }), let last = samples.last, size(base) > 0 else { return .nan }
            return size(last) / size(base)
        }
    }

    public static func run(_ c: Configuration, progress: @Sendable (String) -> Void = { _ in }) async throws -> Result {
        let started = Date()
        let clock = SimClock(start: SimWorld.start)
        var configuration = ServerConfiguration()
        configuration.dataDirectory = c.directory + "/server"
        configuration.database = c.database
        if case .postgres = c.database { configuration.dataKeys = KeyRing.generate().text }  // a fresh schema, sealed by a ring of its own
        configuration.port = 0
        configuration.tombstoneHorizonDays = c.tombstoneHorizonDays
        configuration.retention.intervalHours = nil  // run below, once a simulated day
        configuration.retention.syncHistoryDays = c.logDays
        configuration.retention.auditLogDays = c.logDays
        configuration.retention.securityLogDays = c.logDays
        let running = try await buildApplication(configuration, clock: { clock.milliseconds }, logger: .silent).start()
        do {
            let result = try await play(c, running: running, clock: clock, progress: progress)
            await running.stop()
            return Result(samples: result, measuredFromDay: c.measuredFromDay, seconds: Date().timeIntervalSince(started))
        } catch {
            await running.stop()
            throw error
        }
    }

    static func play(_ c: Configuration, running: RunningServer, clock: SimClock, progress: @Sendable (String) -> Void) async throws -> [Sample] {
        let app = running.application
        guard let token = app.administratorToken else { throw SimulationError(.setup, "\(c.directory) holds a server already; give the soak a fresh directory") }
        let admin = APIClient(server: running.url, token: token)
        let dataset = DatasetGenerator.generate(DatasetSpec(seed: c.seed, size: .households(200 * c.devices)))
        let villages = Array(dataset.villages.map(\.code).prefix(c.devices))
        guard villages.count == c.devices else { throw SimulationError(.setup, "the dataset has \(villages.count) villages for \(c.devices) devices") }
        let households = villages.flatMap { v in dataset.households.filter { $0.village == v }.prefix(30) }
        try await app.store.registerVillages(villages)
        let seeded = try await app.engine.importRecords(households.map(ImportRecord.init), by: AccessControl.bootstrapAdministrator, now: clock.milliseconds)
        guard seeded.rejected.isEmpty else { throw SimulationError(.setup, "the seed was refused: \(seeded.rejected.prefix(2))") }

        var devices: [SoakDevice] = []
        for (i, village) in villages.enumerated() {
            let worker = "soak-va-\(i)"
            _ = try await admin.createWorker(WorkerDocument(id: worker, name: "协理员", role: Role.villageAssistant.rawValue, villages: [village.description]))
            let code = try await admin.issueCode(worker: worker).code
            let enrolled = try await DeviceEnrolment.enrol(server: running.url, code: code, replica: ReplicaID(UInt64(0xD0 + i)), deviceName: worker)
            let replica = try enrolled.openReplica(at: c.directory + "/device-\(i).sqlite", wallClock: { clock.milliseconds })
            var client = SyncClient(replica: replica, transport: HTTPTransport(server: running.url, token: enrolled.token),
                                    sleep: { clock.advance(by: $0) }, jitter: { 0.5 }, now: { clock.milliseconds })
            client.retention.tombstoneMilliseconds = Int64(c.tombstoneHorizonDays * 86_400_000)
            let bootstrap = await client.sync()
            guard bootstrap.succeeded else { throw SimulationError(.sync, "device \(i) did not bootstrap: \(bootstrap.outcome)") }
            devices.append(SoakDevice(client: client, village: village, county: village.county))
        }
        let forged = APIClient(server: running.url, token: "dst_forged")
        var random = SeededGenerator(seed: c.seed)
        var removed: [String: Int] = [:]
        var samples: [Sample] = []
        for day in 0...c.days {
            clock.advance(by: SimWorld.start + Int64(day) * 86_400_000 - clock.milliseconds)
            for i in devices.indices {
                try devices[i].work(day: day, memberLifeDays: c.memberLifeDays, clock: clock, random: &random)
                let report = await devices[i].client.sync()
                guard report.succeeded else { throw SimulationError(.sync, "day \(day): device \(i) failed to sync: \(report.outcome)") }
            }
            _ = try? await forged.workers()  // refused, and logged in the security log
            // The night's backup, as an operator schedules it: its position recorded as
            // `doorstep-server backup` records it, so the phones let go of what it holds (SPEC §4,
            // "Restores"); without backups a phone keeps every acknowledged change.
            let mark = try await app.store.recoveryMark()
            try await app.store.recordBackup(through: mark.lastSequence, at: clock.milliseconds)
            guard let pass = await app.retention.runRecorded(now: clock.milliseconds) else {
                throw SimulationError(.retention, "day \(day): the retention pass failed")
            }
            for (kind, n) in pass.removed { removed[kind, default: 0] += n }
            if day % c.sampleEveryDays == 0 || day == c.days {
                let sample = Sample(day: day, serverBytes: try await app.store.databaseBytes(),
                                    deviceBytes: try devices.map { try $0.client.replica.storageBytes() }, removed: removed)
                samples.append(sample)
                progress("day \(day): server \(sample.serverBytes) B, devices \(sample.deviceBytes.map(String.init).joined(separator: ", ")) B, removed \(removed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
            }
        }
        for device in devices { try device.client.replica.close() }
        return samples
    }
}

/// One soak device: its client, its village, and the members it added, by day.
struct SoakDevice {
    var client: SyncClient
    let village: VillageCode
    let county: CountyCode
    var added: [Int: RecordID] = [:]
    /// A household this device registered and that is still an application: only there may
    /// its own members be deleted as mistaken entries (SPEC §12.4).
    var application: RecordID?

    /// A day's writes: two households updated, a member added to the device's own application,
    /// the one added `memberLifeDays` ago deleted.
    mutating func work(day: Int, memberLifeDays: Int, clock: SimClock, random: inout SeededGenerator) throws {
        let replica = client.replica
        let households = try replica.households(in: village)
        guard !households.isEmpty else { throw SimulationError(.setup, "device of \(village) holds no household") }
        for _ in 0..<2 {
            let h = households[Int.random(in: 0..<households.count, using: &random)]
            _ = try replica.updateHousehold(h.id, [.notes: .text("第\(day)天走访"), .monthlyIncomeFen: .int(Int64.random(in: 0...90_000, using: &random))])
        }
        let birth = CalendarDate(year: Int.random(in: 1940...2015, using: &random), month: Int.random(in: 1...12, using: &random),
                                 day: Int.random(in: 1...28, using: &random))!
        let household = try application ?? register(birth: birth, clock: clock, random: &random)
        application = household
        let member = Member(id: RecordID(milliseconds: clock.milliseconds, using: &random), householdID: household, village: village, name: "新成员",
                            idNumber: IDCardNumber.make(region: county, birth: birth, sequence: Int.random(in: 0...999, using: &random)),
                            relation: .child, disabilityKind: .none, disabilityGrade: 0, seriousIllness: false, labourAbility: .none, status: .present)
        _ = try replica.addMember(member)
        added[day] = member.id
        if let old = added.removeValue(forKey: day - memberLifeDays) { _ = try replica.deleteMember(old) }
    }

    /// Registers a new application in the device's village (status `applied`), as a village assistant does.
    private func register(birth: CalendarDate, clock: SimClock, random: inout SeededGenerator) throws -> RecordID {
        let household = Household(id: RecordID(milliseconds: clock.milliseconds, using: &random), village: village, headName: "王建国",
                                  headIDNumber: IDCardNumber.make(region: county, birth: birth, sequence: Int.random(in: 0...999, using: &random)),
                                  addressDetail: "1组1号", phone: nil, category: .ruralDibao, classification: .stable, status: .applied,
                                  monthlyStandardFen: 0, monthlyAmountFen: 0, monthlyIncomeFen: 50_000, assetsFen: 0,
                                  appliedOn: try client.replica.today(), coveredSince: nil, lastReviewedOn: nil, notes: "")
        _ = try client.replica.createHousehold(household)
        return household.id
    }
}
