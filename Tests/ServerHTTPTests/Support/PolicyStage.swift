import FieldModel
import Foundation
import ServerEngine
import ServerHTTP
import SyncCore
import SyncProtocol
import Synchronization
import SyntheticData
import Testing

/// What the policy attack catalogue attacks: a deployment whose households stand at every step
/// of the workflow, each brought there through the real API by honest devices of the right
/// roles (so the server's workflow trail knows who did what), with the village's notices in
/// every state, filings binding three workers, two workers since promoted to the county, and
/// the creation budgets of one device and one village spent for the day.
///
/// Every attack is refused, so the stored states read at the end stay as they are.
final class PolicyStage: Sendable {
    let deployment: Deployment
    let A: VillageCode
    let B: VillageCode
    let devices: [String: FieldDevice]
    let states: [String: RecordState]
    private let counters: Mutex<[ReplicaID: UInt64]>

    /// The budgets the stage's deployment runs with.
    static let budget = CreationBudget(householdsPerDevicePerDay: 3, householdsPerVillagePerDay: 5)

    var now: Int64 { deployment.clock.now }
    var today: CalendarDate { CalendarDate.chinaStandard(millisecondsSinceEpoch: now) }
    var adminToken: String { deployment.adminToken }

    static func workers(_ A: VillageCode, _ B: VillageCode) -> [String: Worker] {
        let t = A.township, county = A.county
        func va(_ id: String, _ v: VillageCode) -> Worker { Worker(id: WorkerID(unchecked: id), name: "协理员", role: .villageAssistant, assignment: Assignment(villages: [v])) }
        func tr(_ id: String) -> Worker { Worker(id: WorkerID(unchecked: id), name: "审核员", role: .townshipReviewer, assignment: Assignment(townships: [t])) }
        func cc(_ id: String) -> Worker { Worker(id: WorkerID(unchecked: id), name: "确认员", role: .countyConfirmer, assignment: Assignment(counties: [county])) }
        return ["va1": va("va-1", A), "va2": va("va-2", A), "vaB1": va("va-b1", B), "vaB2": va("va-b2", B), "vaPromoted": va("va-promoted", A),
                "tr1": tr("tr-1"), "tr2": tr("tr-2"), "tr3": tr("tr-3"), "trPromoted": tr("tr-promoted"), "cc1": cc("cc-1"), "cc2": cc("cc-2"),
                "ccOther": Worker(id: WorkerID(unchecked: "cc-other"), name: "确认员", role: .countyConfirmer,
                                  assignment: Assignment(counties: [CountyCode(uncheckedRawValue: county.rawValue == 140_822 ? 140_823 : 140_822)])),
                "cs": Worker(id: WorkerID(unchecked: "cs-1"), name: "督导", role: .citySupervisor, assignment: Assignment(cities: [county.city]))]
    }

    init(_ d: Deployment) async throws {
        deployment = d
        A = ScopeFixture.codes[0]
        B = ScopeFixture.codes[1]
        try await d.store.registerVillages([A, B])
        var devices: [String: FieldDevice] = [:]
        for (n, (name, worker)) in Self.workers(A, B).sorted(by: { $0.key < $1.key }).enumerated() {
            devices[name] = try await d.enrol(worker, replica: 0xA000 + UInt64(n))
        }
        self.devices = devices
        var build = StageBuilder(d: d, devices: devices, A: A, B: B)
        try await build.households()
        try await build.steps()
        try await build.filings()
        try await build.promotions()
        try await build.spendBudgets()
        states = try await build.stored()
        var counters: [ReplicaID: UInt64] = [:]
        for device in devices.values { counters[device.identity.replica] = try device.replica.lastCounter() }
        self.counters = Mutex(counters)
    }

    func device(_ name: String) -> FieldDevice { devices[name]! }
    func worker(_ name: String) -> WorkerID { devices[name]!.identity.worker.id }
    func state(_ name: String) throws -> RecordState { try requireValue(states[name], "stage record \(name)") }
    func key(_ name: String) throws -> RecordKey { try state(name).key }

    /// The next unused counter of `device`'s replica.
    func nextCounter(_ device: FieldDevice) -> UInt64 {
        counters.withLock { all in
            all[device.identity.replica, default: 0] += 1
            return all[device.identity.replica]!
        }
    }

    /// A sync of `by`'s device carrying `operation` on record `name`, in the stored version
    /// (or `context`), stamped now: a hostile client writing past its own device's checks.
    func push(_ operation: Change.Operation, on name: String, by: String, context: VersionVector? = nil) throws -> HostileRequest {
        try push(operation, on: try key(name), by: by, context: context ?? state(name).version)
    }

    func push(_ operation: Change.Operation, on key: RecordKey, by: String, context: VersionVector) throws -> HostileRequest {
        let device = device(by)
        let change = Change(dot: Dot(device.identity.replica, nextCounter(device)), record: key, operation: operation, context: context,
                            hlc: HLCTimestamp(milliseconds: now, logical: 0), author: device.identity.worker.id)
        let request = SyncRequest(replica: device.identity.replica, appVersion: "policy-attack", cursors: [:], changes: [change],
                                  health: DeviceHealth(), pageLimit: 1, deviceTimeMilliseconds: now)
        return HostileRequest(method: "POST", path: HTTPAPI.syncPath, token: device.token,
                              headers: ["Content-Encoding": "deflate", "Content-Type": HTTPAPI.syncMediaType], body: SyncCodec.encodeRequest(request))
    }

    /// A status step of household `name` by `by`.
    func step(_ from: WorkflowStatus, _ to: WorkflowStatus, on name: String, by: String, context: VersionVector? = nil) throws -> HostileRequest {
        try push(.transition(Schema.household.id("status"), from: .text(from.rawValue), to: .text(to.rawValue)), on: name, by: by, context: context)
    }

    /// A plain write of `field` of record `name`.
    func set(_ field: String, _ value: FieldValue, on name: String, by: String) throws -> HostileRequest {
        let key = try key(name)
        return try push(.set(key.collection.schema.id(field), value), on: name, by: by)
    }

    /// A create of `record` by `by`.
    func create<R: FieldRecord>(_ record: R, by: String) throws -> HostileRequest {
        try push(.create(record.fieldValues), on: RecordKey(R.collection, record.id, scope: record.village), by: by, context: VersionVector())
    }

    /// A fresh record id no stage record uses.
    func freshID() -> RecordID {
        var generator = SystemRandomNumberGenerator()
        return RecordID(milliseconds: now, using: &generator)
    }

    /// A new application of village `v` as a field worker enters it.
    func application(in v: VillageCode? = nil) -> Household {
        ScopeFixture.village(v ?? A).households[0].asNewApplication(id: freshID(), on: today)
    }

    /// A notice of village `v` listing `households`, starting `startsIn` days from today.
    func notice(listing households: [String], in v: VillageCode? = nil, startsIn: Int = 0, days: Int = 7) throws -> PublicNotice {
        let starts = today.adding(days: startsIn)
        return PublicNotice(id: freshID(), village: v ?? A, households: try households.map { try key($0).id }, startsOn: starts,
                            endsOn: starts.adding(days: days - 1), objectionCount: 0, objectionNotes: "")
    }

    /// A filing of household `name` naming `staff`.
    func filing(of name: String, staff: WorkerID?, staffName: String? = nil) throws -> RelativeFiling {
        RelativeFiling(id: freshID(), village: try key(name).scope, staff: staff, household: try key(name).id, relation: .sibling,
                       filedOn: today, staffName: staffName)
    }
}

/// Brings the stage's records where they stand, each step by the worker the policy names.
private struct StageBuilder {
    let d: Deployment
    let devices: [String: FieldDevice]
    let A: VillageCode
    let B: VillageCode
    var ids: [String: RecordKey] = [:]
    /// Households created today, per device and per village: the stage keeps under the budget
    /// by letting a day pass when one would go over.
    var createdToday: [String: Int] = [:]

    init(d: Deployment, devices: [String: FieldDevice], A: VillageCode, B: VillageCode) {
        self.d = d
        self.devices = devices
        self.A = A
        self.B = B
    }

    var today: CalendarDate { CalendarDate.chinaStandard(millisecondsSinceEpoch: d.clock.now) }

    func device(_ name: String) -> FieldDevice { devices[name]! }

    func sync(_ names: String...) async throws {
        for name in names { try await device(name).syncOK() }
    }

    /// A new application by `by`, synced; the record is known by `name`.
    mutating func apply(_ name: String, by: String) async throws {
        let budget = PolicyStage.budget
        if createdToday[by, default: 0] >= budget.householdsPerDevicePerDay || createdToday["village", default: 0] >= budget.householdsPerVillagePerDay {
            d.clock.advance(by: 86_400_000)
            createdToday = [:]
        }
        createdToday[by, default: 0] += 1
        createdToday["village", default: 0] += 1
        var generator = SystemRandomNumberGenerator()
        let household = ScopeFixture.village(A).households[0].asNewApplication(id: RecordID(milliseconds: d.clock.now, using: &generator), on: today)
        try device(by).replica.createHousehold(household)
        try await device(by).syncOK()
        ids[name] = RecordKey(.household, household.id, scope: A)
    }

    /// An imported household of village A at `status` (the county's roster).
    mutating func imported(_ name: String, at status: WorkflowStatus, member: String? = nil) async throws {
        var generator = SystemRandomNumberGenerator()
        var h = ScopeFixture.village(A).households[1]
        h.id = RecordID(milliseconds: d.clock.now, using: &generator)
        h.status = status
        h.coveredSince = status.isCovered ? today.adding(days: -400) : nil
        h.lastReviewedOn = nil
        var records = [ImportRecord(h)]
        if let member {
            var m = ScopeFixture.village(A).members[0]
            m.id = RecordID(milliseconds: d.clock.now, using: &generator)
            m.householdID = h.id
            records.append(ImportRecord(m))
            ids[member] = RecordKey(.member, m.id, scope: A)
        }
        try await d.seed(records, villages: [A])
        ids[name] = RecordKey(.household, h.id, scope: A)
    }

    func move(_ name: String, to status: WorkflowStatus, by: String) async throws {
        try await device(by).syncOK()
        try device(by).replica.transitionHousehold(ids[name]!.id, to: status)
        try await device(by).syncOK()
    }

    /// Publishes a notice listing `households` that started `startedDaysAgo` days ago and runs 7 days.
    mutating func publish(_ name: String, listing households: [String], startedDaysAgo: Int, objections: Int64 = 0, by: String = "tr2") async throws {
        var generator = SystemRandomNumberGenerator()
        let starts = today.adding(days: -startedDaysAgo)
        let notice = PublicNotice(id: RecordID(milliseconds: d.clock.now, using: &generator), village: A, households: households.map { ids[$0]!.id },
                                  startsOn: starts, endsOn: starts.adding(days: 6), objectionCount: objections,
                                  objectionNotes: objections > 0 ? "群众反映有经营性收入" : "")
        try await device(by).syncOK()
        try device(by).replica.publishNotice(notice)
        try await device(by).syncOK()
        ids[name] = RecordKey(.publicNotice, notice.id, scope: A)
    }

    /// Every household the devices enter (over as many days as the budget asks) and the imported ones.
    mutating func households() async throws {
        for (name, by) in [("hApplied", "va1"), ("hApplied2", "va1"), ("hInv", "va1"), ("hReviewed", "va2"), ("hReviewedFuture", "va2"),
                           ("hRunning", "va2"), ("hObjection", "va1"), ("hReady", "va2"), ("hReady2", "va1"), ("hConfirmed", "va2"),
                           ("hContested", "va1"), ("hReapplied", "va2"), ("hPromo", "va1"), ("hPromo2", "va2"), ("hPromo3", "vaPromoted"),
                           ("hRelApplied", "va1"), ("hRelReviewed", "va2")] {
            try await apply(name, by: by)
        }
        // Members entered with their applications, before anyone moved them on.
        for (name, household, by) in [("mInv", "hInv", "va1"), ("mApplied", "hApplied", "va1"), ("mRel", "hRelApplied", "va1")] {
            var generator = SystemRandomNumberGenerator()
            var m = ScopeFixture.village(A).members[0]
            m.id = RecordID(milliseconds: d.clock.now, using: &generator)
            m.householdID = ids[household]!.id
            m.idNumber = IDCardNumber.make(region: A.county, birth: CalendarDate(year: 1990, month: 5, day: 6)!, sequence: ids.count)
            m.disabilityKind = .none
            m.disabilityGrade = 0
            try await device(by).syncOK()
            try device(by).replica.addMember(m)
            try await device(by).syncOK()
            ids[name] = RecordKey(.member, m.id, scope: A)
        }
        try await imported("hCovered", at: .covered, member: "mCovered")
        try await imported("hUnderReview", at: .covered)
        try await imported("hUnderReview2", at: .covered)
        try await imported("hDeclined", at: .declined)
        try await imported("hRelative", at: .covered)
    }

    /// Every step, each by the role the table names and a worker the trail allows.
    mutating func steps() async throws {
        try await sync("va1", "va2", "vaPromoted", "tr1", "tr2", "tr3", "trPromoted", "cc1", "cc2")
        for name in ["hApplied2", "hInv", "hReviewed", "hReviewedFuture", "hRunning", "hObjection", "hReady", "hReady2", "hConfirmed",
                     "hContested", "hReapplied", "hPromo2", "hPromo3"] {
            try await move(name, to: .investigated, by: "tr1")
        }
        try await move("hPromo", to: .investigated, by: "trPromoted")
        try await move("hRelReviewed", to: .investigated, by: "tr2")
        for name in ["hReviewed", "hReviewedFuture", "hRunning", "hObjection", "hReady", "hReady2", "hConfirmed", "hReapplied", "hPromo", "hPromo3"] {
            try await move(name, to: .townshipReviewed, by: "tr2")
        }
        try await move("hPromo2", to: .townshipReviewed, by: "trPromoted")

        // Two reviewers decide one household apart: both saw it investigated.
        try await sync("tr2", "tr3")
        try device("tr2").replica.transitionHousehold(ids["hContested"]!.id, to: .townshipReviewed)
        try device("tr3").replica.transitionHousehold(ids["hContested"]!.id, to: .declined)
        try await sync("tr2", "tr3")

        try await publish("nFuture", listing: ["hReviewedFuture"], startedDaysAgo: -1)
        try await publish("nRunning", listing: ["hRunning"], startedDaysAgo: 1)
        try await publish("nObjection", listing: ["hObjection"], startedDaysAgo: 10, objections: 1)
        try await publish("nReady", listing: ["hReady", "hReady2", "hConfirmed", "hReapplied", "hPromo", "hPromo2", "hPromo3"], startedDaysAgo: 10)
        for name in ["hRunning", "hObjection", "hReady", "hReady2", "hConfirmed", "hReapplied", "hPromo", "hPromo2", "hPromo3"] {
            try await move(name, to: .publicNotice, by: "tr2")
        }
        try await move("hConfirmed", to: .countyConfirmed, by: "cc1")
        // Declined at the notice stage and applied again: a new application needs a new notice.
        try await move("hReapplied", to: .declined, by: "cc1")
        try await move("hReapplied", to: .applied, by: "va2")
        try await move("hReapplied", to: .investigated, by: "tr3")
        try await move("hReapplied", to: .townshipReviewed, by: "tr1")
        // Periodic reviews started by the village.
        try await move("hUnderReview", to: .underReview, by: "va2")
        try await move("hUnderReview2", to: .underReview, by: "vaPromoted")
        // A screening visit the assistant recorded.
        var generator = SystemRandomNumberGenerator()
        let visit = Visit(id: RecordID(milliseconds: d.clock.now, using: &generator), householdID: ids["hCovered"]!.id, village: A, kind: .screening,
                          worker: device("va1").identity.worker.id, date: today, monthlyIncomeFen: 50_000, assetsFen: 100_000,
                          livingCondition: .difficult, recommendation: .none, notes: "拉网式排查")
        try device("va1").replica.recordVisit(visit)
        try await sync("va1")
        ids["vScreening"] = RecordKey(.visit, visit.id, scope: A)
    }

    /// Filings: the assistant files her own relative's application; the administrator files a
    /// reviewer and a confirmer, and the assistant for a covered household.
    mutating func filings() async throws {
        var generator = SystemRandomNumberGenerator()
        let own = RelativeFiling(id: RecordID(milliseconds: d.clock.now, using: &generator), village: A, staff: device("va1").identity.worker.id,
                                 household: ids["hRelApplied"]!.id, relation: .parent, filedOn: today)
        try device("va1").replica.fileRelative(own)
        try await sync("va1")
        ids["fOwn"] = RecordKey(.relativeFiling, own.id, scope: A)
        for (household, staff) in [("hRelReviewed", "tr1"), ("hReady2", "cc2"), ("hRelative", "va1")] {
            _ = try await d.admin.file(FilingDocument(staff: device(staff).identity.worker.id.rawValue, household: ids[household]!.id.description,
                                                      village: A.description, relation: "spouse"))
        }
    }

    /// Two workers who took part in households' applications are promoted to the county.
    func promotions() async throws {
        for name in ["trPromoted", "vaPromoted"] {
            var worker = WorkerDocument(device(name).identity.worker)
            worker.role = Role.countyConfirmer.rawValue
            worker.villages = []
            worker.townships = []
            worker.counties = [A.county.description]
            _ = try await d.admin.updateWorker(worker)
        }
    }

    /// Today's budgets of device `vaB1` and village B are spent (on the day of the attacks).
    func spendBudgets() async throws {
        for (by, count) in [("vaB1", 3), ("vaB2", 2)] {
            for _ in 0..<count {
                var generator = SystemRandomNumberGenerator()
                let h = ScopeFixture.village(B).households[0].asNewApplication(id: RecordID(milliseconds: d.clock.now, using: &generator), on: today)
                try device(by).replica.createHousehold(h)
            }
            let report = try await device(by).syncOK()
            precondition(report.rejected == 0, "the budget filled early: \(report)")
        }
    }

    func stored() async throws -> [String: RecordState] {
        var out: [String: RecordState] = [:]
        for (name, key) in ids { out[name] = try requireValue(try await d.store.record(key), "stored \(name)") }
        return out
    }
}
