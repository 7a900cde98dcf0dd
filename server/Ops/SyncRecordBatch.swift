/// A batch of exchanges as the rows it changes: each device's status and each region's hour
/// once, folded in the batch's order to what one upsert per exchange would leave, so a store can
/// write the batch with one statement per table (an upsert may not touch a row twice).
public struct SyncRecordBatch: Sendable {
    /// The status each exchange would set on its own: merged into the stored row the same way.
    public private(set) var statuses: [DeviceStatus] = []
    /// Each region's counts of the batch, by hour.
    public private(set) var hours: [(region: Int64, hour: SyncHour)] = []

    public init(_ records: [SyncRecord]) {
        var statusIndex: [String: Int] = [:]
        var hourIndex: [HourKey: Int] = [:]
        for r in records {
            let status = r.status
            if let i = statusIndex[r.deviceID] {
                statuses[i].absorb(status)
            } else {
                statusIndex[r.deviceID] = statuses.count
                statuses.append(status)
            }
            let hour = SyncHour.hour(of: r.atMilliseconds)
            for region in r.regions {
                let key = HourKey(region: region, hour: hour)
                if let i = hourIndex[key] {
                    hours[i].hour.syncs += 1
                    hours[i].hour.failures += r.succeeded ? 0 : 1
                    hours[i].hour.pushed += r.pushed
                    hours[i].hour.pulled += r.pulled
                } else {
                    hourIndex[key] = hours.count
                    hours.append((region, SyncHour(hourMilliseconds: hour, syncs: 1, failures: r.succeeded ? 0 : 1, pushed: r.pushed, pulled: r.pulled)))
                }
            }
        }
    }

    private struct HourKey: Hashable {
        let region: Int64
        let hour: Int64
    }
}

extension SyncRecord {
    /// What the ops page shows of a failed exchange: its result and reason.
    public var failureText: String? {
        succeeded ? nil : [result, reason].compactMap { $0 }.joined(separator: ": ")
    }

    /// The device status this exchange alone would write.
    var status: DeviceStatus {
        DeviceStatus(deviceID: deviceID, worker: worker, lastSyncMilliseconds: atMilliseconds,
                     lastSuccessMilliseconds: succeeded ? atMilliseconds : nil, lastFailureMilliseconds: succeeded ? nil : atMilliseconds,
                     lastFailure: failureText, lastDurationMilliseconds: durationMilliseconds, health: health, overBudget: overBudget)
    }
}

extension DeviceStatus {
    /// A later exchange's status over this one, as the stores merge a status into the stored
    /// row: the latest times (an exchange reported late moves none back), the latest failure's
    /// text, the newer worker, duration and budget flag, the health when the exchange sent one.
    mutating func absorb(_ later: DeviceStatus) {
        worker = later.worker
        lastSyncMilliseconds = max(lastSyncMilliseconds, later.lastSyncMilliseconds)
        lastSuccessMilliseconds = [lastSuccessMilliseconds, later.lastSuccessMilliseconds].compactMap { $0 }.max()
        lastFailureMilliseconds = [lastFailureMilliseconds, later.lastFailureMilliseconds].compactMap { $0 }.max()
        if later.lastFailureMilliseconds != nil { lastFailure = later.lastFailure }
        lastDurationMilliseconds = later.lastDurationMilliseconds
        health = later.health ?? health
        overBudget = later.overBudget
    }
}
