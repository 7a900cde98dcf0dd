import FieldModel
import Testing
@testable import SyntheticData

/// The dataset looks like a real roll: the proportions the brief and the policy describe.
@Suite("Generated data has a realistic mix")
struct MixTests {
    static let data = Fixtures.mixed

    func share<T>(_ items: [T], _ p: (T) -> Bool) -> Double { Double(items.filter(p).count) / Double(items.count) }

    @Test("Mostly covered, with households at every step and some gone")
    func statuses() {
        let hs = MixTests.data.households
        #expect(share(hs) { $0.status == .covered } > 0.6)
        for s in WorkflowStatus.allCases { #expect(hs.contains { $0.status == s }, "no household in \(s)") }
        #expect(share(hs) { $0.status == .exited || $0.status == .declined } > 0.04)
    }

    @Test("About 60% stable and 40% unstable income")
    func classification() {
        let unstable = share(MixTests.data.households) { $0.classification == .unstableIncome }
        #expect((0.35...0.45).contains(unstable))
    }

    @Test("Urban 社区 hold 城市低保, villages 农村低保, a few 特困 in both; standards in the city's band")
    func categories() {
        let ix = DatasetIndex(MixTests.data)
        #expect(ix.data.villages.contains { $0.isUrban } && ix.data.villages.contains { !$0.isUrban })
        for h in ix.data.households {
            let urban = ix.villages[h.village]!.isUrban
            switch h.category {
            case .urbanDibao: #expect(urban && (70_000...72_000).contains(h.monthlyStandardFen))
            case .ruralDibao: #expect(!urban && (55_000...60_000).contains(h.monthlyStandardFen))
            case .extremePoverty: #expect(h.monthlyStandardFen >= 55_000 * 13 / 10)
            }
        }
        #expect((0.03...0.12).contains(share(ix.data.households) { $0.category == .extremePoverty }))
    }

    @Test("About 8% disabled, 3% seriously ill, with the single-person grounds represented")
    func health() {
        let ms = MixTests.data.members
        #expect((0.05...0.11).contains(share(ms) { $0.disabilityKind != .none }))
        #expect((0.015...0.045).contains(share(ms) { $0.seriousIllness }))
        for m in ms { #expect((m.disabilityKind == .none) == (m.disabilityGrade == 0)) }
        #expect(ms.contains { SinglePersonCoverage.grounds(for: $0).contains(.severeDisability) })
        #expect(ms.contains { SinglePersonCoverage.grounds(for: $0).contains(.intellectualOrMentalGrade3) })
        #expect(ms.contains { SinglePersonCoverage.grounds(for: $0).contains(.seriousIllness) })
        for g in 1...4 { #expect(ms.contains { $0.disabilityGrade == g }) }
    }

    @Test("Labour ability follows age and health")
    func labour() {
        for m in MixTests.data.members {
            let age = Identity.age(of: m.idNumber.birthDate, on: Fixtures.asOf)
            if age < 18 { #expect(m.labourAbility == .none) }
            if (1...2).contains(m.disabilityGrade) || m.seriousIllness { #expect(m.labourAbility == .none) }
            if m.labourAbility == .able { #expect((18..<60).contains(age)) }
        }
        #expect(MixTests.data.members.contains { $0.labourAbility == .able })
    }

    @Test("About 2.5 members a household; most have a mobile phone of the right form")
    func membersAndPhones() {
        let d = MixTests.data
        let perHousehold = Double(d.members.count) / Double(d.households.count)
        #expect((2.2...2.8).contains(perHousehold))
        let phones = d.households.compactMap(\.phone)
        #expect(Double(phones.count) / Double(d.households.count) > 0.8)
        for p in phones {
            let b = Array(p.utf8)
            #expect(b.count == 11 && b[0] == UInt8(ascii: "1") && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(b[1]))
            #expect(b.allSatisfy { $0 >= 0x30 && $0 <= 0x39 })
        }
    }

    @Test("Every village has a few leads, every township a handful of filings; visits of every kind")
    func villageRecords() {
        let d = MixTests.data
        let leadsByVillage = Dictionary(grouping: d.leads, by: \.village)
        for v in d.villages { #expect(leadsByVillage[v.code, default: []].count >= 2) }
        let filingsByTownship = Dictionary(grouping: d.filings, by: \.village.township)
        for t in d.plan.townships { #expect(filingsByTownship[t.code, default: []].count >= 3) }
        for k in VisitKind.allCases { #expect(d.visits.contains { $0.kind == k }, "no \(k) visit") }
        #expect(d.leads.contains { $0.followUpStatus == .helpedToApply })
    }
}
