/// 救助明白卡: the card posted in every covered household, generated from its data.
///
/// 内容包括：低保救助政策，救助类别、标准和金额，救助经办人姓名和监督咨询电话。
public struct ReliefCard: Sendable, Hashable, Codable {
    public let householdID: RecordID
    public let headName: String
    public let category: String
    public let monthlyStandardFen: Int64
    public let monthlyAmountFen: Int64
    public let handlerName: String
    public let supervisionPhone: String
    public let lines: [String]

    /// The card for `household`, or nil when it is not covered (cards are for covered households only).
    public init?(household: Household, handlerName: String, supervisionPhone: String) {
        guard household.status.isCovered else { return nil }
        householdID = household.id
        headName = household.headName
        category = household.category.chineseName
        monthlyStandardFen = household.monthlyStandardFen
        monthlyAmountFen = household.monthlyAmountFen
        self.handlerName = handlerName
        self.supervisionPhone = supervisionPhone
        lines = [
            "救助明白卡",
            "户主：\(household.headName)",
            "救助类别：\(household.category.chineseName)",
            "保障标准：\(Yuan(fen: household.monthlyStandardFen)) 元/人·月",
            "救助金额：\(Yuan(fen: household.monthlyAmountFen)) 元/月",
            "经办人：\(handlerName)",
            "监督咨询电话：\(supervisionPhone)",
            "政策：家庭人均收入低于当地低保标准且财产状况符合规定的，可申请最低生活保障；经济状况变化应主动报告。",
        ]
    }
}

/// Fen rendered as yuan with two decimals: `Yuan(fen: 61050)` prints `610.50`.
public struct Yuan: Sendable, CustomStringConvertible {
    public let fen: Int64
    public init(fen: Int64) { self.fen = fen }
    public var description: String {
        let sign = fen < 0 ? "-" : ""
        let a = fen.magnitude
        let cents = a % 100
        return "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
