import FieldModel
import Foundation
import ServerEngine
import ServerHTTP
import SyncCore
import SyncProtocol
import Testing

/// The object-level authorization matrix (OWASP API1, broken object-level authorization): every
/// caller of a fixture of workers across villages, townships and roles, against every record
/// outside their scope, with every verb, on every endpoint that reaches a record; and what each
/// caller pulls and lists holds no record outside their scope.
@Suite("Object-level authorization: no caller reaches a record outside their scope")
struct AuthorizationMatrixTests {
    /// The verbs a sync batch carries against a record.
    enum Verb: String, CaseIterable { case create, set, transition, delete }

    struct Caller {
        let name: String
        let worker: Worker
        let device: FieldDevice
    }

    @Test func everyCallerIsRefusedEveryVerbOnEveryRecordOutsideTheirScope() async throws {
        try await Deployment.with(limits: HostileAPITests.limits) { d in
            let villages = ScopeFixture.codes
            let records = villages.flatMap(ScopeFixture.records(in:))
            try await d.seed(records, villages: villages)
            let county = villages[0].county
            let otherCounty = CountyCode(uncheckedRawValue: county.rawValue == 140_822 ? 140_823 : 140_822)
            let workers: [(String, Worker)] = [
                ("assistant of village 1", ScopeFixture.assistant(villages[0])),
                ("assistant of village 2", ScopeFixture.assistant(villages[1])),
                ("reviewer of township 1", ScopeFixture.reviewer(villages[0].township)),
                ("reviewer of township 2", ScopeFixture.reviewer(villages[2].township)),
                ("confirmer of the county", Worker(id: WorkerID(unchecked: "cc-\(county)"), name: "确认员", role: .countyConfirmer,
                                                   assignment: Assignment(counties: [county]))),
                ("confirmer of another county", Worker(id: WorkerID(unchecked: "cc-\(otherCounty)"), name: "确认员", role: .countyConfirmer,
                                                       assignment: Assignment(counties: [otherCounty]))),
                ("city supervisor", Worker(id: WorkerID(unchecked: "cs-\(county.city)"), name: "督导", role: .citySupervisor,
                                           assignment: Assignment(cities: [county.city]))),
            ]
            var callers: [Caller] = []
            for (n, (name, worker)) in workers.enumerated() {
                callers.append(Caller(name: name, worker: worker, device: try await d.enrol(worker, replica: 0xC0 + UInt64(n))))
            }
            let revoked = try await d.enrol(ScopeFixture.assistant(villages[0], 2), replica: 0xCF)
            _ = try await d.admin.revokeDevice(revoked.deviceID)
            try await makeConflicts(d, in: villages)
            let stored = try await storedRecords(d, records)

            let before = try await d.store.stateHash(leavingOut: HostileAPITests.rejectionTables)
            var attempts = 0, refusedAttempts = 0
            for caller in callers {
                let jurisdiction = Jurisdiction(caller.worker)
                let outside = stored.filter { !jurisdiction.canWrite($0.key.scope) }
                // Every verb on every outside record, in one batch: each change refused on its own.
                var counter = try caller.device.replica.lastCounter()
                var changes: [Change] = []
                for state in outside {
                    for verb in Verb.allCases {
                        counter += 1
                        changes.append(Self.change(verb, on: state, dot: Dot(caller.device.identity.replica, counter), by: caller.worker, now: d.clock.now))
                    }
                }
                if !changes.isEmpty {
                    let request = SyncRequest(replica: caller.device.identity.replica, appVersion: "matrix", cursors: [:], changes: changes,
                                              health: DeviceHealth(), pageLimit: 1, deviceTimeMilliseconds: d.clock.now)
                    let response = try SyncCodec.decodeResponse(try await caller.device.transport.exchange(SyncCodec.encodeRequest(request)))
                    attempts += changes.count
                    refusedAttempts += response.rejections.filter { $0.reason == "outside_scope" }.count
                    #expect(response.acked.isEmpty, "\(caller.name): \(response.acked.count) out-of-scope changes acknowledged")
                    #expect(response.rejections.count == changes.count && response.rejections.allSatisfy { $0.reason == "outside_scope" },
                            "\(caller.name): \(Set(response.rejections.map(\.reason)))")
                }
                // The reviewer's endpoint, on every outside record.
                for state in outside {
                    let answer = try await d.raw("POST", "/v1/conflicts/resolve", token: caller.device.token, headers: ["Content-Type": "application/json"],
                                                 body: Self.resolution(of: state))
                    attempts += 1
                    let ok = answer.status == 403 && answer.error?.code == "outside_scope"
                    if ok { refusedAttempts += 1 }
                    #expect(ok, "\(caller.name) resolving \(state.key): \(answer.status) \(answer.text)")
                }
                // Administrator and ops endpoints are closed to every field worker.
                for endpoint in HostileAPICatalogue.endpoints where !HostileAPICatalogue.fieldEndpoints.contains(endpoint.path) {
                    let answer = try await d.raw(endpoint.method, endpoint.path, token: caller.device.token, headers: ["Content-Type": "application/json"],
                                                 body: endpoint.method == "GET" ? nil : Array("{}".utf8))
                    attempts += 1
                    let ok = answer.status == 403 && answer.error?.code == "forbidden"
                    if ok { refusedAttempts += 1 }
                    #expect(ok, "\(caller.name) \(endpoint.method) \(endpoint.path): \(answer.status)")
                }
            }
            // The administrator writes no household data; a revoked device reaches nothing.
            for (name, token, status, code) in [("administrator", d.adminToken, 403, "forbidden"), ("revoked device", revoked.token, 401, "revoked")] {
                for state in stored {
                    let answer = try await d.raw("POST", "/v1/conflicts/resolve", token: token, headers: ["Content-Type": "application/json"],
                                                 body: Self.resolution(of: state))
                    attempts += 1
                    if answer.status == status && answer.error?.code == code { refusedAttempts += 1 } else {
                        Issue.record("\(name) resolving \(state.key): \(answer.status) \(answer.text)")
                    }
                }
                let changes = stored.enumerated().map { n, state in
                    Self.change(.set, on: state, dot: Dot(revoked.identity.replica, UInt64(n + 1)), by: revoked.identity.worker, now: d.clock.now)
                }
                let body = SyncCodec.encodeRequest(SyncRequest(replica: revoked.identity.replica, appVersion: "matrix", cursors: [:], changes: changes,
                                                               health: DeviceHealth(), pageLimit: 1, deviceTimeMilliseconds: d.clock.now))
                let sync = try await d.raw("POST", HTTPAPI.syncPath, token: token, headers: ["Content-Encoding": "deflate"], body: body)
                let syncCode = name == "administrator" ? "not_a_device" : code
                #expect(sync.status == status && sync.error?.code == syncCode, "\(name) sync: \(sync.status) \(sync.text)")
                let list = try await d.raw("GET", "/v1/conflicts", token: token)
                #expect(list.status == status && list.error?.code == code, "\(name) conflicts: \(list.status)")
                attempts += changes.count + 2
                if sync.status == status { refusedAttempts += changes.count + 1 }
                if list.status == status { refusedAttempts += 1 }
            }
            #expect(try await d.store.stateHash(leavingOut: HostileAPITests.rejectionTables) == before, "a refused request changed a record")
            #expect(attempts == refusedAttempts, "\(attempts - refusedAttempts) of \(attempts) attempts were not refused as they should be")
            #expect(attempts > 1_000, "the matrix holds \(attempts) attempts")
            print("authorization matrix: \(callers.count + 2) callers, \(stored.count) records, \(attempts) attempts, all refused")

            // What every caller pulls and lists holds exactly the records in their scope.
            for caller in callers {
                try await expectPullAndConflictsHoldOnlyTheScope(d, caller, stored: stored)
            }
        }
    }

    /// A full pull from position 0 that names every village of the fixture (a device asking for
    /// more than its scope), page by page; then the reviewer's conflict list.
    func expectPullAndConflictsHoldOnlyTheScope(_ d: Deployment, _ caller: Caller, stored: [RecordState]) async throws {
        let jurisdiction = Jurisdiction(caller.worker)
        let visible = Set(stored.filter { jurisdiction.canSee($0.key.scope) }.map(\.key.id))
        var cursors = Dictionary(uniqueKeysWithValues: ScopeFixture.codes.map { ($0, UInt64(0)) })
        var pulled = Set<RecordID>()
        for _ in 0..<200 {
            let request = SyncRequest(replica: caller.device.identity.replica, appVersion: "matrix", cursors: cursors, changes: [],
                                      health: DeviceHealth(), pageLimit: 7, deviceTimeMilliseconds: d.clock.now)
            let response = try SyncCodec.decodeResponse(try await caller.device.transport.exchange(SyncCodec.encodeRequest(request)))
            for state in response.page {
                #expect(jurisdiction.canSee(state.key.scope), "\(caller.name) pulled \(state.key), outside their scope")
                pulled.insert(state.key.id)
            }
            #expect(Set(response.droppedVillages) == Set(cursors.keys.filter { !jurisdiction.canSee($0) }), "\(caller.name) dropped \(response.droppedVillages)")
            #expect(response.digests.keys.allSatisfy(jurisdiction.canSee), "\(caller.name) got digests of \(response.digests.keys)")
            cursors = response.cursors
            if !response.hasMore { break }
        }
        #expect(pulled == visible, "\(caller.name) pulled \(pulled.count) records; \(visible.count) are in scope")
        let list = try await d.raw("GET", "/v1/conflicts", token: caller.device.token)
        let conflicts = try JSONDecoder().decode(ConflictListDocument.self, from: Data(list.body)).conflicts
        let expected = ScopeFixture.codes.filter(jurisdiction.canSee).map(\.description)
        #expect(conflicts.map(\.village).sorted() == expected.sorted(), "\(caller.name) lists conflicts of \(conflicts.map(\.village))")
    }

    /// Two concurrent incomes on the first household of every village, so every village has a conflict to list.
    func makeConflicts(_ d: Deployment, in villages: [VillageCode]) async throws {
        let confirmer = Worker(id: WorkerID(unchecked: "cc-setup"), name: "确认员", role: .countyConfirmer, assignment: Assignment(counties: [villages[0].county]))
        let keys = villages.map { RecordKey(.household, ScopeFixture.village($0).households[0].id, scope: $0) }
        var versions: [VersionVector] = []
        for key in keys { versions.append(try #require(try await d.store.record(key)).version) }
        for (n, replica) in [ReplicaID(0xE1), ReplicaID(0xE2)].enumerated() {
            let device = DeviceContext(worker: confirmer, deviceID: "setup-\(n)", replica: replica)
            var changes: [Change] = []
            // Both devices write from the same versions: neither saw the other's income.
            for (i, (key, version)) in zip(keys, versions).enumerated() {
                changes.append(Change(dot: Dot(replica, UInt64(i + 1)), record: key, operation: .set(Schema.household.id("monthlyIncomeFen"), .int(Int64(30_000 + n))),
                                      context: version, hlc: HLCTimestamp(milliseconds: d.clock.now, logical: UInt16(n)), author: confirmer.id))
            }
            let request = SyncRequest(replica: replica, appVersion: "setup", cursors: [:], changes: changes, health: DeviceHealth(), pageLimit: 1,
                                      deviceTimeMilliseconds: d.clock.now)
            let response = try await d.engine.sync(request, device: device, now: d.clock.now)
            #expect(response.rejections.isEmpty, "\(response.rejections)")
        }
    }

    func storedRecords(_ d: Deployment, _ records: [ImportRecord]) async throws -> [RecordState] {
        var out: [RecordState] = []
        for record in records { out.append(try #require(try await d.store.record(record.key))) }
        return out
    }

    /// A change of `verb` against `state` as an honest-looking device would send it.
    static func change(_ verb: Verb, on state: RecordState, dot: Dot, by worker: Worker, now: Int64) -> Change {
        let schema = state.key.collection.schema
        let field = schema.fields.first { $0.merge == .review || $0.merge == .lww } ?? schema.fields[0]
        let operation: Change.Operation
        var key = state.key
        switch verb {
        case .create:
            key = RecordKey(state.key.collection, RecordID(high: dot.counter | 0x0193_0000_0000_0000, low: 0x8000_0000_0000_0000 | dot.replica.rawValue), scope: state.key.scope)
            operation = .create(Dictionary(uniqueKeysWithValues: schema.fields.map { ($0.id, state.value($0.id)) }))
        case .set:
            operation = .set(field.id, state.value(field.id))
        case .transition:
            let status = schema.fields.first { $0.merge == .workflow } ?? field
            operation = .transition(status.id, from: state.value(status.id), to: .text(WorkflowStatus.exited.rawValue))
        case .delete:
            operation = .delete
        }
        return Change(dot: dot, record: key, operation: operation, context: verb == .create ? VersionVector() : state.version,
                      hlc: HLCTimestamp(milliseconds: now, logical: 0), author: worker.id)
    }

    /// A resolution document for `state`'s first review field (or its first field), keeping its value.
    static func resolution(of state: RecordState) -> [UInt8] {
        let schema = state.key.collection.schema
        let field = schema.fields.first { $0.merge == .review } ?? schema.fields[0]
        let document = ResolutionDocument(collection: state.key.collection.name, id: state.key.id.description, village: state.key.scope.description,
                                          field: field.name, value: FieldValueJSON(state.value(field.id)))
        return Array(try! JSONEncoder().encode(document))
    }
}
