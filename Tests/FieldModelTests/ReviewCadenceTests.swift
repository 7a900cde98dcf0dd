import FieldModel
import Testing

/// 动态管理: 对短期内经济状况变化不大的低保家庭每年核查一次；对收入来源不固定、家庭成员有劳动能力的
/// 低保家庭，每半年核查一次。
@Suite("Review cadence")
struct ReviewCadenceTests {
    /// A household's make-up as the policy describes it, and the cadence the policy gives it.
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let classification: EconomicClassification
        let members: [(LabourAbility, MemberStatus)]
        let expected: ReviewCadence
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "stable, nobody listed", classification: .stable, members: [], expected: .yearly),
        Case(label: "stable, elderly and a child who cannot work", classification: .stable,
             members: [(.none, .present), (.none, .present)], expected: .yearly),
        Case(label: "stable, a member partly able to work", classification: .stable,
             members: [(.partial, .present), (.none, .present)], expected: .yearly),
        Case(label: "stable, a present member able to work", classification: .stable,
             members: [(.none, .present), (.able, .present)], expected: .everySixMonths),
        Case(label: "stable, the member able to work moved out", classification: .stable,
             members: [(.none, .present), (.able, .movedOut)], expected: .yearly),
        Case(label: "stable, the member able to work died", classification: .stable,
             members: [(.able, .deceased)], expected: .yearly),
        Case(label: "unstable income, nobody able to work", classification: .unstableIncome,
             members: [(.none, .present)], expected: .everySixMonths),
        Case(label: "unstable income, nobody listed", classification: .unstableIncome,
             members: [], expected: .everySixMonths),
        Case(label: "unstable income and a member able to work", classification: .unstableIncome,
             members: [(.able, .present)], expected: .everySixMonths),
    ]

    static func members(_ spec: [(LabourAbility, MemberStatus)]) throws -> [Member] {
        try spec.enumerated().map { i, m in try Fixture.member(id: 100 + UInt64(i), labour: m.0, status: m.1) }
    }

    @Test("the cadence follows the classification and who can work", arguments: cases)
    func cadence(_ c: Case) throws {
        let members = try Self.members(c.members)
        #expect(ReviewCadence.cadence(classification: c.classification, members: members) == c.expected)
    }

    @Test("a yearly review is twelve months and an annual review visit; six-monthly is six and semiannual")
    func cadenceMonthsAndVisitKind() {
        #expect(ReviewCadence.yearly.months == 12)
        #expect(ReviewCadence.yearly.visitKind == .annualReview)
        #expect(ReviewCadence.everySixMonths.months == 6)
        #expect(ReviewCadence.everySixMonths.visitKind == .semiannualReview)
        #expect(ReviewCadence.allCases.allSatisfy { $0.visitKind.isReview && $0.visitKind.assessesEligibility })
    }

    @Test("the next review is due a cadence after the last review", arguments: cases)
    func nextDueFromLastReview(_ c: Case) throws {
        let household = try Fixture.household(classification: c.classification, coveredSince: Fixture.date(2019, 5, 20),
                                              lastReviewedOn: Fixture.date(2023, 3, 10))
        let due = ReviewCadence.nextDue(for: household, members: try Self.members(c.members))
        #expect(due == (c.expected == .yearly ? Fixture.date(2024, 3, 10) : Fixture.date(2023, 9, 10)))
    }

    @Test("a household never reviewed is due a cadence after coverage began")
    func nextDueFromCoverageStart() throws {
        let stable = try Fixture.household(classification: .stable, coveredSince: Fixture.date(2023, 11, 30), lastReviewedOn: nil)
        #expect(ReviewCadence.nextDue(for: stable, members: []) == Fixture.date(2024, 11, 30))
        let unstable = try Fixture.household(classification: .unstableIncome, coveredSince: Fixture.date(2023, 11, 30), lastReviewedOn: nil)
        #expect(ReviewCadence.nextDue(for: unstable, members: []) == Fixture.date(2024, 5, 30))
    }

    @Test("the due date is clamped to the month's end", arguments: [
        // Aug 31 + 6 months has no Feb 31: the review falls on February's last day.
        (Fixture.date(2022, 8, 31), EconomicClassification.unstableIncome, Fixture.date(2023, 2, 28)),
        (Fixture.date(2023, 8, 31), .unstableIncome, Fixture.date(2024, 2, 29)),
        (Fixture.date(2024, 2, 29), .stable, Fixture.date(2025, 2, 28)),
        (Fixture.date(2024, 3, 31), .unstableIncome, Fixture.date(2024, 9, 30)),
        (Fixture.date(2023, 12, 31), .unstableIncome, Fixture.date(2024, 6, 30)),
    ])
    func monthEndClamping(lastReviewed: CalendarDate, classification: EconomicClassification, expected: CalendarDate) throws {
        let household = try Fixture.household(classification: classification, lastReviewedOn: lastReviewed)
        #expect(ReviewCadence.nextDue(for: household, members: []) == expected)
    }

    @Test("a member able to work makes a stable household's review six-monthly")
    func ableMemberShortensTheDueDate() throws {
        let household = try Fixture.household(classification: .stable, lastReviewedOn: Fixture.date(2023, 8, 31))
        let worker = try Fixture.member(labour: .able)
        #expect(ReviewCadence.nextDue(for: household, members: []) == Fixture.date(2024, 8, 31))
        #expect(ReviewCadence.nextDue(for: household, members: [worker]) == Fixture.date(2024, 2, 29))
        var left = worker
        left.status = .movedOut
        #expect(ReviewCadence.nextDue(for: household, members: [left]) == Fixture.date(2024, 8, 31))
    }

    /// 在保: the household receives assistance while covered, under review, or adjusted.
    static let coveredStatuses: Set<WorkflowStatus> = [.covered, .underReview, .adjusted]

    @Test("only covered households have a review due", arguments: WorkflowStatus.allCases)
    func notCoveredHasNoDueDate(status: WorkflowStatus) throws {
        let household = try Fixture.household(status: status, coveredSince: Fixture.date(2021, 3, 1),
                                              lastReviewedOn: Fixture.date(2023, 1, 5))
        let covered = Self.coveredStatuses.contains(status)
        #expect(status.isCovered == covered)
        let due = ReviewCadence.nextDue(for: household, members: [])
        #expect((due == nil) == !covered)
        if covered { #expect(due == Fixture.date(2024, 1, 5)) }
        // Even years overdue, a household that is not covered is never due.
        #expect(ReviewCadence.isDue(household, members: [], on: Fixture.date(2030, 1, 1)) == covered)
    }

    @Test("a covered household with neither coverage start nor review has no computable due date")
    func coveredWithoutDates() throws {
        let household = try Fixture.household(status: .covered, coveredSince: nil, lastReviewedOn: nil)
        #expect(ReviewCadence.nextDue(for: household, members: []) == nil)
        #expect(!ReviewCadence.isDue(household, members: [], on: Fixture.today))
    }

    @Test("due on the due day and every day after, not the day before", arguments: EconomicClassification.allCases)
    func isDueOnTheDueDay(classification: EconomicClassification) throws {
        let household = try Fixture.household(classification: classification, lastReviewedOn: Fixture.date(2023, 8, 31))
        let due = classification == .stable ? Fixture.date(2024, 8, 31) : Fixture.date(2024, 2, 29)
        #expect(!ReviewCadence.isDue(household, members: [], on: due.adding(days: -1)))
        #expect(!ReviewCadence.isDue(household, members: [], on: Fixture.date(2023, 8, 31)))
        #expect(ReviewCadence.isDue(household, members: [], on: due))
        #expect(ReviewCadence.isDue(household, members: [], on: due.adding(days: 1)))
        #expect(ReviewCadence.isDue(household, members: [], on: due.adding(days: 400)))
    }
}
