import FieldModel

/// One hour's snapshot of a region's devices, taken from their latest statuses: how many are
/// enrolled, how many ever synced, how many synced successfully within 3 and within 7 days,
/// and the unsynced changes they last reported. The ops pages draw 14 days of them.
///
/// A region is a city, county or township code, as for `SyncHour`; a device counts in every
/// region of its worker's `Assignment.trendRegions`. A phone that stops syncing keeps its last
/// report: its unsynced changes still count, and their age grows with every snapshot, because
/// the snapshot keeps when the oldest of them was made and when it was taken.
public struct HealthHour: Sendable, Hashable, Codable {
    public var region: Int64
    /// The hour the snapshot falls in (`SyncHour.hour(of:)`); one snapshot per region and hour,
    /// the latest taken.
    public var hourMilliseconds: Int64
    /// When the snapshot was taken: the moment its windows and ages are measured from.
    public var takenAtMilliseconds: Int64
    /// Devices enrolled (not revoked) for workers of the region.
    public var devices: Int
    /// Of them, devices that ever synced.
    public var seen: Int
    /// Of them, devices whose last successful sync is less than 3 (7) days old.
    public var syncedWithin3Days: Int
    public var syncedWithin7Days: Int
    /// Unsynced changes the devices last reported, summed.
    public var unsyncedChanges: Int
    /// When the oldest of those changes was made; nil when none is unsynced.
    public var oldestUnsyncedMilliseconds: Int64?

    public init(region: Int64, hourMilliseconds: Int64, takenAtMilliseconds: Int64, devices: Int, seen: Int, syncedWithin3Days: Int,
                syncedWithin7Days: Int, unsyncedChanges: Int, oldestUnsyncedMilliseconds: Int64?) {
        self.region = region
        self.hourMilliseconds = hourMilliseconds
        self.takenAtMilliseconds = takenAtMilliseconds
        self.devices = devices
        self.seen = seen
        self.syncedWithin3Days = syncedWithin3Days
        self.syncedWithin7Days = syncedWithin7Days
        self.unsyncedChanges = unsyncedChanges
        self.oldestUnsyncedMilliseconds = oldestUnsyncedMilliseconds
    }

    static let day: Int64 = 86_400_000

    /// Whole days the oldest unsynced change had waited when the snapshot was taken; 0 when none.
    public var oldestUnsyncedDays: Int {
        oldestUnsyncedMilliseconds.map { Int(max(0, takenAtMilliseconds - $0) / Self.day) } ?? 0
    }

    /// `count` as a whole percentage of the region's devices, rounded half up; 0 without devices.
    public func percent(_ count: Int) -> Int { Self.percent(count, of: devices) }

    /// `count` as a whole percentage of `total`, rounded half up; 0 when `total` is 0. The pages'
    /// one way of writing a share of devices.
    public static func percent(_ count: Int, of total: Int) -> Int { total > 0 ? (count * 200 + total) / (total * 2) : 0 }

    /// Whether a last successful sync at `lastSuccess` is less than `days` days before `now`.
    public static func synced(_ lastSuccess: Int64?, within days: Int64, of now: Int64) -> Bool {
        lastSuccess.map { now - $0 < days * day } ?? false
    }

    /// Every region's snapshot at `now`, from the enrolled devices and the latest statuses
    /// (statuses of devices no longer enrolled are left out). Regions without a device are absent.
    ///
    /// - Complexity: O(d·r + s) for d devices counting in r regions each and s statuses.
    public static func snapshot(at now: Int64, devices: [OpsOverview.EnrolledDevice], statuses: [DeviceStatus]) -> [HealthHour] {
        let byDevice = Dictionary(statuses.map { ($0.deviceID, $0) }, uniquingKeysWith: { a, _ in a })
        let hour = SyncHour.hour(of: now)
        var regions: [Int64: HealthHour] = [:]
        for device in devices {
            let status = byDevice[device.id]
            let unsynced = status?.health?.outboxCount ?? 0
            let oldest = unsynced > 0 ? status?.health?.oldestUnsyncedMilliseconds : nil
            for region in device.worker.assignment.trendRegions {
                var h = regions[region] ?? HealthHour(region: region, hourMilliseconds: hour, takenAtMilliseconds: now, devices: 0, seen: 0,
                                                      syncedWithin3Days: 0, syncedWithin7Days: 0, unsyncedChanges: 0, oldestUnsyncedMilliseconds: nil)
                h.devices += 1
                if status != nil { h.seen += 1 }
                if synced(status?.lastSuccessMilliseconds, within: 3, of: now) { h.syncedWithin3Days += 1 }
                if synced(status?.lastSuccessMilliseconds, within: 7, of: now) { h.syncedWithin7Days += 1 }
                h.unsyncedChanges += unsynced
                if let oldest { h.oldestUnsyncedMilliseconds = min(h.oldestUnsyncedMilliseconds ?? oldest, oldest) }
                regions[region] = h
            }
        }
        return regions.keys.sorted().map { regions[$0]! }
    }
}
