import FieldModel

/// How many new households one device, and one village, may register per day (China Standard
/// Time). One token must not be able to flood a scope, or push a reviewer's scope over its
/// blocking size, with applications; over the budget a create is refused (`creation_budget`)
/// and ops sees an alert. An administrator's roster import is not counted.
public struct CreationBudget: Sendable, Hashable, Codable {
    public var householdsPerDevicePerDay: Int
    public var householdsPerVillagePerDay: Int

    /// A screening campaign registers a few applications a day per village; a busy urban
    /// community a few dozen. The defaults sit well above both.
    public init(householdsPerDevicePerDay: Int = 50, householdsPerVillagePerDay: Int = 100) {
        self.householdsPerDevicePerDay = householdsPerDevicePerDay
        self.householdsPerVillagePerDay = householdsPerVillagePerDay
    }
}

/// What a creation budget is counted against: one device, or one village.
public enum CreationScope: Sendable, Hashable, Comparable, CustomStringConvertible {
    case device(String)
    case village(VillageCode)

    /// The scope as the counters' key column holds it: `device:dev-…`, `village:140821100201`.
    public var key: String {
        switch self {
        case .device(let id): "device:\(id)"
        case .village(let v): "village:\(v)"
        }
    }

    public var description: String { key }
    public static func < (a: CreationScope, b: CreationScope) -> Bool { a.key < b.key }
}

/// Households created on one day per scope: read for a push, raised by its plan.
public struct CreationCounts: Sendable, Hashable {
    public var day: CalendarDate
    public var counts: [CreationScope: Int]

    public init(day: CalendarDate, counts: [CreationScope: Int] = [:]) {
        self.day = day
        self.counts = counts
    }

    public subscript(scope: CreationScope) -> Int {
        get { counts[scope] ?? 0 }
        set { counts[scope] = newValue }
    }
}

/// A create refused for the budget: kept for ops (an alert), beside the change's rejection.
public struct CreationBudgetRefusal: Sendable, Hashable, Codable {
    public var atMilliseconds: Int64
    public var day: CalendarDate
    public var scope: String
    public var deviceID: String
    public var worker: WorkerID
    public var limit: Int

    public init(atMilliseconds: Int64, day: CalendarDate, scope: String, deviceID: String, worker: WorkerID, limit: Int) {
        self.atMilliseconds = atMilliseconds
        self.day = day
        self.scope = scope
        self.deviceID = deviceID
        self.worker = worker
        self.limit = limit
    }
}
