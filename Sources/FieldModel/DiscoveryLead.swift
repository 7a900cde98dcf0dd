/// The difficulty a discovery lead reports (老、弱、病、残、困、灾).
public enum Difficulty: String, Sendable, Hashable, Codable, CaseIterable {
    case elderly, weak, illness, disability, hardship, disaster
}

/// Where a lead stands.
public enum FollowUpStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case open, visited, helpedToApply, notEligible, closed
}

/// An entry of the active-discovery roster (主动发现花名册): a family someone noticed in difficulty.
public struct DiscoveryLead: Sendable, Hashable, Codable {
    public var id: RecordID
    public var village: VillageCode
    /// The worker who recorded the lead.
    public var recordedBy: WorkerID
    /// Who noticed the family (a grid worker, a neighbour, the 12345 hotline).
    public var foundBy: String
    public var personName: String
    public var addressDetail: String
    public var difficulty: Difficulty
    public var description: String
    public var reportedOn: CalendarDate
    public var followUpStatus: FollowUpStatus

    public init(id: RecordID, village: VillageCode, recordedBy: WorkerID, foundBy: String,
                personName: String, addressDetail: String, difficulty: Difficulty,
                description: String, reportedOn: CalendarDate, followUpStatus: FollowUpStatus) {
        self.id = id
        self.village = village
        self.recordedBy = recordedBy
        self.foundBy = foundBy
        self.personName = personName
        self.addressDetail = addressDetail
        self.difficulty = difficulty
        self.description = description
        self.reportedOn = reportedOn
        self.followUpStatus = followUpStatus
    }
}
