import FieldModel
import Foundation
import ServerDirectory
import ServerEngine
import ServerHTTP
import ServerOps
import SyntheticData
import Testing

/// 督办: the supervision counts equal counts taken independently from the generated data with
/// `ReviewCadence`, at every level, after the real sync path changed members, classifications,
/// reviews, leads and steps; a village's households are listed to the staff whose scope covers
/// it, less their filed relatives, and refused to anyone else.
@Suite("Supervision counts and drill-down", .serialized)
struct SupervisionTests {
    /// Three villages in each of two townships of one county.
    static let township1 = HTTPFixture.villageA.township
    static let township2 = HTTPFixture.villageA.county.township(77)
    static let villages = (1...3).map { township1.village($0) } + (1...3).map { township2.village($0) }
    static let window = SupervisionWindow(nowMilliseconds: HTTPFixture.now)

    /// The generated households, members and leads as the test holds them: what the counts must equal.
    struct Model {
        var households: [RecordID: Household] = [:]
        var members: [RecordID: Member] = [:]
        var leads: [RecordID: DiscoveryLead] = [:]
        /// Households whose filing hides them from a worker's drill-down.
        var filed: [WorkerID: Set<RecordID>] = [:]

        func kinds(of h: Household, _ window: SupervisionWindow) -> [SupervisionKind] {
            var out: [SupervisionKind] = []
            if let due = ReviewCadence.nextDue(for: h, members: members.values.filter { $0.householdID == h.id }) {
                if due < window.today { out.append(.overdue) } else if window.today.days(until: due) < SupervisionWindow.dueDays { out.append(.due) }
            }
            if h.status == .investigated { out.append(.investigated) }
            if h.status == .publicNotice { out.append(.notice) }
            return out
        }

        func counts(in codes: Range<Int64>, _ window: SupervisionWindow) -> SupervisionCounts {
            var c = SupervisionCounts()
            for h in households.values where codes.contains(Int64(h.village.rawValue)) {
                for k in kinds(of: h, window) { c[k] += 1 }
            }
            c.leads = leads.values.filter { codes.contains(Int64($0.village.rawValue)) && $0.followUpStatus == .open }.count
            return c
        }

        /// The ids a drill-down must list, in its order (due date, then id).
        func items(_ village: VillageCode, _ kind: SupervisionKind, for worker: WorkerID, _ window: SupervisionWindow) -> [String] {
            if kind == .leads { return leads.values.filter { $0.village == village && $0.followUpStatus == .open }.map(\.id).sorted().map(\.description) }
            let hidden = filed[worker] ?? []
            func due(_ h: Household) -> CalendarDate { ReviewCadence.nextDue(for: h, members: members.values.filter { $0.householdID == h.id }) ?? CalendarDate(daysSinceEpoch: 0) }
            return households.values.filter { $0.village == village && !hidden.contains($0.id) && kinds(of: $0, window).contains(kind) }
                .sorted { (due($0), $0.id) < (due($1), $1.id) }
                .map(\.id.description)
        }
    }

    /// Households of the synthetic dataset spread over the six villages, with random steps,
    /// classifications, coverage and review dates, members of random ability and presence, and
    /// leads of random follow-up.
    static func generate(seed: UInt64) -> Model {
        var g = SeededGenerator(seed: seed)
        let data = DatasetGenerator.generate(DatasetSpec(seed: seed, size: .households(300)))
        let today = window.today
        var model = Model()
        var villageOf: [RecordID: VillageCode] = [:]
        for (k, source) in data.households.enumerated() {
            var h = source
            h.village = villages[k % villages.count]
            h.status = WorkflowStatus.allCases.randomElement(using: &g)!
            h.classification = EconomicClassification.allCases.randomElement(using: &g)!
            let covered = today.adding(days: -Int.random(in: 20...800, using: &g))
            h.coveredSince = covered
            h.lastReviewedOn = Bool.random(using: &g) ? covered.adding(days: Int.random(in: 0...covered.days(until: today), using: &g)) : nil
            model.households[h.id] = h
            villageOf[h.id] = h.village
        }
        for source in data.members {
            guard let village = villageOf[source.householdID] else { continue }
            var m = source
            m.village = village
            m.labourAbility = LabourAbility.allCases.randomElement(using: &g)!
            m.status = Int.random(in: 0..<4, using: &g) == 0 ? MemberStatus.allCases.randomElement(using: &g)! : .present
            model.members[m.id] = m
        }
        for (k, source) in data.leads.enumerated() {
            var lead = source
            lead.village = villages[k % villages.count]
            lead.followUpStatus = FollowUpStatus.allCases.randomElement(using: &g)!
            model.leads[lead.id] = lead
        }
        return model
    }

    @Test("every count of every village, township, county and the city equals the generated data's, before and after phones change members, reviews, leads and steps",
          arguments: Deployment.Backend.all)
    func countsEqualTheGeneratedData(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            var model = Self.generate(seed: 26)
            #expect(model.leads.count > 10 && model.members.count > model.households.count, "\(model.leads.count) leads, \(model.members.count) members")
            try await Self.importModel(model, into: d)
            let confirmer = try await d.enrol(Worker(id: WorkerID(unchecked: "cc-1"), name: "确认员", role: .countyConfirmer,
                                                     assignment: Assignment(counties: [Self.township1.county])), replica: 0x71)
            try await confirmer.syncOK()
            try await expectCounts(d, model, "imported")

            // A village assistant flips abilities and presences, classifications, reviews and leads;
            // the township's reviewer moves investigated households on.
            let V = Self.villages[0]
            let assistant = try await d.enrol(HTTPFixture.assistant(V), replica: 0x72)
            let reviewer = try await d.enrol(HTTPFixture.reviewer, replica: 0x73)
            try await assistant.syncOK()
            try await reviewer.syncOK()
            var g = SeededGenerator(seed: 27)
            let villageMembers = model.members.values.filter { $0.village == V }.sorted { $0.id < $1.id }.shuffled(using: &g)
            for var m in villageMembers.prefix(8) {
                m.labourAbility = m.labourAbility == .able ? .none : .able
                _ = try assistant.replica.updateMember(m.id, [.labourAbility: .text(m.labourAbility.rawValue)])
                model.members[m.id] = m
            }
            for var m in villageMembers.dropFirst(8).prefix(3) where m.status == .present {
                m.status = .movedOut
                _ = try assistant.replica.updateMember(m.id, [.status: .text(m.status.rawValue)])
                model.members[m.id] = m
            }
            let villageHouseholds = model.households.values.filter { $0.village == V }.sorted { $0.id < $1.id }.shuffled(using: &g)
            for var h in villageHouseholds.prefix(4) {
                h.classification = h.classification == .stable ? .unstableIncome : .stable
                _ = try assistant.replica.updateHousehold(h.id, [.classification: .text(h.classification.rawValue)])
                model.households[h.id] = h
            }
            for var h in villageHouseholds.dropFirst(4).filter({ $0.status.isCovered }).prefix(3) {
                h.lastReviewedOn = Self.window.today.adding(days: -3)
                _ = try assistant.replica.updateHousehold(h.id, [.lastReviewedOn: .date(h.lastReviewedOn!)])
                model.households[h.id] = h
            }
            for var lead in model.leads.values.filter({ $0.village == V && $0.followUpStatus == .open }).sorted(by: { $0.id < $1.id }).prefix(2) {
                lead.followUpStatus = .visited
                _ = try assistant.replica.updateLeadStatus(lead.id, to: .visited)
                model.leads[lead.id] = lead
            }
            for var h in model.households.values.filter({ $0.village.township == Self.township1 && $0.status == .investigated }).sorted(by: { $0.id < $1.id }).prefix(3) {
                h.status = .townshipReviewed
                _ = try reviewer.replica.transitionHousehold(h.id, to: .townshipReviewed)
                model.households[h.id] = h
            }
            for device in [assistant, reviewer] {
                let report = try await device.syncOK()
                #expect(report.rejected == 0, "\(device.deviceID): \(report.rejected) changes refused")
            }
            try await expectCounts(d, model, "after the phones' changes")
            if backend == .sqlite {
                // For scripts/check-ops.sh: a county page whose supervision rows hold counts.
                try OpsArtefacts.save(["supervision.html": try await SyncTrendTests.page(d, OpsRegion.county(Self.township1.county).path)])
            }
        }
    }

    /// Imports the model's records through the server's write path, as a county's roster.
    static func importModel(_ model: Model, into d: Deployment) async throws {
        try await d.store.registerVillages(villages)
        let records = model.households.values.map(ImportRecord.init) + model.members.values.map(ImportRecord.init) + model.leads.values.map(ImportRecord.init)
        let imported = try await d.engine.importRecords(records, by: AccessControl.bootstrapAdministrator, now: d.clock.now)
        try #require(imported.rejected.isEmpty, "\(imported.rejected.prefix(2))")
    }

    @Test("a village's households behind each count, to the staff whose scope covers it, less their filed relatives; refused to anyone else",
          arguments: Deployment.Backend.all)
    func drillDownListsExactlyTheHouseholds(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend) { d in
            var model = Self.generate(seed: 28)
            try await Self.importModel(model, into: d)
            let V = Self.villages[1], elsewhere = Self.villages[4]
            let assistant = try await d.enrol(HTTPFixture.assistant(V), replica: 0x81)
            let reviewer = try await d.enrol(HTTPFixture.reviewer, replica: 0x82)
            // The reviewer's spouse heads an overdue household of V: filed, so hidden from the reviewer.
            let relative = try #require(model.households.values.filter { $0.village == V && model.kinds(of: $0, Self.window).contains(.overdue) }
                .min { $0.id < $1.id })
            let filing = RelativeFiling(id: RecordID(high: 0x0190_0000_0000_7000, low: 0x8000_0000_0000_0028), village: V, staff: reviewer.identity.worker.id,
                                        household: relative.id, relation: .spouse, filedOn: Self.window.today)
            let filed = try await d.engine.importRecords([ImportRecord(filing)], by: AccessControl.bootstrapAdministrator, now: d.clock.now)
            try #require(filed.rejected.isEmpty, "\(filed.rejected)")
            model.filed[reviewer.identity.worker.id] = [relative.id]

            for kind in SupervisionKind.allCases {
                for device in [assistant, reviewer] {
                    let list = try await Self.list(d, V, kind, token: device.token)
                    #expect(list.kind == kind.rawValue && list.village == V.description && list.today == Self.window.today.description)
                    #expect(list.items.map(\.id) == model.items(V, kind, for: device.identity.worker.id, Self.window), "\(kind.rawValue) for \(device.deviceID)")
                    #expect(list.items.allSatisfy { kind == .leads ? $0.status == nil : $0.status != nil })
                }
            }
            let seenByAssistant = try await Self.list(d, V, .overdue, token: assistant.token).items.map(\.id)
            let seenByReviewer = try await Self.list(d, V, .overdue, token: reviewer.token).items.map(\.id)
            #expect(seenByAssistant.contains(relative.id.description) && !seenByReviewer.contains(relative.id.description), "the filed household is the reviewer's to stay away from")
            #expect(Set(seenByAssistant).subtracting(seenByReviewer) == [relative.id.description])

            // Outside the assistant's scope, an administrator, no token, a bad kind, a bad code.
            let outside = try await d.raw("GET", "/v1/supervision/villages/\(elsewhere)/households?kind=overdue", token: assistant.token)
            #expect(outside.status == 403 && outside.error?.code == "outside_scope", "\(outside.status) \(outside.error?.code ?? "")")
            let admin = try await d.raw("GET", "/v1/supervision/villages/\(V)/households?kind=overdue", token: d.adminToken)
            #expect(admin.status == 403, "ops staff see counts only: \(admin.status)")
            let anonymous = try await d.raw("GET", "/v1/supervision/villages/\(V)/households?kind=overdue", token: nil)
            #expect(anonymous.status == 401)
            let badKind = try await d.raw("GET", "/v1/supervision/villages/\(V)/households?kind=everything", token: assistant.token)
            #expect(badKind.status == 400 && badKind.error?.code == "invalid_argument")
            let badCode = try await d.raw("GET", "/v1/supervision/villages/12345/households?kind=due", token: assistant.token)
            #expect(badCode.status == 400 && badCode.error?.code == "invalid_argument")
            // The reviewer's township, yes; the other township, no.
            #expect(try await d.raw("GET", "/v1/supervision/villages/\(Self.villages[2])/households?kind=due", token: reviewer.token).status == 200)
            #expect(try await d.raw("GET", "/v1/supervision/villages/\(elsewhere)/households?kind=due", token: reviewer.token).error?.code == "outside_scope")

            // The administrator's page shows the village's counts and no household.
            let page = try await SyncTrendTests.page(d, OpsRegion.village(V).path)
            #expect(Self.figure(.overdue, in: page) == model.counts(in: OpsRegion.village(V).villageCodes, Self.window).overdue)
            #expect(!page.contains(relative.id.description))
            let csv = try await d.raw("GET", OpsRegion.township(Self.township1).path + "/supervision.csv", token: d.adminToken)
            let lines = String(decoding: csv.body, as: UTF8.self).split(separator: "\r\n")
            #expect(csv.status == 200 && lines.count == 1 + 1 + 3, "header, the township, its three villages: \(lines.count)")
        }
    }

    static func list(_ d: Deployment, _ village: VillageCode, _ kind: SupervisionKind, token: String) async throws -> SupervisionListDocument {
        let answer = try await d.raw("GET", "/v1/supervision/villages/\(village)/households?kind=\(kind.rawValue)", token: token)
        try #require(answer.status == 200, "\(kind.rawValue): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        return try JSONDecoder().decode(SupervisionListDocument.self, from: Data(answer.body))
    }

    /// The store's counts at every level, and the pages' figures and rows, equal the model's.
    func expectCounts(_ d: Deployment, _ model: Model, _ when: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let w = Self.window
        var regions: [OpsRegion] = [.city, .county(Self.township1.county), .township(Self.township1), .township(Self.township2)]
        regions += Self.villages.map(OpsRegion.village)
        for region in regions {
            let grouped = try await d.store.supervisionCounts(villages: region.villageCodes, placeDivisor: SupervisionTable.placeDivisor(of: region), window: w)
            let table = SupervisionTable(region: region, window: w, grouped: grouped)
            #expect(table.total == model.counts(in: region.villageCodes, w), "\(region.name) \(when)", sourceLocation: sourceLocation)
            for child in table.children {
                #expect(child.counts == model.counts(in: child.region.villageCodes, w), "\(child.region.name) under \(region.name) \(when)", sourceLocation: sourceLocation)
            }
        }
        // What an administrator reads: the county's figures and its townships' rows.
        let county = OpsRegion.county(Self.township1.county)
        let page = try await SyncTrendTests.page(d, county.path)
        let expected = model.counts(in: county.villageCodes, w)
        for kind in SupervisionKind.allCases {
            #expect(Self.figure(kind, in: page) == expected[kind], "the county page's \(kind.rawValue) \(when)", sourceLocation: sourceLocation)
            for t in [Self.township1, Self.township2] {
                #expect(Self.cell(kind, row: t.description, in: page) == model.counts(in: OpsRegion.township(t).villageCodes, w)[kind],
                        "township \(t) \(kind.rawValue) on the county page \(when)", sourceLocation: sourceLocation)
            }
        }
        #expect(expected.overdue > 0 && expected.due > 0 && expected.investigated > 0 && expected.notice > 0 && expected.leads > 0,
                "every queue holds something to count: \(expected)", sourceLocation: sourceLocation)
    }

    static func figure(_ kind: SupervisionKind, in html: String) -> Int? {
        guard let start = html.range(of: "id=\"supervision-\(kind.rawValue)\"") else { return nil }
        let after = html[start.upperBound...]
        guard let b = after.range(of: "<b>") else { return nil }
        return Int(after[b.upperBound...].prefix { $0 != "<" }.replacingOccurrences(of: ",", with: ""))
    }

    static func cell(_ kind: SupervisionKind, row code: String, in html: String) -> Int? {
        guard let start = html.range(of: "id=\"supervision-\(code)\"") else { return nil }
        let row = html[start.upperBound...].prefix { $0 != "\n" }
        guard let cell = row.range(of: "data-kind=\"\(kind.rawValue)\">") else { return nil }
        return Int(row[cell.upperBound...].prefix { $0 != "<" }.replacingOccurrences(of: ",", with: ""))
    }
}
