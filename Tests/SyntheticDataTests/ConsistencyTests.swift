import FieldModel
import Testing
@testable import SyntheticData

/// The records agree with each other and with the policy rules.
@Suite("Generated records are consistent")
struct ConsistencyTests {
    static let indices = Fixtures.all.map { DatasetIndex($0) }

    @Test("Members and visits belong to existing households of the same village", arguments: 0..<2)
    func references(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        for m in ix.data.members { #expect(ix.households[m.householdID]?.village == m.village) }
        for v in ix.data.visits { #expect(ix.households[v.householdID]?.village == v.village) }
        for f in ix.data.filings { #expect(ix.households[f.household]?.village == f.village) }
        for n in ix.data.notices {
            for h in n.households { #expect(ix.households[h]?.village == n.village) }
        }
    }

    @Test("Each household has one present head whose name and ID number it records", arguments: 0..<2)
    func heads(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        for h in ix.data.households {
            let heads = ix.membersByHousehold[h.id, default: []].filter { $0.relation == .head }
            #expect(heads.count == 1)
            #expect(heads.first?.name == h.headName)
            #expect(heads.first?.idNumber == h.headIDNumber)
            #expect(heads.first?.status == .present)
        }
    }

    @Test("Generations are ordered: children younger than the head, parents older", arguments: 0..<2)
    func generations(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        for (_, members) in ix.membersByHousehold {
            let head = members.first { $0.relation == .head }!.idNumber.birthDate
            for m in members {
                let years = head.days(until: m.idNumber.birthDate) / 365
                switch m.relation {
                case .child: #expect(years >= 16, "child born \(years) years after the head")
                case .grandchild: #expect(years >= 32)
                case .parent: #expect(years <= -16)
                case .grandparent: #expect(years <= -32)
                default: break
                }
            }
        }
    }

    @Test("lastReviewedOn is the date of the latest review visit", arguments: 0..<2)
    func lastReviewed(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        for h in ix.data.households {
            let latest = ix.visitsByHousehold[h.id, default: []].filter(\.kind.isReview).map(\.date).max()
            #expect(h.lastReviewedOn == latest, "household \(h.id) \(h.status)")
        }
    }

    @Test("Review visits follow the household's cadence", arguments: 0..<2)
    func cadence(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        for h in ix.data.households {
            let kind = ReviewCadence.cadence(classification: h.classification, members: ix.membersByHousehold[h.id]!).visitKind
            let reviews = ix.visitsByHousehold[h.id, default: []].filter(\.kind.isReview).sorted { $0.date < $1.date }
            for r in reviews { #expect(r.kind == kind) }
            // A household still covered is at most one review behind: the one now due, late (a
            // realistic share are: `WorkflowHistoryTests`).
            if h.status == .covered, let due = ReviewCadence.nextDue(for: h, members: ix.membersByHousehold[h.id]!) {
                let cadence = ReviewCadence.cadence(classification: h.classification, members: ix.membersByHousehold[h.id]!)
                #expect(due.adding(months: cadence.months).adding(days: 20) > Fixtures.asOf, "reviews are done up to 20 days early")
            }
        }
    }

    @Test("Dates follow the workflow: coverage only once covered, nothing after the reference date", arguments: 0..<2)
    func workflowDates(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        let reachedCoverage: Set<WorkflowStatus> = [.covered, .underReview, .adjusted, .exited]
        for h in ix.data.households {
            #expect((h.coveredSince != nil) == reachedCoverage.contains(h.status), "\(h.status) coveredSince \(String(describing: h.coveredSince))")
            #expect(h.appliedOn <= Fixtures.asOf)
            if let c = h.coveredSince { #expect(h.appliedOn < c && c <= Fixtures.asOf) }
            if let r = h.lastReviewedOn { #expect(h.coveredSince! < r && r <= Fixtures.asOf) }
            for v in ix.visitsByHousehold[h.id, default: []] {
                #expect(v.date >= h.appliedOn && v.date <= Fixtures.asOf)
            }
            let kinds = Set(ix.visitsByHousehold[h.id, default: []].map(\.kind))
            if [.investigated, .townshipReviewed, .publicNotice, .countyConfirmed, .declined].contains(h.status) {
                #expect(kinds.contains(.applicationInvestigation), "applicant in \(h.status) without investigation")
            }
            if h.status == .applied { #expect(!kinds.contains(.applicationInvestigation)) }
        }
    }

    @Test("Money is consistent with the standard: amount = standard × members − income while covered", arguments: 0..<2)
    func money(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        let standards = ix.data.plan.standards
        for h in ix.data.households {
            let urban = ix.villages[h.village]!.isUrban
            #expect(h.monthlyStandardFen == standards.standard(for: h.category, urban: urban))
            let present = Int64(ix.membersByHousehold[h.id]!.filter { $0.status == .present }.count)
            let paid = h.status == .countyConfirmed || h.status.isCovered
            if !paid { #expect(h.monthlyAmountFen == 0) }
            if h.status == .exited || h.status == .declined {
                #expect(h.monthlyIncomeFen > h.monthlyStandardFen * present)
            } else {
                #expect(h.monthlyIncomeFen < h.monthlyStandardFen * present)
            }
            if paid {
                let expected = h.category == .extremePoverty ? h.monthlyStandardFen * present
                    : (h.monthlyStandardFen * present - h.monthlyIncomeFen) / 100 * 100
                #expect(h.monthlyAmountFen == expected)
                #expect(h.monthlyAmountFen > 0)
            }
            #expect(h.monthlyAmountFen % 100 == 0 && h.monthlyIncomeFen % 100 == 0)
        }
    }

    @Test("Visits are made by an assistant of the village, never for a filed relative", arguments: 0..<2)
    func visitorsAndRecusal(_ i: Int) throws {
        let ix = ConsistencyTests.indices[i]
        for v in ix.data.visits {
            let w = try #require(ix.workers[v.worker])
            #expect(w.role == .villageAssistant)
            #expect(Jurisdiction(w).canWrite(v.village))
            #expect(throws: Never.self) {
                try Recusal.checkVisit(v.kind, by: v.worker, at: v.householdID, filings: ix.data.filings)
            }
        }
        for l in ix.data.leads {
            let w = try #require(ix.workers[l.recordedBy])
            #expect(w.role == .villageAssistant && w.assignment.covers(l.village))
        }
    }

    @Test("Filings are made by a worker of the household's township", arguments: 0..<2)
    func filings(_ i: Int) throws {
        let ix = ConsistencyTests.indices[i]
        #expect(!ix.data.filings.isEmpty)
        for f in ix.data.filings {
            let staff = try #require(f.staff.flatMap { ix.workers[$0] })
            #expect(staff.role == .villageAssistant || staff.role == .townshipReviewer)
            let townships = staff.assignment.townships.union(staff.assignment.villages.map(\.township))
            #expect(townships == [f.village.township])
            #expect(f.filedOn >= ix.households[f.household]!.appliedOn)
        }
    }

    @Test("Workers: one or two assistants a village, one or two reviewers a township, a county confirmer", arguments: 0..<2)
    func workers(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        let data = ix.data
        for t in data.plan.townships {
            #expect((1...2).contains(t.reviewers.count))
            for r in t.reviewers { #expect(ix.workers[r]?.assignment == Assignment(townships: [t.code])) }
            for v in t.villages {
                #expect((1...2).contains(v.assistants.count))
                for (k, a) in v.assistants.enumerated() {
                    #expect(a.rawValue == "va-\(v.code)-\(k + 1)")
                    #expect(ix.workers[a]?.assignment == Assignment(villages: [v.code]))
                }
            }
        }
        let confirmers = data.workers.filter { $0.role == .countyConfirmer }
        #expect(confirmers.count == 1)
        #expect(confirmers.first?.assignment.covers(data.villages[0].code) == true)
        #expect(Set(data.workers.map(\.id)).count == data.workers.count)
    }

    @Test("Households in public notice are listed on a running notice of their village; confirmed ones on an ended one", arguments: 0..<2)
    func notices(_ i: Int) {
        let ix = ConsistencyTests.indices[i]
        let listed = Dictionary(ix.data.notices.flatMap { n in n.households.map { ($0, n) } }, uniquingKeysWith: { a, _ in a })
        for h in ix.data.households where h.status == .publicNotice || h.status == .countyConfirmed {
            let notice = listed[h.id]
            #expect(notice?.village == h.village)
            if let n = notice {
                #expect(n.periodDays >= PublicNotice.minimumDays)
                #expect(n.startsOn <= Fixtures.asOf && n.startsOn > h.appliedOn)
                if h.status == .countyConfirmed { #expect(n.endsOn < Fixtures.asOf) }
            }
        }
        // Households listed on a notice have reached it: they are on notice, or since confirmed.
        for (id, _) in listed {
            let status = ix.households[id]!.status
            #expect(status == .publicNotice || status == .countyConfirmed || status.isCovered || status == .exited, "\(status)")
        }
    }
}
