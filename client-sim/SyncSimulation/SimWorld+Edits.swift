import FieldModel
import Foundation
import Replica
import SyncCore
import SyntheticData

extension SimWorld {
    /// One local write by device `i`, chosen at random among what a worker of its role does:
    /// field edits, visits, members, applications and the workflow's steps (with the notices
    /// the township publishes for them), resolutions, and the deletion of a mistaken entry. The
    /// replica's own checks hold every write to the policy; a write it refuses is counted, not
    /// recorded: only committed writes enter the ledger.
    func edit(_ i: Int) {
        let replica = devices[i].replica
        do {
            let me = try replica.currentIdentity()
            let mine = try replica.villages().filter { me.jurisdiction.canWrite($0) }
            guard let village = mine.isEmpty ? nil : random.pick(mine) else { return }
            let households = try replica.households(in: village)
            let today = try replica.today()
            var g = SimRandomGenerator(random)
            var changes: [Change] = []
            if random.int(0...10) >= 8 {
                changes = try workflowEdit(replica, me.worker, village: village, households: households, today: today, &g)
            } else {
                guard let h = households.isEmpty ? nil : random.pick(households) else { return }
                changes = try fieldEdit(replica, me.worker, h, village: village, today: today, &g)
            }
            devices[i].ledger += changes
            stats.edits += changes.count
        } catch {
            stats.refusedEdits += 1
        }
    }

    /// Edits of one household's fields, visits and members, and conflict resolutions.
    func fieldEdit(_ replica: Replica, _ worker: Worker, _ h: Household, village: VillageCode, today: CalendarDate,
                   _ g: inout SimRandomGenerator) throws -> [Change] {
        switch random.int(0...7) {
        case 0:
            return try replica.updateHousehold(h.id, [.monthlyIncomeFen: .int(Int64(random.int(0...90_000)))])
        case 1:
            return try replica.updateHousehold(h.id, random.chance(0.5)
                ? [.phone: .text("13\(random.int(100_000_000...999_999_999))")] : [.notes: .text("第\(random.int(1...99))次走访备注")])
        case 2:
            // A step the table offers this role from the status the worker sees; the replica
            // holds it to separation of duties and the notice gates.
            let targets = Workflow.steps.filter { $0.from == h.status && $0.roles.contains(worker.role) }.map(\.to)
            guard !targets.isEmpty else { return [] }
            return [try replica.transitionHousehold(h.id, to: random.pick(targets.sorted { $0.rawValue < $1.rawValue }))]
        case 3:
            let kind = random.pick([VisitKind.screening, .annualReview, .semiannualReview, .discoveryFollowUp])
            let visit = Visit(id: RecordID(milliseconds: clock.milliseconds, using: &g), householdID: h.id, village: village,
                              kind: kind, worker: worker.id, date: today, monthlyIncomeFen: Int64(random.int(0...90_000)),
                              assetsFen: Int64(random.int(0...2_000_000)), livingCondition: .difficult, recommendation: .maintain,
                              notes: "模拟走访")
            return [try replica.recordVisit(visit)]
        case 4:
            let birth = CalendarDate(year: random.int(1940...2015), month: random.int(1...12), day: random.int(1...28))!
            let member = Member(id: RecordID(milliseconds: clock.milliseconds, using: &g), householdID: h.id, village: village,
                                name: "新成员", idNumber: IDCardNumber.make(region: county, birth: birth, sequence: random.int(0...999)),
                                relation: .child, disabilityKind: .none, disabilityGrade: 0, seriousIllness: false,
                                labourAbility: .none, status: .present)
            return [try replica.addMember(member)]
        case 5:
            // A member entered by mistake: only the worker's own, in an untouched application.
            let members = try replica.householdDetail(h.id).members
            guard !members.isEmpty else { return [] }
            return [try replica.deleteMember(random.pick(members).id)]
        case 6:
            guard let conflict = try replica.openConflicts().first, let field = conflict.fields.first,
                  let value = field.values.first?.value else { return [] }
            return [try replica.resolveConflict(conflict.key.collection, conflict.key.id, field: field.field, value: value)]
        default:
            return try replica.updateHousehold(h.id, [.assetsFen: .int(Int64(random.int(0...3_000_000)))])
        }
    }

    /// The workflow's own records: a new application, the deletion of a mistaken one, a public
    /// notice of the households the township has reviewed, its objections.
    func workflowEdit(_ replica: Replica, _ worker: Worker, village: VillageCode, households: [Household], today: CalendarDate,
                      _ g: inout SimRandomGenerator) throws -> [Change] {
        switch random.int(0...3) {
        case 0:
            guard let family = applicants[village] else { return [] }
            return [try replica.createHousehold(family.asNewApplication(id: RecordID(milliseconds: clock.milliseconds, using: &g), on: today))]
        case 1:
            let applications = households.filter { $0.status == Workflow.initial }
            guard !applications.isEmpty else { return [] }
            return [try replica.deleteHousehold(random.pick(applications).id)]
        case 2:
            // The notice ran last week (a paper notice entered late): the county may then confirm.
            let reviewed = households.filter { $0.status == .townshipReviewed }.map(\.id)
            guard !reviewed.isEmpty else { return [] }
            let starts = today.adding(days: -random.int(0...10))
            let notice = PublicNotice(id: RecordID(milliseconds: clock.milliseconds, using: &g), village: village, households: reviewed,
                                      startsOn: starts, endsOn: starts.adding(days: PublicNotice.minimumDays - 1),
                                      objectionCount: random.chance(0.2) ? 1 : 0, objectionNotes: "")
            return [try replica.publishNotice(notice)]
        default:
            guard let notice = try replica.notices(in: village).first(where: { !$0.objectionsResolved }) else { return [] }
            return try replica.updateNotice(notice.id, [.resolvedObjectionCount: .int(notice.objectionCount)])
        }
    }
}
