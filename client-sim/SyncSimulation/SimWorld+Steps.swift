import FieldModel
import Foundation
import Replica
import ServerEngine
import SyncCore

extension SimWorld {
    /// The server process dies and starts again on its file (and, over HTTP, on a new socket).
    func restartServer() async throws {
        try await server.restart()
        try await endpoint.serverRestarted()
        stats.serverRestarts += 1
    }

    /// Faults injected so far (`SimulationStats.faults`, the network's counted in).
    var faultsSoFar: Int {
        var now = stats
        (now.exchanges, now.lostRequests, now.lostResponses, now.duplicates) = network.stats
        return now.faults
    }

    /// One step: time passes, held requests arrive, the server runs its retention (purges,
    /// compacts, trims) and may restart, and each
    /// device edits, syncs, crashes, loses its connection or is reassigned.
    func step() async throws {
        clock.advance(by: Int64(random.int(60...10_800)) * 1_000)
        await network.deliverReplays()
        _ = try await server.retention().run(now: clock.milliseconds)
        if random.chance(config.serverRestart) { try await restartServer() }
        for i in devices.indices {
            let roll = random.unit()
            if roll < 0.5 {
                for _ in 0..<random.int(1...3) { edit(i) }
            } else if roll < 0.85 {
                _ = await sync(i)
            }
            if random.chance(config.deviceCrash) {
                try devices[i].crashAndRestart(clock: clock)
                stats.crashes += 1
            }
            if random.chance(config.partition) {
                network.partition(devices[i].deviceID, for: Int64(random.int(1...72)) * 3_600_000)
                stats.partitions += 1
            }
            if random.chance(config.reassignment) { try await reassign(i) }
        }
    }

    /// Moves a village assistant to the other village: the server's scope for its token changes.
    func reassign(_ i: Int) async throws {
        guard let context = registry.context(devices[i].deviceID), context.worker.role == .villageAssistant,
              let current = context.worker.assignment.villages.first, let next = villages.first(where: { $0 != current }) else { return }
        var moved = context
        moved.worker.assignment = Assignment(villages: [next])
        try await register(moved)
        stats.reassignments += 1
    }

    /// One local write by device `i`, chosen at random among what a worker of its role does.
    /// A write the policy refuses is counted, not recorded: only committed writes enter the ledger.
    func edit(_ i: Int) {
        let replica = devices[i].replica
        do {
            let me = try replica.currentIdentity()
            let mine = try replica.villages().filter { me.jurisdiction.canWrite($0) }
            guard let village = mine.isEmpty ? nil : random.pick(mine) else { return }
            let households = try replica.households(in: village)
            guard !households.isEmpty else { return }
            let h = random.pick(households)
            let today = CalendarDate.chinaStandard(millisecondsSinceEpoch: clock.milliseconds)
            var g = SimRandomGenerator(random)
            var changes: [Change] = []
            switch random.int(0...7) {
            case 0:
                changes = try replica.updateHousehold(h.id, ["monthlyIncomeFen": .int(Int64(random.int(0...90_000)))])
            case 1:
                changes = try replica.updateHousehold(h.id, random.chance(0.5)
                    ? ["phone": .text("13\(random.int(100_000_000...999_999_999))")] : ["notes": .text("第\(random.int(1...99))次走访备注")])
            case 2:
                let targets = Workflow.targets(from: h.status).filter { Workflow.roles(into: $0).contains(me.worker.role) }
                guard !targets.isEmpty else { return }
                changes = [try replica.transitionHousehold(h.id, to: random.pick(Array(targets).sorted { $0.rawValue < $1.rawValue }))]
            case 3:
                let kind = random.pick([VisitKind.screening, .annualReview, .semiannualReview, .discoveryFollowUp])
                let visit = Visit(id: RecordID(milliseconds: clock.milliseconds, using: &g), householdID: h.id, village: village,
                                  kind: kind, worker: me.worker.id, date: today, monthlyIncomeFen: Int64(random.int(0...90_000)),
                                  assetsFen: Int64(random.int(0...2_000_000)), livingCondition: .difficult, recommendation: .maintain,
                                  notes: "模拟走访")
                changes = [try replica.recordVisit(visit)]
            case 4:
                let birth = CalendarDate(year: random.int(1940...2015), month: random.int(1...12), day: random.int(1...28))!
                let member = Member(id: RecordID(milliseconds: clock.milliseconds, using: &g), householdID: h.id, village: village,
                                    name: "新成员", idNumber: IDCardNumber.make(region: county, birth: birth, sequence: random.int(0...999)),
                                    relation: .child, disabilityKind: .none, disabilityGrade: 0, seriousIllness: false,
                                    labourAbility: .none, status: .present)
                changes = [try replica.addMember(member)]
            case 5:
                let members = try replica.householdDetail(h.id).members
                guard !members.isEmpty else { return }
                changes = [try replica.deleteMember(random.pick(members).id)]
            case 6:
                guard let conflict = try replica.openConflicts().first, let field = conflict.fields.first,
                      let value = field.values.first?.value else { return }
                changes = [try replica.resolveConflict(conflict.key.collection, conflict.key.id, field: field.field, value: value)]
            default:
                changes = try replica.updateHousehold(h.id, ["assetsFen": .int(Int64(random.int(0...3_000_000)))])
            }
            devices[i].ledger += changes
            stats.edits += changes.count
        } catch {
            stats.refusedEdits += 1
        }
    }
}
