import FieldModel
import SyncCore

/// The overview grouped by region: each place's figures, its children, the devices assigned
/// to it directly, and its alerts. A device counts in every place its worker's assignment
/// names and in every place above them, once per place; a conflict in its village and above.
///
/// Built once per page from the overview's rows in one pass over the devices, the villages,
/// the conflicts and the alerts. - Complexity: O(d·a + v + c + l) for d devices of a
/// assignment places each, v villages, c conflicts and l alerts.
public struct OpsRegionTree: Sendable {
    public let overview: OpsOverview
    public private(set) var figures: [OpsRegion: Figures] = [:]
    private(set) var children: [OpsRegion: [OpsRegion]] = [:]
    /// The devices whose worker is assigned the place itself (a village's assistants, a township's reviewers).
    private(set) var assigned: [OpsRegion: [OpsOverview.DeviceRow]] = [:]
    private(set) var alerts: [OpsRegion: [OpsOverview.Alert]] = [:]
    private(set) var homes: [String: [OpsRegion]] = [:]

    /// What one place shows in its summary and in its parent's row.
    public struct Figures: Sendable, Hashable {
        public var devices = 0
        /// Synced successfully within the amber threshold.
        public var active = 0
        /// No successful sync within the red threshold, or never.
        public var stale = 0
        public var unsyncedChanges = 0
        public var oldestUnsyncedMilliseconds: Int64?
        public var lastSuccessMilliseconds: Int64?
        public var conflictsWaiting = 0
        public var alerts = 0
        public var overBudget = 0
        /// Synced successfully less than 7 days before the overview, as `HealthHour` counts.
        public var syncedWithin7Days = 0

        /// Percent of the devices synced within 7 days; nil without devices.
        public var syncedShare: Int? { devices > 0 ? HealthHour.percent(syncedWithin7Days, of: devices) : nil }

        mutating func add(_ row: OpsOverview.DeviceRow, now: Int64) {
            devices += 1
            if HealthHour.synced(row.lastSuccessMilliseconds, within: 7, of: now) { syncedWithin7Days += 1 }
            if row.syncSignal == .green { active += 1 }
            if row.syncSignal == .red { stale += 1 }
            if row.overBudget { overBudget += 1 }
            unsyncedChanges += row.unsynced
            if row.unsynced > 0, let oldest = row.oldestUnsyncedMilliseconds {
                oldestUnsyncedMilliseconds = min(oldestUnsyncedMilliseconds ?? oldest, oldest)
            }
            if let last = row.lastSuccessMilliseconds { lastSuccessMilliseconds = max(lastSuccessMilliseconds ?? last, last) }
        }
    }

    public init(overview: OpsOverview, devices enrolled: [OpsOverview.EnrolledDevice], villages known: [VillageCode], conflicts: [RecordState]) {
        self.overview = overview
        let workers = Dictionary(enrolled.map { ($0.id, $0.worker) }, uniquingKeysWith: { a, _ in a })
        var places: Set<OpsRegion> = [.city]
        for v in known { places.formUnion(OpsRegion.village(v).lineage) }
        var memberships: [String: Set<OpsRegion>] = [:]
        // The overview's order (worst first) is each place's order of its assigned devices.
        for row in overview.devices {
            guard let worker = workers[row.id] else { continue }
            let member = OpsRegion.regions(of: worker.assignment).union([.city])
            memberships[row.id] = member
            places.formUnion(member)
            for region in member { figures[region, default: Figures()].add(row, now: overview.generatedAtMilliseconds) }
            let home = OpsRegion.homes(of: worker.assignment)
            homes[row.id] = home.isEmpty ? [.city] : home
            for region in homes[row.id]! { assigned[region, default: []].append(row) }
        }
        var conflictVillages: [String: VillageCode] = [:]
        for state in conflicts {
            conflictVillages["\(state.key.collection.name)/\(state.key.id)"] = state.key.scope
            for region in OpsRegion.village(state.key.scope).lineage {
                places.insert(region)
                figures[region, default: Figures()].conflictsWaiting += 1
            }
        }
        for alert in overview.alerts {
            let regions: Set<OpsRegion>
            switch alert.kind {
            case .unsyncedChanges, .evidenceOnPhone: regions = memberships[alert.subject] ?? [.city]
            case .silentVillage: regions = Self.villageLineage(alert.subject)
            case .conflictWaiting: regions = conflictVillages[alert.subject].map { Set(OpsRegion.village($0).lineage) } ?? [.city]
            case .creationBudget:
                if alert.subject.hasPrefix("device:") {
                    regions = memberships[String(alert.subject.dropFirst(7))] ?? [.city]
                } else {
                    regions = Self.villageLineage(String(alert.subject.drop { $0 != ":" }.dropFirst()))
                }
            }
            for region in regions {
                alerts[region, default: []].append(alert)
                figures[region, default: Figures()].alerts += 1
            }
        }
        for place in places {
            if figures[place] == nil { figures[place] = Figures() }
            if let parent = place.parent { children[parent, default: []].append(place) }
        }
        for key in children.keys { children[key]!.sort() }
    }

    private static func villageLineage(_ code: String) -> Set<OpsRegion> {
        (try? VillageCode(validating: code)).map { Set(OpsRegion.village($0).lineage) } ?? [.city]
    }

    public func contains(_ region: OpsRegion) -> Bool { figures[region] != nil }

    public func children(of region: OpsRegion) -> [OpsRegion] { children[region] ?? [] }

    /// The devices assigned to `region` itself, worst first.
    public func devices(assignedTo region: OpsRegion) -> [OpsOverview.DeviceRow] { assigned[region] ?? [] }

    public func alerts(in region: OpsRegion) -> [OpsOverview.Alert] { alerts[region] ?? [] }

    /// The places a device's worker is assigned, the first of them its place in the breadcrumb.
    public func homes(ofDevice id: String) -> [OpsRegion]? { homes[id] }

    /// A place's colour: the age of its most recent successful sync, amber as a device's, red
    /// from the silent-village threshold; red too when fewer than `syncedShareRedPercent` of
    /// its devices synced within 7 days. A place without devices is green.
    public func signal(of region: OpsRegion) -> Signal {
        guard let f = figures[region], f.devices > 0 else { return .green }
        let days = f.lastSuccessMilliseconds.map { Double(overview.generatedAtMilliseconds - $0) / 86_400_000 } ?? .infinity
        let age = Signal.of(days, amber: overview.thresholds.lastSyncAmberDays, red: overview.thresholds.silentVillageDays)
        return max(age, shareSignal(of: region))
    }

    /// Red when fewer than `syncedShareRedPercent` of the place's devices synced within 7 days.
    public func shareSignal(of region: OpsRegion) -> Signal {
        guard let share = figures[region]?.syncedShare else { return .green }
        return Double(share) < overview.thresholds.syncedShareRedPercent ? .red : .green
    }
}
