import FieldModel
import Testing
import SyntheticData

/// 救助明白卡: 内容包括：低保救助政策，救助类别、标准和金额，救助经办人姓名和监督咨询电话.
@Suite("Relief card")
struct ReliefCardTests {
    static let handler = "王建国"
    static let phone = "0359-2345678"

    static func card(_ household: Household) -> ReliefCard? {
        ReliefCard(household: household, handlerName: handler, supervisionPhone: phone)
    }

    @Test("only a household receiving assistance gets a card", arguments: WorkflowStatus.allCases)
    func onlyCoveredHouseholds(status: WorkflowStatus) throws {
        let receives: Set<WorkflowStatus> = [.covered, .underReview, .adjusted]
        let card = Self.card(try Fixture.household(status: status))
        #expect((card != nil) == receives.contains(status))
    }

    @Test("the card shows category, standard, amount, handler and supervision phone", arguments: [
        (HouseholdCategory.urbanDibao, "城市低保"), (.ruralDibao, "农村低保"), (.extremePoverty, "特困供养"),
    ])
    func contents(category: HouseholdCategory, chinese: String) throws {
        let household = try Fixture.household(category: category, standardFen: 61_000, amountFen: 45_050)
        let card = try #require(Self.card(household))
        #expect(card.householdID == household.id)
        #expect(card.headName == "张三")
        #expect(card.category == chinese)
        #expect(card.monthlyStandardFen == 61_000)
        #expect(card.monthlyAmountFen == 45_050)
        #expect(card.handlerName == Self.handler)
        #expect(card.supervisionPhone == Self.phone)
        #expect(card.lines.first == "救助明白卡")
        for line in ["户主：张三", "救助类别：\(chinese)", "保障标准：610.00 元/人·月", "救助金额：450.50 元/月",
                     "经办人：王建国", "监督咨询电话：0359-2345678"] {
            #expect(card.lines.contains(line), "\(line)")
        }
        #expect(card.lines.contains { $0.hasPrefix("政策：") }, "the card states the policy")
    }

    @Test("the card is generated from the data: a new amount gives a new card")
    func followsTheData() throws {
        var household = try Fixture.household(status: .adjusted, amountFen: 45_050)
        let before = try #require(Self.card(household))
        household.monthlyAmountFen = 52_005
        let after = try #require(Self.card(household))
        #expect(before != after)
        #expect(after.lines.contains("救助金额：520.05 元/月"))
        household.status = .exited
        #expect(Self.card(household) == nil)
    }

    @Test("the posted card never shows the ID number")
    func noIDNumber() throws {
        let household = try Fixture.household()
        let card = try #require(Self.card(household))
        let raw = household.headIDNumber.rawValue
        #expect(!card.lines.contains { $0.contains(raw) || $0.contains(String(raw.dropFirst(6).prefix(8))) })
    }

    @Test("yuan are printed with two decimals", arguments: [
        (61_050, "610.50"), (61_000, "610.00"), (5, "0.05"), (10, "0.10"), (0, "0.00"), (100, "1.00"),
        (99, "0.99"), (-150, "-1.50"), (-1, "-0.01"), (123_456_789, "1234567.89"),
        (.max, "92233720368547758.07"), (.min, "-92233720368547758.08"),
    ] as [(Int64, String)])
    func yuan(fen: Int64, text: String) {
        #expect(Yuan(fen: fen).description == text)
    }

    @Test("yuan text reads back as the same number of fen")
    func yuanRoundTrip() throws {
        var rng = SeededGenerator(seed: 0x1408)
        for _ in 0..<5_000 {
            let fen = Int64.random(in: -10_000_000_000...10_000_000_000, using: &rng)
            let text = Yuan(fen: fen).description
            let negative = text.hasPrefix("-")
            let parts = text.drop(while: { $0 == "-" }).split(separator: ".", omittingEmptySubsequences: false)
            try #require(parts.count == 2)
            #expect(parts[1].count == 2)
            #expect(parts[0].count == 1 || parts[0].first != "0", "no leading zeros: \(text)")
            let magnitude = try #require(Int64(parts[0])) * 100 + (try #require(Int64(parts[1])))
            #expect((negative ? -magnitude : magnitude) == fen)
            #expect(negative == (fen < 0))
        }
    }
}
