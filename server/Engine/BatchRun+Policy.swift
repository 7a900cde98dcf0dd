import FieldModel
import SyncCore

/// The checks against stored state, after the context is known to be honest (SPEC §6, §12):
/// a status transition is decided against the status the server holds and the household's
/// workflow trail, never against what the device claims; a delete against the record's creator
/// and its household's status; a plain write against the rules across the record's fields.
extension BatchRun {
    func checkPolicy(_ c: Change, stored: RecordState?, _ worker: Worker) throws(ChangeRejection) {
        guard let stored else { return }
        switch c.operation {
        case .transition(let field, let from, let to):
            guard stored.workflowField?.id == field,
                  let f = from.textValue.flatMap(WorkflowStatus.init(rawValue:)),
                  let t = to.textValue.flatMap(WorkflowStatus.init(rawValue:)) else { return }
            try checkTransition(c, from: f, to: t, stored: stored, worker)
        case .delete:
            try checkDelete(c, stored: stored, worker.id)
        case .set(let field, let value):
            try rule { () throws(ValidationError) in
                try stored.schema.validateUpdate(field, value, of: stored.values, asOf: today, settings: planner.settings)
            }
        case .create:
            break
        }
    }

    /// A transition by a writer who saw all the stored status values is held to them; one who
    /// did not (a stale or offline device) is held to what its context saw on the trail, and
    /// its step becomes a concurrent value for a reviewer, never a jump.
    func checkTransition(_ c: Change, from: WorkflowStatus, to: WorkflowStatus, stored: RecordState, _ worker: Worker) throws(ChangeRejection) {
        let siblings = stored.workflowSiblings
        let current = stored.workflowStatuses
        let trail = self.trail(of: stored)
        let sawAll = siblings.allSatisfy { c.context.covers($0.dot) }
        // What the writer saw: the stored values, or the trail's steps its context leaves standing.
        let seen: [WorkflowStatus] = sawAll ? current : Array(Set(trail.view(under: c.context).map(\.to))).sorted { $0.rawValue < $1.rawValue }
        let competing = sawAll ? current.count > 1 : false
        if competing && from != to {
            throw ChangeRejection(.statusConflict,
                                  "household \(c.record.id)'s status holds concurrent values \(names(current)) waiting for a reviewer; only a resolution to one of them may follow, not \(from.rawValue) → \(to.rawValue)")
        }
        if from == to {
            guard seen.count > 1 else {
                throw ChangeRejection(.invalidTransition,
                                      "\(from.rawValue) → \(to.rawValue) re-affirms a status with no concurrent value to resolve (the household is \(names(current)))")
            }
            guard seen.contains(to) else {
                throw ChangeRejection(.statusConflict, "\(to.rawValue) is not one of the concurrent statuses \(names(seen)) of household \(c.record.id)")
            }
            try checkStatusResolution(to: to, household: c.record.id, trail: trail, worker)
            return
        }
        guard seen == [from] else {
            let what = sawAll ? "the household is" : "under its context the household was"
            throw ChangeRejection(.statusMismatch, "\(c.dot) moves household \(c.record.id) from \(from.rawValue), but \(what) \(names(seen))")
        }
        do throws(RuleViolation) {
            try Workflow.check(from: from, to: to, by: worker, household: c.record.id, cycle: trail.duties,
                               notices: notices(of: c.record.scope, since: trail.cycleStart), today: today, settings: planner.settings)
        } catch {
            throw ChangeRejection(RejectionReason(error.code), error.message)
        }
        // The values the household would hold: a covered household keeps the dates its review needs.
        try rule { () throws(ValidationError) in
            try stored.schema.validateUpdate(stored.workflowField!.id, .text(to.rawValue), of: stored.values, asOf: today, settings: planner.settings)
        }
    }

    /// A resolution keeps one of the concurrent statuses: a role that may move a household into
    /// it, not excluded from any step into it by a duty held in this cycle.
    func checkStatusResolution(to target: WorkflowStatus, household: RecordID, trail: WorkflowTrail, _ worker: Worker) throws(ChangeRejection) {
        guard Workflow.roles(into: target).contains(worker.role) else {
            throw ChangeRejection(.roleNotAllowed, "a \(worker.role.rawValue) may not settle household \(household)'s status on \(target.rawValue)")
        }
        let excluded = Workflow.steps.filter { $0.to == target }.reduce(into: Set<Duty>()) { $0.formUnion($1.notBy) }
        if let duty = trail.duties.duties(of: worker.id).intersection(excluded).sorted().first {
            throw ChangeRejection(.separationOfDuties,
                                  "worker \(worker.id) was household \(household)'s \(duty.rawValue) (\(duty.chineseName)) in this application: may not settle its status on \(target.rawValue)")
        }
    }

    /// 不得随意删除: only the creator's own mistaken entry, while its household is still the
    /// application it was created as.
    func checkDelete(_ c: Change, stored: RecordState, _ worker: WorkerID) throws(ChangeRejection) {
        let household: RecordState? = switch stored.key.collection {
        case .household: stored
        default: RecordLinks.household(of: stored).flatMap { states[$0] }
        }
        let standing = household?.householdStanding ?? Deletion.HouseholdStanding(status: nil, statusIsCreation: false)
        do throws(RuleViolation) {
            try Deletion.check(stored.key.collection, stored.key.id, createdBy: stored.created?.author, by: worker, household: standing)
        } catch {
            throw ChangeRejection(.notDeletable, error.message)
        }
    }

    /// The household's trail: what the snapshot read and this batch added, or, for a household
    /// stored before the server kept trails, one reconstructed from its state.
    func trail(of stored: RecordState) -> WorkflowTrail {
        if let trail = trails[stored.key.id], !trail.isEmpty { return trail }
        return WorkflowTrail.reconstructed(from: stored)
    }

    /// The village's notices made in the household's current cycle (their create is not older
    /// than the cycle's application), as they stand in this batch.
    func notices(of village: VillageCode, since start: HLCTimestamp) -> [NoticeStanding] {
        (notices[village] ?? [:]).values.filter { ($0.created?.hlc ?? .zero) >= start }.compactMap(\.noticeStanding)
            .sorted { $0.notice.id < $1.notice.id }
    }

    func rule(_ body: () throws(ValidationError) -> Void) throws(ChangeRejection) {
        do { try body() } catch { throw ChangeRejection(.invalidValue, error.description) }
    }

    func names(_ statuses: [WorkflowStatus]) -> String {
        statuses.isEmpty ? "nothing" : statuses.map { "\($0.rawValue) (\($0.chineseName))" }.joined(separator: " and ")
    }

    /// Counts a household create against the day's budgets of its device and village; refuses
    /// it (`creation_budget`) when either is spent. Called only for a create about to be applied.
    mutating func spendCreationBudget(_ c: Change) throws(ChangeRejection) {
        guard planner.input.countsCreations, c.record.collection == .household, case .create = c.operation else { return }
        let budget = planner.budget
        for (scope, limit) in [(CreationScope.device(planner.deviceID), budget.householdsPerDevicePerDay),
                               (.village(c.record.scope), budget.householdsPerVillagePerDay)] where creations[scope] >= limit {
            plan.budgetRefusals.append(CreationBudgetRefusal(atMilliseconds: now, day: today, scope: scope.key, deviceID: planner.deviceID,
                                                             worker: planner.authority.workerID, limit: limit))
            throw ChangeRejection(.creationBudget,
                                  "\(scope) has created \(creations[scope]) households today (\(today)), its budget of \(limit) a day; the application waits for tomorrow or an administrator")
        }
        creations[.device(planner.deviceID)] += 1
        creations[.village(c.record.scope)] += 1
        plan.creations = plan.creations ?? CreationCounts(day: today)
        plan.creations![.device(planner.deviceID)] += 1
        plan.creations![.village(c.record.scope)] += 1
    }
}
