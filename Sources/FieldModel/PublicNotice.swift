/// 公示: a village's public notice of households proposed for coverage, and what came of it.
///
/// The period runs from `startsOn` to `endsOn`, both days included; objections raised during it
/// are counted, and the township records how many it has resolved. The county confirms a listed
/// household only after the period has ended with every objection resolved.
public struct PublicNotice: Sendable, Hashable, Codable {
    public var id: RecordID
    public var village: VillageCode
    public var households: [RecordID]
    public var startsOn: CalendarDate
    public var endsOn: CalendarDate
    public var objectionCount: Int64
    public var objectionNotes: String
    /// How many of the objections the township has looked into and resolved.
    public var resolvedObjectionCount: Int64

    public init(id: RecordID, village: VillageCode, households: [RecordID], startsOn: CalendarDate,
                endsOn: CalendarDate, objectionCount: Int64, objectionNotes: String, resolvedObjectionCount: Int64 = 0) {
        self.id = id
        self.village = village
        self.households = households
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.objectionCount = objectionCount
        self.objectionNotes = objectionNotes
        self.resolvedObjectionCount = resolvedObjectionCount
    }

    /// Notices run at least seven days (公示期不少于7天), both ends counted.
    public static let minimumDays = 7

    /// The days the notice runs, both ends counted.
    public var periodDays: Int { startsOn.days(until: endsOn) + 1 }

    /// Every objection recorded on the notice is resolved (none recorded counts as resolved).
    public var objectionsResolved: Bool { resolvedObjectionCount >= objectionCount }
}
