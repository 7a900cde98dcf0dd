/// A staff member's id as the administrator created it: 1–64 characters of `A–Z a–z 0–9 - _ .`.
public struct WorkerID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(validating text: String) throws(ValidationError) {
        guard !text.isEmpty else {
            throw ValidationError(field: "worker.id", problem: .empty, message: "worker id is empty")
        }
        guard text.utf8.count <= 64 else {
            throw ValidationError(field: "worker.id", problem: .tooLong,
                                  message: "worker id has \(text.utf8.count) bytes, limit 64")
        }
        guard text.utf8.allSatisfy(WorkerID.allowed) else {
            throw ValidationError(field: "worker.id", problem: .invalidCharacter,
                                  message: "worker id \"\(text.prefix(64))\" may hold only letters, digits, '-', '_' and '.'")
        }
        self.rawValue = text
    }

    /// For ids read back from a store that only holds valid ones.
    public init(unchecked text: String) { self.rawValue = text }

    static func allowed(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == 0x2D || b == 0x5F || b == 0x2E
    }

    public var description: String { rawValue }
    public static func < (a: WorkerID, b: WorkerID) -> Bool { a.rawValue < b.rawValue }
}

/// What a staff member does; it decides which villages they see and which fields they may write.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// 村级低保协理员 / 网格员: visits, screening, discovery, applications, in assigned villages.
    case villageAssistant
    /// 乡镇审核: reviews applications and visit results for the villages of a township.
    case townshipReviewer
    /// 县级确认: confirms, publishes notices, exits households in a county.
    case countyConfirmer
    /// 市级督导: reads everything in the city, writes nothing.
    case citySupervisor
    /// Manages workers, assignments, filings and devices; writes no household data.
    case administrator

    public var chineseName: String {
        switch self {
        case .villageAssistant: "村级协理员"
        case .townshipReviewer: "乡镇审核"
        case .countyConfirmer: "县级确认"
        case .citySupervisor: "市级督导"
        case .administrator: "系统管理员"
        }
    }
}

/// A staff member: who they are, what they do, and where.
public struct Worker: Sendable, Hashable, Codable {
    public var id: WorkerID
    public var name: String
    public var role: Role
    public var assignment: Assignment

    public init(id: WorkerID, name: String, role: Role, assignment: Assignment) {
        self.id = id
        self.name = name
        self.role = role
        self.assignment = assignment
    }
}

/// The jurisdiction given to a worker: villages, whole townships, whole counties, or the city.
public struct Assignment: Sendable, Hashable, Codable {
    public var villages: Set<VillageCode>
    public var townships: Set<TownshipCode>
    public var counties: Set<CountyCode>
    public var cities: Set<CityCode>

    public init(villages: Set<VillageCode> = [], townships: Set<TownshipCode> = [],
                counties: Set<CountyCode> = [], cities: Set<CityCode> = []) {
        self.villages = villages
        self.townships = townships
        self.counties = counties
        self.cities = cities
    }

    /// Whether `village` falls inside any part of the assignment.
    public func covers(_ village: VillageCode) -> Bool {
        villages.contains(village) || townships.contains(village.township)
            || counties.contains(village.county) || cities.contains(village.city)
    }

    public var isEmpty: Bool { villages.isEmpty && townships.isEmpty && counties.isEmpty && cities.isEmpty }
}
