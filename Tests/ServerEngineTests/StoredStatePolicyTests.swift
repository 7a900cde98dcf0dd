import FieldModel
import ServerEngine
import SyncCore
import SyncProtocol
import Testing

/// The policy against what the server holds, on every backend: a transition's claimed `from`
/// against the stored status and the workflow trail, separation of duties from the trail, the
/// notice gates from the stored notices, deletes, the creation budget, filings.
@Suite("The server holds the policy against stored state")
struct StoredStatePolicyTests {
    static let a = Fixture.villageA
    static let status = Fixture.field(.household, "status")
    static let township = Fixture.reviewer.assignment

    static func tr(_ n: Int) -> Worker {
        Worker(id: WorkerID(unchecked: "tr-policy-\(n)"), name: "审核\(n)", role: .townshipReviewer, assignment: township)
    }
    static func cc(_ n: Int) -> Worker {
        Worker(id: WorkerID(unchecked: "cc-policy-\(n)"), name: "确认\(n)", role: .countyConfirmer, assignment: Assignment(counties: [a.county]))
    }
    static func step(_ from: WorkflowStatus, _ to: WorkflowStatus) -> Change.Operation {
        .transition(status, from: .text(from.rawValue), to: .text(to.rawValue))
    }
    static func reasons(_ r: SyncResponse) -> [String] { r.rejections.map(\.reason) }

    /// An imported household of village A at `status`, and its key.
    static func imported(_ engine: SyncEngine, _ n: UInt64, at status: WorkflowStatus) async throws -> RecordKey {
        var h = Fixture.household(in: a)
        h.id = Fixture.freshID(n)
        h.status = status
        if status.isCovered, h.coveredSince == nil { h.coveredSince = Fixture.household(in: a).appliedOn }
        #expect(try await engine.importRecords([ImportRecord(h)], by: Fixture.admin, now: Fixture.now).created == 1)
        return Fixture.key(h)
    }

    @Test("a claimed from is held to the stored status; a same-value step with nothing to resolve is refused", arguments: StoreBackend.all)
    func claimedFrom(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let key = try await Self.imported(engine, 1, at: .applied)
            var county = TestDevice(Self.cc(1), replica: 0xD1)
            try await county.syncUntilDone(engine)
            let before = try await engine.store.stateHash(leavingOut: ["processed_dots", "replica_counters"])
            let jump = county.write(Self.step(.covered, .covered), to: key)
            let claim = county.write(Self.step(.publicNotice, .countyConfirmed), to: key)
            let response = try await county.sync(engine, [jump, claim])
            #expect(Self.reasons(response) == ["invalid_transition", "status_mismatch"], "\(response.rejections)")
            #expect(try await engine.store.stateHash(leavingOut: ["processed_dots", "replica_counters"]) == before)
            #expect(try await engine.store.record(key)?.value(Self.status) == .text("applied"))
        }
    }

    @Test("a stale device's step is a concurrent value for a reviewer, never a jump; its view is held to the trail", arguments: StoreBackend.all)
    func staleDevice(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let key = try await Self.imported(engine, 2, at: .investigated)
            var first = TestDevice(Self.tr(1), replica: 0xD2), stale = TestDevice(Self.tr(2), replica: 0xD3)
            try await first.syncUntilDone(engine)
            try await stale.syncUntilDone(engine)
            let seen = stale.held[key.id]!.version
            #expect(try await first.sync(engine, [first.write(Self.step(.investigated, .townshipReviewed), to: key)]).acked == [1])
            // The stale device saw `investigated`: claiming it saw `townshipReviewed` is refused …
            let forged = stale.write(Self.step(.townshipReviewed, .publicNotice), to: key, seeing: seen)
            #expect(Self.reasons(try await stale.sync(engine, [forged])) == ["status_mismatch"])
            // … its own step from what it saw is kept beside the other, for a reviewer.
            let declined = stale.write(Self.step(.investigated, .declined), to: key, seeing: seen)
            #expect(try await stale.sync(engine, [declined]).acked == [declined.dot.counter])
            let state = try #require(try await engine.store.record(key))
            #expect(Set(state.workflowStatuses) == [.townshipReviewed, .declined])
            // While they compete, no step follows; a resolution to one of them does.
            var county = TestDevice(Self.cc(1), replica: 0xD4), third = TestDevice(Self.tr(3), replica: 0xD0)
            try await county.syncUntilDone(engine)
            try await third.syncUntilDone(engine)
            let onward = third.write(Self.step(.townshipReviewed, .publicNotice), to: key)
            #expect(Self.reasons(try await third.sync(engine, [onward])) == ["status_conflict"])
            let outside = third.write(Self.step(.publicNotice, .publicNotice), to: key)
            #expect(Self.reasons(try await third.sync(engine, [outside])) == ["status_conflict"])
            let settle = county.write(Self.step(.declined, .declined), to: key)
            #expect(try await county.sync(engine, [settle]).acked == [settle.dot.counter])
            #expect(try await engine.store.record(key)?.workflowStatuses == [.declined])
            // The trail keeps every accepted step, in order, with who made it.
            let trail = try await engine.store.workflowTrail(household: key.id)
            #expect(trail.steps.map(\.to) == [.investigated, .townshipReviewed, .declined, .declined])
            #expect(trail.steps.map(\.author.rawValue) == ["admin-1", "tr-policy-1", "tr-policy-2", "cc-policy-1"])
            #expect(trail.steps.first?.from == nil && trail.steps[1].from == .investigated)
        }
    }

    @Test("separation of duties is read from the trail, whatever role the worker holds now", arguments: StoreBackend.all)
    func separation(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let key = try await Self.imported(engine, 3, at: .applied)
            var investigator = TestDevice(Self.tr(1), replica: 0xD5), reviewer = TestDevice(Self.tr(2), replica: 0xD6)
            try await investigator.syncUntilDone(engine)
            try await reviewer.syncUntilDone(engine)
            #expect(try await investigator.sync(engine, [investigator.write(Self.step(.applied, .investigated), to: key)]).acked.count == 1)
            let own = investigator.write(Self.step(.investigated, .townshipReviewed), to: key)
            #expect(Self.reasons(try await investigator.sync(engine, [own])) == ["separation_of_duties"])
            try await reviewer.syncUntilDone(engine)
            #expect(try await reviewer.sync(engine, [reviewer.write(Self.step(.investigated, .townshipReviewed), to: key)]).acked.count == 1)
            // The investigator, promoted to the county, still may not confirm: the trail remembers.
            let notice = PublicNotice(id: Fixture.freshID(30), village: Self.a, households: [key.id], startsOn: Fixture.today.adding(days: -10),
                                      endsOn: Fixture.today.adding(days: -4), objectionCount: 0, objectionNotes: "")
            try await reviewer.syncUntilDone(engine)
            let published = reviewer.write(.create(notice.fieldValues), to: RecordKey(.publicNotice, notice.id, scope: Self.a), seeing: VersionVector(),
                                           hlc: HLCTimestamp(milliseconds: Fixture.now, logical: 5))
            #expect(try await reviewer.sync(engine, [published, reviewer.write(Self.step(.townshipReviewed, .publicNotice), to: key)]).acked.count == 2)
            var promoted = TestDevice(Worker(id: Self.tr(1).id, name: "审核1", role: .countyConfirmer, assignment: Assignment(counties: [Self.a.county])),
                                      replica: 0xD7)
            try await promoted.syncUntilDone(engine)
            let confirm = promoted.write(Self.step(.publicNotice, .countyConfirmed), to: key)
            #expect(Self.reasons(try await promoted.sync(engine, [confirm])) == ["separation_of_duties"])
            var county = TestDevice(Self.cc(2), replica: 0xD8)
            try await county.syncUntilDone(engine)
            #expect(try await county.sync(engine, [county.write(Self.step(.publicNotice, .countyConfirmed), to: key)]).acked.count == 1)
        }
    }

    @Test("the notice gates read the village's stored notices, of the current application only", arguments: StoreBackend.all)
    func noticeGates(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let key = try await Self.imported(engine, 4, at: .townshipReviewed)
            var reviewer = TestDevice(Self.tr(1), replica: 0xD9), county = TestDevice(Self.cc(1), replica: 0xDA)
            try await reviewer.syncUntilDone(engine)
            try await county.syncUntilDone(engine)
            func notice(_ n: UInt64, startsIn: Int, objections: Int64 = 0) -> (RecordKey, Change.Operation) {
                let starts = Fixture.today.adding(days: startsIn)
                let notice = PublicNotice(id: Fixture.freshID(n), village: Self.a, households: [key.id], startsOn: starts, endsOn: starts.adding(days: 6),
                                          objectionCount: objections, objectionNotes: "")
                return (RecordKey(.publicNotice, notice.id, scope: Self.a), .create(notice.fieldValues))
            }
            let later = HLCTimestamp(milliseconds: Fixture.now + 1_000, logical: 0)
            #expect(Self.reasons(try await reviewer.sync(engine, [reviewer.write(Self.step(.townshipReviewed, .publicNotice), to: key)])) == ["notice_not_ready"])
            let tomorrow = notice(40, startsIn: 1)
            let step = { (d: inout TestDevice) in d.write(Self.step(.townshipReviewed, .publicNotice), to: key) }
            let early = try await reviewer.sync(engine, [reviewer.write(tomorrow.1, to: tomorrow.0, seeing: VersionVector(), hlc: later), step(&reviewer)])
            #expect(Self.reasons(early) == ["notice_not_ready"])
            // A notice made earlier in the same batch counts.
            let running = notice(41, startsIn: -8, objections: 1)
            let published = try await reviewer.sync(engine, [reviewer.write(running.1, to: running.0, seeing: VersionVector(), hlc: later), step(&reviewer)])
            #expect(published.rejections.isEmpty, "\(published.rejections)")
            try await county.syncUntilDone(engine)
            let confirm = { (d: inout TestDevice) in d.write(Self.step(.publicNotice, .countyConfirmed), to: key) }
            #expect(Self.reasons(try await county.sync(engine, [confirm(&county)])) == ["notice_not_ready"], "an objection is open")
            try await reviewer.syncUntilDone(engine)
            #expect(try await reviewer.sync(engine, [reviewer.set(running.0, "resolvedObjectionCount", .int(1))]).acked.count == 1)
            try await county.syncUntilDone(engine)
            #expect(try await county.sync(engine, [confirm(&county)]).acked.count == 1)
        }
    }

    @Test("only the creator's untouched application, and its members, may be deleted", arguments: StoreBackend.all)
    func deletes(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            try await Fixture.seed(engine, Self.a)
            var assistant = TestDevice(Fixture.assistant(of: Self.a), replica: 0xDB), other = TestDevice(Self.tr(1), replica: 0xDC)
            try await assistant.syncUntilDone(engine)
            try await other.syncUntilDone(engine)
            let mine = Fixture.application(in: Self.a, 50), moved = Fixture.application(in: Self.a, 51)
            var member = Fixture.dataset.members.first { $0.village == Self.a }!
            member.id = Fixture.freshID(52)
            member.householdID = mine.id
            #expect(try await assistant.sync(engine, [assistant.create(mine), assistant.create(moved), assistant.create(member)]).acked.count == 3)
            try await other.syncUntilDone(engine)
            #expect(try await other.sync(engine, [other.write(Self.step(.applied, .investigated), to: Fixture.key(moved))]).acked.count == 1)
            try await assistant.syncUntilDone(engine)
            let seeded = Fixture.household(in: Self.a)
            let seededMember = assistant.held.values.first { $0.key.collection == .member && $0.householdID == seeded.id }!
            let refused = try await assistant.sync(engine, [assistant.write(.delete, to: Fixture.key(moved)), assistant.write(.delete, to: Fixture.key(seeded)),
                                                            assistant.write(.delete, to: seededMember.key)])
            #expect(Self.reasons(refused) == ["not_deletable", "not_deletable", "not_deletable"])
            let byAnother = try await other.sync(engine, [other.write(.delete, to: RecordKey(.member, member.id, scope: Self.a))])
            #expect(Self.reasons(byAnother) == ["not_deletable"])
            let own = try await assistant.sync(engine, [assistant.write(.delete, to: RecordKey(.member, member.id, scope: Self.a)),
                                                        assistant.write(.delete, to: Fixture.key(mine))])
            #expect(own.rejections.isEmpty, "\(own.rejections)")
        }
    }

    @Test("a device and a village create at most their day's budget of households", arguments: StoreBackend.all)
    func creationBudget(backend: StoreBackend) async throws {
        try await withEngine(backend, configure: { $0.creationBudget = CreationBudget(householdsPerDevicePerDay: 2, householdsPerVillagePerDay: 3) }) { engine in
            var first = TestDevice(Fixture.assistant(of: Self.a), replica: 0xDD), second = TestDevice(Self.tr(1), replica: 0xDE)
            let three = (60...62).map { Fixture.application(in: Self.a, UInt64($0)) }
            let a = try await first.sync(engine, three.map { first.create($0) })
            #expect(Self.reasons(a) == ["creation_budget"] && a.acked.count == 2)
            let b = try await second.sync(engine, (63...64).map { second.create(Fixture.application(in: Self.a, UInt64($0))) })
            #expect(Self.reasons(b) == ["creation_budget"] && b.acked.count == 1, "the village's third, then its budget is spent")
            // A refused create re-sent unchanged gets its refusal again; tomorrow a new one is taken.
            #expect(Self.reasons(try await first.sync(engine, [Change(rejected: three[2], by: first)])) == ["creation_budget"])
            let tomorrow = Fixture.now + Fixture.msPerDay
            let next = try await first.sync(engine, [first.create(Fixture.application(in: Self.a, 65))], now: tomorrow)
            #expect(next.rejections.isEmpty && next.acked.count == 1, "\(next.rejections)")
            let refusals = try await engine.store.creationBudgetRefusals(since: 0)
            #expect(Set(refusals.map(\.scope)) == ["device:\(first.context.deviceID)", "village:\(Self.a)"])
            #expect(refusals.allSatisfy { $0.day == Fixture.today })
        }
    }

    @Test("a worker files only their own relatives; an administrator withdraws a filing, and recusal ends", arguments: StoreBackend.all)
    func filings(backend: StoreBackend) async throws {
        try await withEngine(backend) { engine in
            let key = try await Self.imported(engine, 5, at: .covered)
            let me = Fixture.assistant(of: Self.a)
            var device = TestDevice(me, replica: 0xDF)
            try await device.syncUntilDone(engine)
            func filing(_ n: UInt64, staff: WorkerID) -> RelativeFiling {
                RelativeFiling(id: Fixture.freshID(n), village: Self.a, staff: staff, household: key.id, relation: .parent, filedOn: Fixture.today)
            }
            let forAnother = try await device.sync(engine, [device.create(filing(70, staff: Self.tr(1).id))])
            #expect(Self.reasons(forAnother) == ["role_not_allowed"])
            let own = filing(71, staff: me.id)
            #expect(try await device.sync(engine, [device.create(own)]).acked.count == 1)
            let income = { (d: inout TestDevice) in d.set(key, "monthlyIncomeFen", .int(12_300)) }
            #expect(Self.reasons(try await device.sync(engine, [income(&device)])) == ["recusal"])
            try await device.syncUntilDone(engine)
            let filingKey = RecordKey(.relativeFiling, own.id, scope: Self.a)
            #expect(Self.reasons(try await device.sync(engine, [device.set(filingKey, "withdrawnOn", .date(Fixture.today))])) == ["role_not_allowed"])
            let withdrawn = try await engine.withdrawFiling(own.id, by: Fixture.admin, now: Fixture.now + 1_000)
            #expect(withdrawn.withdrawnOn == Fixture.today)
            await #expect(throws: SyncEngineError.self) { try await engine.withdrawFiling(own.id, by: Fixture.admin, now: Fixture.now + 2_000) }
            await #expect(throws: SyncEngineError.self) { try await engine.withdrawFiling(Fixture.freshID(72), by: Fixture.admin, now: Fixture.now) }
            try await device.syncUntilDone(engine)
            #expect(try await device.sync(engine, [income(&device)]).rejections.isEmpty, "recusal ends with the withdrawal")
        }
    }
}

extension Change {
    /// The create `device` made of `household` as its third change: re-sent unchanged.
    init(rejected household: Household, by device: TestDevice) {
        self.init(dot: Dot(device.replica, 3), record: Fixture.key(household), operation: .create(household.fieldValues), context: VersionVector(),
                  hlc: HLCTimestamp(milliseconds: Fixture.now - 60_000 + 3, logical: 0), author: device.worker.id)
    }
}
