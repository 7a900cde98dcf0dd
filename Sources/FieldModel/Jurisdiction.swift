/// Which villages a worker sees and may write: the scope rule.
///
/// A village assistant sees and writes their assigned villages; a township reviewer every village
/// of their townships; a county confirmer every village of their counties; a city supervisor
/// sees the city and writes nothing; an administrator writes no household data.
public struct Jurisdiction: Sendable, Hashable {
    public let role: Role
    public let assignment: Assignment

    public init(role: Role, assignment: Assignment) {
        self.role = role
        self.assignment = assignment
    }

    public init(_ worker: Worker) { self.init(role: worker.role, assignment: worker.assignment) }

    public func canSee(_ village: VillageCode) -> Bool {
        role != .administrator && assignment.covers(village)
    }

    public func canWrite(_ village: VillageCode) -> Bool {
        switch role {
        case .villageAssistant, .townshipReviewer, .countyConfirmer: assignment.covers(village)
        case .citySupervisor, .administrator: false
        }
    }

    public func checkWrite(_ village: VillageCode) throws(RuleViolation) {
        guard canWrite(village) else {
            throw RuleViolation(.outOfScope, "a \(role.rawValue) assigned \(assignment.summary) may not write records of village \(village)")
        }
    }
}

extension Assignment {
    /// A short description for messages: `villages 140821101001, townships 140821101`.
    public var summary: String {
        var parts: [String] = []
        if !villages.isEmpty { parts.append("villages " + villages.sorted().map(\.description).joined(separator: " ")) }
        if !townships.isEmpty { parts.append("townships " + townships.sorted().map(\.description).joined(separator: " ")) }
        if !counties.isEmpty { parts.append("counties " + counties.sorted().map(\.description).joined(separator: " ")) }
        if !cities.isEmpty { parts.append("cities " + cities.map(\.description).sorted().joined(separator: " ")) }
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
    }
}
