import FieldModel
import Foundation
import ServerEngine
import ServerOps
import ServerPostgres
import SyncCore
import TestSupport
import Testing

/// A household's next review date depends on the household and on its members, which are
/// different records: two instances writing one household and one of its members at the same
/// moment must still leave the date both writes imply, not the one either saw alone.
@Suite("Supervision facts under concurrent instances", .serialized)
struct SupervisionConcurrencyTests {
    @Test("instance one moves each household's last review while instance two makes its member able to work: every due date is the six-monthly one from the new review",
          .enabled(if: TestPostgres.runs))
    func householdAndMemberWrittenAtOnce() async throws {
        try await PostgresConcurrencyTests.withInstances { one, two in
            let village = Fixture.villageA, today = Fixture.today
            let oldReview = today.adding(days: -400), newReview = today.adding(days: -200)
            var maker = ChangeMaker(0xD1)
            var pairs: [(household: Household, member: Member)] = []
            for (n, source) in Fixture.households(in: village).prefix(24).enumerated() {
                var h = source
                h.status = .covered
                h.classification = .stable
                h.coveredSince = oldReview
                h.lastReviewedOn = oldReview
                let m = Member(id: Fixture.freshID(0x5000 + UInt64(n)), householdID: h.id, village: village, name: "成员",
                               idNumber: Fixture.dataset.members.first { $0.householdID == source.id }!.idNumber, relation: .head,
                               disabilityKind: .none, disabilityGrade: 0, seriousIllness: false, labourAbility: .none, status: .present)
                pairs.append((h, m))
            }
            // Every household alone is yearly: due a year after the old review.
            let creates = pairs.flatMap { [maker.create($0.household), maker.make(.create($0.member.fieldValues), RecordKey(.member, $0.member.id, scope: village))] }
            _ = try await one.pushMerged(try maker.input(creates))

            let reviewField = RecordCollection.household.schema.id("lastReviewedOn"), abilityField = RecordCollection.member.schema.id("labourAbility")
            var reviews = ChangeMaker(0xD2), abilities = ChangeMaker(0xD3)
            var reviewChanges: [Change] = [], abilityChanges: [Change] = []
            for p in pairs {
                let hv = try #require(try await one.record(RecordKey(.household, p.household.id, scope: village))).version
                let mv = try #require(try await one.record(RecordKey(.member, p.member.id, scope: village))).version
                reviewChanges.append(reviews.make(.set(reviewField, .date(newReview)), RecordKey(.household, p.household.id, scope: village), seeing: hv))
                abilityChanges.append(abilities.make(.set(abilityField, .text(LabourAbility.able.rawValue)), RecordKey(.member, p.member.id, scope: village), seeing: mv))
            }
            // One push per household on each instance, at the same moment: in waves of four
            // households (eight pushes), since every push queues on the sequence lock and 48 at
            // once on a loaded machine outwaited the 60 s statement timeout.
            let pairsOfChanges = Array(zip(reviewChanges, abilityChanges))
            for wave in stride(from: 0, to: pairsOfChanges.count, by: 4) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (r, a) in pairsOfChanges[wave..<min(wave + 4, pairsOfChanges.count)] {
                        let reviewInput = try reviews.input([r]), abilityInput = try abilities.input([a])
                        group.addTask { _ = try await one.pushMerged(reviewInput) }
                        group.addTask { _ = try await two.pushMerged(abilityInput) }
                    }
                    try await group.waitForAll()
                }
            }

            // Six-monthly (someone able to work) from the new review: overdue, every one.
            let expected = newReview.adding(months: 6)
            #expect(expected < today)
            let window = SupervisionWindow(today: today)
            for store in [one, two] {
                let overdue = try await store.supervisionItems(village: village, kind: .overdue, window: window, hidingRelativesOf: WorkerID(unchecked: "nobody"))
                #expect(Set(overdue.map(\.id)) == Set(pairs.map(\.household.id)), "\(overdue.count) of \(pairs.count) overdue")
                #expect(overdue.allSatisfy { $0.dueOn == expected }, "due dates \(Set(overdue.compactMap(\.dueOn)).sorted()), expected \(expected)")
            }
        }
    }
}
