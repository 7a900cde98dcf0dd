/// 公示: a village's public notice of households proposed for coverage, and what came of it.
public struct PublicNotice: Sendable, Hashable, Codable {
    public var id: RecordID
    public var village: VillageCode
    public var households: [RecordID]
    public var startsOn: CalendarDate
    public var endsOn: CalendarDate
    public var objectionCount: Int64
    public var objectionNotes: String

    public init(id: RecordID, village: VillageCode, households: [RecordID], startsOn: CalendarDate,
                endsOn: CalendarDate, objectionCount: Int64, objectionNotes: String) {
        self.id = id
        self.village = village
        self.households = households
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.objectionCount = objectionCount
        self.objectionNotes = objectionNotes
    }

    /// Notices run at least seven days (公示期不少于7天).
    public static let minimumDays = 7
}
