import FieldModel
import Foundation
import Replica
import SyncCore
import SyntheticData

/// What a worker does on one simulated day, by scenario. Writes go through the replica's own
/// checks; a write the policy refuses (a recused household, a field the role may not change)
/// is counted, not recorded, exactly as on a phone.
extension LoadDevice {
    func work(day: Int, scenario: Scenario) {
        guard worker.role == .villageAssistant else {
            if scenario.behaviour == .conflictStorm { changeIncomes(day: day, count: scenario.writesPerDay) }
            return
        }
        switch scenario.behaviour {
        case .screening: screen(day: day, days: scenario.days, quota: scenario.writesPerDay)
        case .reviewSeason, .longOffline, .reassignment: review(count: scenario.writesPerDay, photos: scenario.photosPerVisit)
        case .conflictStorm: changeIncomes(day: day, count: scenario.writesPerDay)
        case .reconnectStorm: review(count: scenario.writesPerDay)
        }
    }

    /// The households of this device's villages it is responsible for (shared among the
    /// village's devices by position), in a stable order.
    func myHouseholds() -> [Household] {
        guard let villages = try? replica.villages() else { return [] }
        var all: [Household] = []
        for village in villages { all += (try? replica.households(in: village)) ?? [] }
        all.sort { $0.id < $1.id }
        let share = max(1, devicesPerVillage)
        return all.indices.filter { $0 % share == slot % share }.map { all[$0] }
    }

    /// 拉网式大排查: the day's share of households visited for screening; now and then a lead.
    func screen(day: Int, days: Int, quota: Int) {
        let households = myHouseholds()
        let perDay = max(quota, (households.count + days - 1) / days)
        for h in households.dropFirst(day * perDay).prefix(perDay) {
            visit(h, kind: .screening, income: h.monthlyIncomeFen, recommendation: .none)
            if chance(0.08) { registerLead(near: h) }
        }
    }

    /// Reviews due by cadence: the income is checked and often changed, with a review visit
    /// carrying `photos` photos (a count drawn per visit).
    func review(count: Int, photos: ClosedRange<Int>? = nil) {
        guard let due = try? replica.reviewsDue(on: LoadClock.today.adding(days: 400)) else { return }
        let mine = Set(myHouseholds().map(\.id))
        for item in due.filter({ mine.contains($0.household.id) }).prefix(count) {
            let h = item.household
            let income = chance(0.6) ? max(0, h.monthlyIncomeFen + Int64.random(in: -8_000...12_000, using: &generator)) : h.monthlyIncomeFen
            write { try replica.updateHousehold(h.id, [.monthlyIncomeFen: .int(income), .lastReviewedOn: .date(LoadClock.today)]) }
            visit(h, kind: item.cadence == .yearly ? .annualReview : .semiannualReview, income: income, recommendation: .maintain,
                  photos: photos.map { Int.random(in: $0, using: &generator) } ?? 0)
        }
    }

    /// The conflict storm: the first households of the village get a new income from each device.
    func changeIncomes(day: Int, count: Int) {
        guard let villages = try? replica.villages() else { return }
        for village in villages {
            let households = ((try? replica.households(in: village)) ?? []).sorted { $0.id < $1.id }.prefix(count)
            for h in households {
                let income = Int64(index + 1) * 1_000 + Int64(day) * 10
                write { try replica.updateHousehold(h.id, [.monthlyIncomeFen: .int(income)]) }
            }
        }
    }

    /// A visit; with `photos`, recorded with them in one transaction, as the app does.
    func visit(_ h: Household, kind: VisitKind, income: Int64, recommendation: Recommendation, photos: Int = 0) {
        let id = RecordID(milliseconds: LoadClock.now(), using: &generator)
        let visit = Visit(id: id, householdID: h.id, village: h.village, kind: kind, worker: worker.id, date: LoadClock.today,
                          monthlyIncomeFen: income, assetsFen: h.assetsFen, livingCondition: .difficult, recommendation: recommendation,
                          notes: kind == .screening ? "拉网式排查入户" : "定期复核入户", corrects: nil)
        guard photos > 0 else {
            write { try [replica.recordVisit(visit)] }
            return
        }
        let evidence = PhotoEvidence.photos(photos, takenOn: LoadClock.today, milliseconds: LoadClock.now(), using: &generator)
        if write({ try replica.recordVisit(visit, evidence: evidence) }) { self.evidence.took(evidence) }
    }

    func registerLead(near h: Household) {
        let lead = DiscoveryLead(id: RecordID(milliseconds: LoadClock.now(), using: &generator), village: h.village, recordedBy: worker.id,
                                 foundBy: "排查发现", personName: "王秀英", addressDetail: h.addressDetail, difficulty: .elderly,
                                 description: "独居老人，无固定收入", reportedOn: LoadClock.today, followUpStatus: .open)
        write { try [replica.registerLead(lead)] }
    }

    /// Runs a local write, recording its changes in the ledger, or counting its refusal; true
    /// when it committed.
    @discardableResult
    func write(_ body: () throws -> [Change]) -> Bool {
        do { note(try body()) } catch {
            countRefusedWrite()
            return false
        }
        return true
    }
}
