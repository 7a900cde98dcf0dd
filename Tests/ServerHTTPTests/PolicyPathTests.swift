import FieldModel
import Foundation
import LoadSimulation
import Replica
import ServerEngine
import ServerHTTP
import SyncCore
import SyncProtocol
import SyntheticData
import Testing

/// The policy as a household lives it, through the real API with real devices, on SQLite and
/// on PostgreSQL: 申请 → 入户调查 → 乡镇审核 → 公示 (seven days, an objection raised and resolved)
/// → 县级确认 → 在保 → 复核 → 清退, each step by the role the policy names and a different person.
@Suite("The policy, read as a household's path")
struct PolicyPathTests {
    static let A = ScopeFixture.codes[0]
    static let day: Int64 = 86_400_000

    static func va(_ n: Int) -> Worker {
        Worker(id: WorkerID(unchecked: "va-path-\(n)"), name: "协理员" + ["甲", "乙", "丙"][n % 3], role: .villageAssistant, assignment: Assignment(villages: [A]))
    }
    static func tr(_ n: Int) -> Worker {
        Worker(id: WorkerID(unchecked: "tr-path-\(n)"), name: "审核员" + ["甲", "乙", "丙"][n % 3], role: .townshipReviewer, assignment: Assignment(townships: [A.township]))
    }
    static let cc = Worker(id: WorkerID(unchecked: "cc-path"), name: "确认员", role: .countyConfirmer, assignment: Assignment(counties: [A.county]))

    /// The rule a device names when it refuses a write.
    func refusedRule(_ body: () throws(ReplicaError) -> Void) -> RuleViolation.Code? {
        do { try body(); return nil } catch { return error.rule?.code }
    }

    @Test("from application to coverage and out after a review, each step by its role and a different person", arguments: Deployment.Backend.all)
    func wholePath(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            try await d.store.registerVillages([Self.A])
            let applicant = try await d.enrol(Self.va(1), replica: 0x501), investigator = try await d.enrol(Self.tr(1), replica: 0x502)
            let reviewer = try await d.enrol(Self.tr(2), replica: 0x503), confirmer = try await d.enrol(Self.cc, replica: 0x504)
            let assistant = try await d.enrol(Self.va(2), replica: 0x505)
            let today = { CalendarDate.chinaStandard(millisecondsSinceEpoch: d.clock.now) }
            func step(_ device: FieldDevice, _ id: RecordID, _ to: WorkflowStatus) async throws {
                try await device.syncOK()
                try device.replica.transitionHousehold(id, to: to)
                let report = try await device.syncOK()
                #expect(report.rejected == 0, "\(device.identity.worker.id) → \(to): \(report)")
            }

            // 申请: the village assistant takes the application.
            var generator = SystemRandomNumberGenerator()
            let household = ScopeFixture.village(Self.A).households[0].asNewApplication(id: RecordID(milliseconds: d.clock.now, using: &generator), on: today())
            try applicant.replica.createHousehold(household)
            try await applicant.syncOK()
            // 入户调查 by the township with the village; 乡镇审核 by another reviewer, never the investigator.
            try await step(investigator, household.id, .investigated)
            try await investigator.syncOK()
            #expect(refusedRule { () throws(ReplicaError) in try investigator.replica.transitionHousehold(household.id, to: .townshipReviewed) } == .separationOfDuties)
            try await step(reviewer, household.id, .townshipReviewed)
            // 公示: no step to the notice without a notice listing the household.
            #expect(refusedRule { () throws(ReplicaError) in try reviewer.replica.transitionHousehold(household.id, to: .publicNotice) } == .noticeNotReady)
            let notice = PublicNotice(id: RecordID(milliseconds: d.clock.now, using: &generator), village: Self.A, households: [household.id],
                                      startsOn: today(), endsOn: today().adding(days: 6), objectionCount: 0, objectionNotes: "")
            try reviewer.replica.publishNotice(notice)
            try await step(reviewer, household.id, .publicNotice)

            // During the seven days an objection is raised; the county may not confirm yet.
            d.clock.advance(by: 3 * Self.day)
            try await reviewer.syncOK()
            try reviewer.replica.updateNotice(notice.id, [.objectionCount: .int(1), .objectionNotes: .text("邻居反映家中有车辆")])
            try await reviewer.syncOK()
            try await confirmer.syncOK()
            #expect(refusedRule { () throws(ReplicaError) in try confirmer.replica.transitionHousehold(household.id, to: .countyConfirmed) } == .noticeNotReady)
            // The period ends; the objection still stands.
            d.clock.advance(by: 5 * Self.day)
            try await confirmer.syncOK()
            #expect(refusedRule { () throws(ReplicaError) in try confirmer.replica.transitionHousehold(household.id, to: .countyConfirmed) } == .noticeNotReady)
            // The township looks into it and resolves it; then the county confirms and covers.
            try await reviewer.syncOK()
            try reviewer.replica.updateNotice(notice.id, [.resolvedObjectionCount: .int(1)])
            try await reviewer.syncOK()
            try await step(confirmer, household.id, .countyConfirmed)
            // Coverage needs its date first: a covered household without one would never be due for review.
            try await confirmer.syncOK()
            #expect(throws: ReplicaError.self) { try confirmer.replica.transitionHousehold(household.id, to: .covered) }
            try confirmer.replica.updateHousehold(household.id, [.monthlyStandardFen: .int(58_000), .monthlyAmountFen: .int(30_000),
                                                                  .coveredSince: .date(today())])
            try await step(confirmer, household.id, .covered)

            // A year on, the village starts the review (复核); the county decides the exit (清退).
            d.clock.advance(by: 365 * Self.day)
            try await step(assistant, household.id, .underReview)
            try await step(confirmer, household.id, .exited)

            let trail = try await d.store.workflowTrail(household: household.id)
            #expect(trail.steps.map(\.to) == [.applied, .investigated, .townshipReviewed, .publicNotice, .countyConfirmed, .covered, .underReview, .exited])
            #expect(trail.steps.map(\.author.rawValue) == ["va-path-1", "tr-path-1", "tr-path-2", "tr-path-2", "cc-path", "cc-path", "va-path-2", "cc-path"])
            let stored = try #require(try await d.store.record(RecordKey(.household, household.id, scope: Self.A)))
            #expect(stored.workflowStatuses == [.exited] && !stored.needsReview)
        }
    }

    @Test("a stale device's refused writes come back as visible rejections, and nothing is lost", arguments: Deployment.Backend.all)
    func staleDeviceSeesTheRefusal(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            try await d.seed(ScopeFixture.records(in: Self.A), villages: [Self.A])
            let assistant = try await d.enrol(Self.va(1), replica: 0x511), investigator = try await d.enrol(Self.tr(1), replica: 0x512)
            var generator = SystemRandomNumberGenerator()
            let today = CalendarDate.chinaStandard(millisecondsSinceEpoch: d.clock.now)
            let household = ScopeFixture.village(Self.A).households[0].asNewApplication(id: RecordID(milliseconds: d.clock.now, using: &generator), on: today)
            let covered = ScopeFixture.village(Self.A).households[1]
            try assistant.replica.createHousehold(household)
            try await assistant.syncOK()
            // While the assistant is out of signal the township investigates her application, and
            // the administrator files her as a relative of another household: her device knows neither.
            try await step(investigator, household.id, to: .investigated)
            _ = try await d.admin.file(FilingDocument(staff: Self.va(1).id.rawValue, household: covered.id.description,
                                                      village: Self.A.description, relation: "child"))
            // Offline she deletes what she believes is her untouched application, and reviews the other.
            let delete = try assistant.replica.deleteHousehold(household.id)
            let visit = try assistant.replica.recordVisit(Visit(id: RecordID(milliseconds: d.clock.now, using: &generator), householdID: covered.id,
                                                                village: Self.A, kind: .annualReview, worker: Self.va(1).id, date: today,
                                                                monthlyIncomeFen: 1_000, assetsFen: 0, livingCondition: .severe,
                                                                recommendation: .maintain, notes: "年度核查"))
            let report = try await assistant.syncOK()
            #expect(report.rejected == 2)
            let rejected = try assistant.replica.outboxSummary().rejected
            #expect(rejected.map(\.reason) == ["not_deletable", "recusal"], "\(rejected.map(\.message))")
            #expect(rejected.map(\.change.dot) == [delete.dot, visit.dot])
            // Nothing lost: the household is back in her view as the server holds it, the refused
            // visit stays shown with its reason, and the server holds neither refused write.
            #expect(try assistant.replica.householdDetail(household.id).household.status == .investigated)
            #expect(try await d.store.record(RecordKey(.household, household.id, scope: Self.A))?.isDeleted == false)
            #expect(try await d.store.record(RecordKey(.visit, visit.record.id, scope: Self.A)) == nil)
        }
    }

    func step(_ device: FieldDevice, _ id: RecordID, to: WorkflowStatus) async throws {
        try await device.syncOK()
        try device.replica.transitionHousehold(id, to: to)
        try await device.syncOK()
    }

    @Test("the special roster lists every filing for the county and the administrator, as JSON, CSV and from the command line")
    func specialRoster() async throws {
        try await Deployment.with { d in
            let village = ScopeFixture.codes[0]
            let records = ScopeFixture.records(in: village)
            try await d.seed(records, villages: [village])
            let households = ScopeFixture.village(village).households
            let assistant = try await d.enrol(Self.va(1), replica: 0x521)
            let confirmer = try await d.enrol(Self.cc, replica: 0x522)
            let other = Worker(id: WorkerID(unchecked: "cc-elsewhere"), name: "确认员", role: .countyConfirmer,
                               assignment: Assignment(counties: [CountyCode(uncheckedRawValue: village.county.rawValue == 140_822 ? 140_823 : 140_822)]))
            let elsewhere = try await d.enrol(other, replica: 0x523)
            // A worker's own filing, one the administrator makes for a worker, one for a village cadre with no account.
            try await assistant.syncOK()
            var generator = SystemRandomNumberGenerator()
            try assistant.replica.fileRelative(RelativeFiling(id: RecordID(milliseconds: d.clock.now, using: &generator), village: village,
                                                              staff: Self.va(1).id, household: households[0].id, relation: .parent,
                                                              filedOn: CalendarDate.chinaStandard(millisecondsSinceEpoch: d.clock.now)))
            try await assistant.syncOK()
            let cadre = try await d.admin.file(FilingDocument(staff: nil, household: households[1].id.description, village: village.description,
                                                              relation: "spouse", staffName: "赵村委", staffPosition: "村委会委员"))
            let seeded = ScopeFixture.village(village).filings.count
            let withdrawn = try await d.admin.withdrawFiling(cadre.id)
            #expect(withdrawn.withdrawnOn == CalendarDate.chinaStandard(millisecondsSinceEpoch: d.clock.now).description)
            #expect(try await d.store.securityEvents(limit: 1).last?.detail.contains("withdrew filing \(cadre.id)") == true)

            let all = try await d.admin.specialRoster()
            #expect(all.count == seeded + 2)
            let row = try #require(all.first { $0.filing == cadre.id })
            #expect(row.staff == nil && row.staffName == "赵村委" && row.position == "村委会委员" && row.withdrawnOn != nil)
            #expect(all.contains { $0.staff == Self.va(1).id.rawValue && $0.staffName == Self.va(1).name && $0.headName == households[0].headName })
            // The county's confirmer sees the same; another county's none of it; an assistant is refused.
            let countyRows = try JSONDecoder().decode([SpecialRosterEntryDocument].self,
                                                      from: Data(try await d.raw("GET", "/v1/special-roster", token: confirmer.token).body))
            #expect(countyRows == all)
            let outside = try JSONDecoder().decode([SpecialRosterEntryDocument].self,
                                                   from: Data(try await d.raw("GET", "/v1/special-roster", token: elsewhere.token).body))
            #expect(outside.isEmpty)
            #expect(try await d.raw("GET", "/v1/special-roster", token: assistant.token).status == 403)

            let csv = try await d.raw("GET", "/v1/special-roster?format=csv", token: d.adminToken)
            #expect(csv.status == 200 && Array(csv.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let lines = String(decoding: csv.body.dropFirst(3), as: UTF8.self).split(separator: "\r\n")
            #expect(lines.first == Substring(SpecialRoster.header.joined(separator: ",")) && lines.count == all.count + 1)
            #expect(lines.contains { $0.contains("赵村委") && $0.contains("配偶") })

            // The command line writes the same file.
            let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            let out = d.directory + "/roster.csv"
            let run = try await ChildProcess.run(binaries.appendingPathComponent("doorstep-server"), ["admin", "special-roster", "--csv", out],
                                                 environment: ["DOORSTEP_SERVER": d.running.url.absoluteString, "DOORSTEP_TOKEN": d.adminToken])
            #expect(run.status == 0, "\(run.output)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(csv.body))
        }
    }

    @Test("a device over its day's creation budget is refused and ops sees an alert")
    func creationBudgetAlert() async throws {
        try await Deployment.with(engine: { $0.creationBudget = CreationBudget(householdsPerDevicePerDay: 2, householdsPerVillagePerDay: 10) }) { d in
            try await d.store.registerVillages([Self.A])
            let assistant = try await d.enrol(Self.va(1), replica: 0x531)
            var generator = SystemRandomNumberGenerator()
            let today = CalendarDate.chinaStandard(millisecondsSinceEpoch: d.clock.now)
            for _ in 0..<3 {
                try assistant.replica.createHousehold(ScopeFixture.village(Self.A).households[0]
                    .asNewApplication(id: RecordID(milliseconds: d.clock.now, using: &generator), on: today))
            }
            let report = try await assistant.syncOK()
            #expect(report.rejected == 1)
            #expect(try assistant.replica.outboxSummary().rejected.map(\.reason) == ["creation_budget"])
            let alerts = try await d.admin.opsOverview().alerts.filter { $0.kind == .creationBudget }
            #expect(alerts.map(\.subject) == ["device:\(assistant.deviceID)"], "\(alerts)")
            let metrics = try await d.raw("GET", "/metrics", token: nil)
            #expect(String(decoding: metrics.body, as: UTF8.self).contains("doorstep_alerts{kind=\"creation_budget\"} \(Double(1))"))
        }
    }
}
