import FieldModel
import Testing
@testable import SyntheticData

/// The generated histories obey the policy the server enforces: every household's steps replay
/// along the step table, each by a role that may make it and a worker no duty excludes, none by
/// a filed relative; confirmations come after a notice that ran its seven days with every
/// objection resolved; and the data holds a realistic share of overdue reviews and of the
/// special groups the policy names.
@Suite("Generated workflow histories obey the policy")
struct WorkflowHistoryTests {
    static let indices = ConsistencyTests.indices

    @Test("every household's steps replay along the step table, by the right role and a different person", arguments: 0..<2)
    func stepsReplay(_ i: Int) throws {
        let ix = Self.indices[i]
        let historyStart = Fixtures.asOf.adding(months: -13)
        let steps = Dictionary(grouping: ix.data.workflowSteps, by: \.household)
        let notices = Dictionary(grouping: ix.data.notices, by: \.village)
        #expect(Set(steps.keys) == Set(ix.households.keys), "every household has its history")
        for (id, household) in ix.households {
            let history = try #require(steps[id])
            #expect(history.first?.from == nil && history.first?.to == .applied, "\(id) starts with its application")
            #expect(history.last?.to == household.status, "\(id) ends at its status")
            #expect(zip(history, history.dropFirst()).allSatisfy { $0.on <= $1.on && $1.from == $0.to }, "\(id): steps in order")
            #expect(history.allSatisfy { $0.on <= Fixtures.asOf })
            var cycle = WorkflowCycle()
            for step in history {
                let worker = try #require(ix.workers[step.worker], "\(step.worker)")
                #expect(Recusal.filing(binding: worker.id, to: id, in: ix.data.filings) == nil, "\(worker.id) is filed for \(id)")
                guard let from = step.from else {
                    #expect(Schema.household.creators.contains(worker.role))
                    cycle.record(Workflow.creationDuty, by: worker.id)
                    continue
                }
                let table = try #require(Workflow.step(from: from, to: step.to), "\(from) → \(step.to) is no step")
                if table.gates.isEmpty || step.on >= historyStart {
                    let standing = (notices[household.village] ?? []).map { NoticeStanding($0) }
                    #expect(throws: Never.self, "\(id) \(from) → \(step.to) by \(worker.id) on \(step.on)") {
                        try Workflow.check(from: from, to: step.to, by: worker, household: id, cycle: cycle, notices: standing, today: step.on)
                    }
                } else {
                    // Before the year of history the notices are not generated: role and duties only.
                    #expect(table.roles.contains(worker.role) && cycle.duties(of: worker.id).isDisjoint(with: table.notBy))
                }
                if step.to == Workflow.initial { cycle = WorkflowCycle() }
                if let duty = table.duty { cycle.record(duty, by: worker.id) }
            }
        }
    }

    @Test("investigations by assistants, township reviews by a reviewer, decisions by the county")
    func whoDoesWhat() throws {
        let ix = Self.indices[1]
        for step in ix.data.workflowSteps {
            let role = try #require(ix.workers[step.worker]).role
            switch step.to {
            case .applied, .investigated, .underReview: #expect(role == .villageAssistant)
            case .townshipReviewed, .publicNotice: #expect(role == .townshipReviewer)
            case .declined: #expect(role == .townshipReviewer || role == .countyConfirmer)
            case .countyConfirmed, .covered, .adjusted, .exited: #expect(role == .countyConfirmer)
            }
        }
    }

    @Test("a realistic share of covered households is overdue for review, and of the special groups")
    func overdueAndSpecialGroups() {
        let ix = Self.indices[1]
        let covered = ix.data.households.filter { $0.status.isCovered }
        let overdue = covered.filter { ReviewCadence.isDue($0, members: ix.membersByHousehold[$0.id] ?? [], on: Fixtures.asOf) }
        let share = Double(overdue.count) / Double(covered.count)
        #expect((0.03...0.15).contains(share), "\(overdue.count) of \(covered.count) overdue")
        // 单独申请: households of one member on one of the policy's grounds.
        let single = covered.filter { h in
            let ms = ix.membersByHousehold[h.id] ?? []
            return ms.count == 1 && SinglePersonCoverage.qualifies(ms[0])
        }
        #expect((0.04...0.25).contains(Double(single.count) / Double(covered.count)), "\(single.count) of \(covered.count) single-person")
    }

    @Test("notices run seven days; those that ended have every objection resolved", arguments: 0..<2)
    func notices(_ i: Int) {
        for n in Self.indices[i].data.notices {
            #expect(n.periodDays == PublicNotice.minimumDays)
            if n.endsOn < Fixtures.asOf { #expect(n.objectionsResolved) }
        }
    }
}
