import FieldModel
import SyncCore

/// Everything the ops page shows, computed from the directory, the device statuses and the
/// open conflicts at one instant. Pure: the same inputs give the same overview.
public struct OpsOverview: Sendable, Hashable, Codable {
    public var generatedAtMilliseconds: Int64
    public var thresholds: OpsThresholds
    public var devices: [DeviceRow]
    public var villages: [VillageRow]
    public var townships: [TownshipRow]
    public var alerts: [Alert]
    public var summary: Summary

    public struct Summary: Sendable, Hashable, Codable {
        public var enrolled = 0
        /// Synced successfully within the amber threshold.
        public var active = 0
        /// No successful sync within the red threshold, or never.
        public var stale = 0
        public var overBudget = 0
        public var unsyncedChanges = 0
        public var conflictsWaiting = 0
        public var oldestUnsyncedMilliseconds: Int64?
        /// Attachment files still only on phones, their bytes, and when the oldest was taken.
        public var evidenceWaiting = 0
        public var evidenceWaitingBytes: Int64 = 0
        public var oldestEvidenceMilliseconds: Int64?
    }

    public struct DeviceRow: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var worker: String
        public var role: String
        public var scope: String
        public var lastSyncMilliseconds: Int64?
        public var lastSuccessMilliseconds: Int64?
        public var lastFailureMilliseconds: Int64?
        public var lastFailure: String?
        public var unsynced: Int
        public var oldestUnsyncedMilliseconds: Int64?
        public var appVersion: String?
        public var schemaVersion: Int?
        public var lastDurationSeconds: Double?
        public var syncSignal: Signal
        public var durationSignal: Signal
        public var overBudget: Bool
        public var evidenceWaiting = 0
        public var evidenceWaitingBytes: Int64 = 0
        public var oldestEvidenceMilliseconds: Int64?
    }

    public struct VillageRow: Sendable, Hashable, Codable {
        public var village: String
        public var devices: Int
        /// Share of the village's devices with a successful sync in the last 3, 7 and 30 days.
        public var synced3Days: Double
        public var synced7Days: Double
        public var synced30Days: Double
        public var lastSuccessMilliseconds: Int64?
        public var signal: Signal
    }

    public struct TownshipRow: Sendable, Hashable, Codable {
        public var township: String
        public var conflictsWaiting: Int
        public var oldestWaitingMilliseconds: Int64?
    }

    public struct Alert: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            case unsyncedChanges = "unsynced_changes"
            case silentVillage = "silent_village"
            case conflictWaiting = "conflict_waiting"
            /// A device or a village spent its day's budget of new households and had creates refused.
            case creationBudget = "creation_budget"
            /// A phone holding evidence (attachment files) taken longer ago than the threshold and never uploaded.
            case evidenceOnPhone = "evidence_on_phone"
        }

        public var kind: Kind
        public var subject: String
        public var detail: String
        /// Since when the problem stands.
        public var sinceMilliseconds: Int64?
    }

    /// A device as the directory knows it.
    public struct EnrolledDevice: Sendable, Hashable {
        public var id: String
        public var name: String
        public var worker: Worker
        public init(id: String, name: String, worker: Worker) {
            self.id = id
            self.name = name
            self.worker = worker
        }
    }

    /// Household creates refused today for one scope's creation budget.
    public struct CreationBudgetHit: Sendable, Hashable {
        /// `device:…` or `village:…`.
        public var scope: String
        public var deviceID: String
        public var worker: WorkerID
        public var atMilliseconds: Int64
        public var limit: Int
        public init(scope: String, deviceID: String, worker: WorkerID, atMilliseconds: Int64, limit: Int) {
            self.scope = scope
            self.deviceID = deviceID
            self.worker = worker
            self.atMilliseconds = atMilliseconds
            self.limit = limit
        }
    }

    public init(now: Int64, thresholds: OpsThresholds, devices enrolled: [EnrolledDevice], statuses: [DeviceStatus],
                villages known: [VillageCode], conflicts: [RecordState], budgetHits: [CreationBudgetHit] = []) {
        generatedAtMilliseconds = now
        self.thresholds = thresholds
        let day = 86_400_000.0
        func days(since ms: Int64?) -> Double { ms.map { Double(now - $0) / day } ?? .infinity }
        let byDevice = Dictionary(statuses.map { ($0.deviceID, $0) }, uniquingKeysWith: { a, _ in a })
        var summary = Summary()

        devices = enrolled.map { d in
            let s = byDevice[d.id]
            let sinceSuccess = days(since: s?.lastSuccessMilliseconds)
            let duration = s.map { Double($0.lastDurationMilliseconds) / 1000 }
            return DeviceRow(id: d.id, name: d.name, worker: d.worker.id.rawValue, role: d.worker.role.rawValue,
                             scope: Jurisdiction(d.worker).assignment.summary, lastSyncMilliseconds: s?.lastSyncMilliseconds,
                             lastSuccessMilliseconds: s?.lastSuccessMilliseconds, lastFailureMilliseconds: s?.lastFailureMilliseconds,
                             lastFailure: s?.lastFailure, unsynced: s?.health?.outboxCount ?? 0,
                             oldestUnsyncedMilliseconds: s?.health?.oldestUnsyncedMilliseconds, appVersion: s?.health?.appVersion,
                             schemaVersion: s?.health?.schemaVersion, lastDurationSeconds: duration,
                             syncSignal: Signal.of(sinceSuccess, amber: thresholds.lastSyncAmberDays, red: thresholds.lastSyncRedDays),
                             durationSignal: duration.map { Signal.of($0, amber: thresholds.durationAmberSeconds, red: thresholds.durationRedSeconds) } ?? .green,
                             overBudget: s?.overBudget ?? false, evidenceWaiting: s?.health?.evidenceWaiting ?? 0,
                             evidenceWaitingBytes: s?.health?.evidenceWaitingBytes ?? 0,
                             oldestEvidenceMilliseconds: s?.health?.oldestEvidenceMilliseconds)
        }.sorted { ($0.syncSignal, $0.unsynced, $0.id) > ($1.syncSignal, $1.unsynced, $1.id) }

        var alerts: [Alert] = []
        for row in devices {
            summary.enrolled += 1
            if row.syncSignal == .green { summary.active += 1 }
            if row.syncSignal == .red { summary.stale += 1 }
            if row.overBudget { summary.overBudget += 1 }
            summary.unsyncedChanges += row.unsynced
            if let oldest = row.oldestUnsyncedMilliseconds, row.unsynced > 0 {
                summary.oldestUnsyncedMilliseconds = min(summary.oldestUnsyncedMilliseconds ?? oldest, oldest)
                if days(since: oldest) >= thresholds.unsyncedAlertDays {
                    alerts.append(Alert(kind: .unsyncedChanges, subject: row.id,
                                        detail: "\(row.worker) 的设备 \(row.name) 有 \(row.unsynced) 条未同步更改，最早一条已 \(Int(days(since: oldest))) 天 · \(row.worker)'s device \(row.name) holds \(row.unsynced) unsynced changes, the oldest \(Int(days(since: oldest))) days old",
                                        sinceMilliseconds: oldest))
                }
            }
            summary.evidenceWaiting += row.evidenceWaiting
            summary.evidenceWaitingBytes += row.evidenceWaitingBytes
            if let oldest = row.oldestEvidenceMilliseconds, row.evidenceWaiting > 0 {
                summary.oldestEvidenceMilliseconds = min(summary.oldestEvidenceMilliseconds ?? oldest, oldest)
                if days(since: oldest) >= thresholds.evidenceAlertDays {
                    alerts.append(Alert(kind: .evidenceOnPhone, subject: row.id,
                                        detail: "\(row.worker) 的设备 \(row.name) 有 \(row.evidenceWaiting) 份佐证材料未上传，最早一份已 \(Int(days(since: oldest))) 天 · \(row.worker)'s device \(row.name) holds \(row.evidenceWaiting) attachments not uploaded, the oldest \(Int(days(since: oldest))) days old",
                                        sinceMilliseconds: oldest))
                }
            }
        }

        // The devices that see each village (`Jurisdiction.canSee`), found through an index of the
        // places each is assigned rather than by asking every device about every village.
        var byPlace = CoveringDevices()
        for (n, d) in enrolled.enumerated() where d.worker.role != .administrator { byPlace.add(n, d.worker.assignment) }
        villages = known.map { v in
            let mine = byPlace.devices(seeing: v).map { byDevice[enrolled[$0].id]?.lastSuccessMilliseconds }
            func share(_ within: Double) -> Double {
                mine.isEmpty ? 0 : Double(mine.filter { days(since: $0) < within }.count) / Double(mine.count)
            }
            let last = mine.compactMap { $0 }.max()
            return VillageRow(village: v.description, devices: mine.count, synced3Days: share(3), synced7Days: share(7), synced30Days: share(30),
                              lastSuccessMilliseconds: last,
                              signal: mine.isEmpty ? .green : Signal.of(days(since: last), amber: thresholds.lastSyncAmberDays, red: thresholds.silentVillageDays))
        }
        for row in self.villages where row.devices > 0 && days(since: row.lastSuccessMilliseconds) >= thresholds.silentVillageDays {
            alerts.append(Alert(kind: .silentVillage, subject: row.village,
                                detail: "村 \(row.village) 已 \(Int(thresholds.silentVillageDays)) 天无设备同步 · no device of village \(row.village) synced in \(Int(thresholds.silentVillageDays)) days", sinceMilliseconds: row.lastSuccessMilliseconds))
        }

        let byTownship = Dictionary(grouping: conflicts, by: \.key.scope.township)
        townships = byTownship.map { t, states in
            TownshipRow(township: t.description, conflictsWaiting: states.count, oldestWaitingMilliseconds: states.map(\.lastModified.milliseconds).min())
        }.sorted { $0.township < $1.township }
        summary.conflictsWaiting = conflicts.count
        for state in conflicts where days(since: state.lastModified.milliseconds) >= thresholds.conflictWaitingDays {
            alerts.append(Alert(kind: .conflictWaiting, subject: "\(state.key.collection.name)/\(state.key.id)",
                                detail: "村 \(state.key.scope) 的\(state.key.collection.chineseName) \(state.key.id) 已等待审核 \(Int(days(since: state.lastModified.milliseconds))) 天 · \(state.key.collection.name) \(state.key.id) in village \(state.key.scope) has waited for a reviewer \(Int(days(since: state.lastModified.milliseconds))) days",
                                sinceMilliseconds: state.lastModified.milliseconds))
        }
        for (scope, hits) in Dictionary(grouping: budgetHits, by: \.scope).sorted(by: { $0.key < $1.key }) {
            let first = hits.min { $0.atMilliseconds < $1.atMilliseconds }!
            let who = Set(hits.map { "\($0.worker) (\($0.deviceID))" }).sorted().joined(separator: ", ")
            alerts.append(Alert(kind: .creationBudget, subject: scope,
                                detail: "\(scope) 今日新增户数已达上限 \(first.limit)，拒绝 \(hits.count) 次新增，来自 \(who) · \(scope) spent its budget of \(first.limit) new households today: \(hits.count) creates refused, from \(who)",
                                sinceMilliseconds: first.atMilliseconds))
        }
        self.alerts = alerts
        self.summary = summary
    }
}

/// Which devices (by index) are assigned each village, township, county and city: the devices
/// that see a village are found in four lookups. - Complexity: O(places of the device) to add,
/// O(devices found) to ask.
struct CoveringDevices {
    private var villages: [VillageCode: [Int]] = [:]
    private var townships: [TownshipCode: [Int]] = [:]
    private var counties: [CountyCode: [Int]] = [:]
    private var cities: [CityCode: [Int]] = [:]

    mutating func add(_ device: Int, _ a: Assignment) {
        for v in a.villages { villages[v, default: []].append(device) }
        for t in a.townships { townships[t, default: []].append(device) }
        for c in a.counties { counties[c, default: []].append(device) }
        for c in a.cities { cities[c, default: []].append(device) }
    }

    /// The devices whose assignment covers `village`, each once, in the order they were added.
    func devices(seeing village: VillageCode) -> [Int] {
        let all = (villages[village] ?? []) + (townships[village.township] ?? []) + (counties[village.county] ?? []) + (cities[village.city] ?? [])
        return Set(all).sorted()
    }
}
