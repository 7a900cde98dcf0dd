import AsyncHTTPClient
import FieldModel
import Foundation
import SyncClient
import SyncClientHTTP
import SyncCore
import SyncProtocol
import SyntheticData

/// A field device at the protocol level, its replica state in memory: the pull cursors, its
/// counter, the version of each household it may write (from the pages it pulled), each held
/// record's digest per village, and its own outbox. It builds real requests with the real codec
/// and sends them over real HTTP, so thousands fit in one process and the server, not the
/// devices, sets the pace.
///
/// It checks what it is served: every page's records go into its per-village digests, and the
/// server's digests that come with the last page must equal them. It keeps every counter the
/// server acknowledged, for the audit-log check at the end.
actor VirtualDevice {
    let deviceID: String
    let worker: Worker
    let replica: ReplicaID
    let transport: HTTPTransport
    /// The fleet's own connections to a plain-`http` server; nil: `transport` (AsyncHTTPClient).
    let connections: FleetConnections?
    private var counter: UInt64 = 0
    private var clock: HybridLogicalClock
    private var cursors: [VillageCode: UInt64] = [:]
    /// Each held record's digest (nil: deleted), and the villages' digests of what it holds.
    private var held: [RecordID: Digest128?] = [:]
    private var digests: [VillageCode: ScopeDigest] = [:]
    /// Households this device may write, with the version it last saw (its own writes included).
    private var households: [RecordID: (key: RecordKey, version: VersionVector)] = [:]
    private var householdOrder: [RecordID] = []
    private var outbox: [Change] = []
    private var generator: SeededGenerator
    /// Every counter the server acknowledged.
    private(set) var acknowledged: [UInt64] = []
    /// More of the scope waits on the server: the next exchange pulls on.
    private(set) var hasMore = true

    /// The village's devices split its households (as field workers do): this one writes those
    /// whose id falls to `slot` of `devicesPerVillage`, so two devices never race on one income.
    let slot: Int
    let devicesPerVillage: Int

    init(enrolment: DeviceEnrolment.Result, server: URL, client: HTTPClient, connections: FleetConnections?, slot: Int,
         devicesPerVillage: Int, seed: UInt64) {
        self.slot = slot
        self.devicesPerVillage = max(1, devicesPerVillage)
        deviceID = enrolment.identity.deviceID
        worker = enrolment.identity.worker
        replica = enrolment.identity.replica
        transport = HTTPTransport(server: server, token: enrolment.token, client: client)
        self.connections = connections
        generator = SeededGenerator(seed: seed)
        clock = HybridLogicalClock(wallClock: LoadClock.now)
    }

    /// What one exchange did.
    struct Outcome: Sendable {
        var pushed = 0
        var acked = 0
        var pulled = 0
        /// Village digests of the server compared with the device's.
        var digestsCompared = 0
        /// Rejections, transport failures and digest mismatches, each described.
        var errors: [String] = []
    }

    /// One exchange: writes `writes` scenario changes (a village assistant's income review and
    /// visit; nothing for a reviewer) unless it is still pulling its scope, sends the outbox and
    /// its cursors, and applies the answer.
    func exchange(writes: Int, pageLimit: Int = 500) async -> Outcome {
        if !hasMore && worker.role == .villageAssistant {
            for _ in 0..<writes { write() }
        }
        var outcome = Outcome()
        let request = SyncRequest(replica: replica, appVersion: "virtual-device", cursors: cursors, changes: outbox,
                                  health: DeviceHealth(outboxCount: outbox.count, localRecords: held.count), pageLimit: pageLimit,
                                  deviceTimeMilliseconds: LoadClock.now())
        outcome.pushed = outbox.count
        let response: SyncResponse
        do {
            let body = SyncCodec.encodeRequest(request)
            let answer = if let connections { try await connections.sync(body, token: transport.token) } else { try await transport.exchange(body) }
            response = try SyncCodec.decodeResponse(answer)
        } catch {
            outcome.errors.append("\(deviceID): \(error)")
            return outcome
        }
        apply(response, sent: request.changes, into: &outcome)
        return outcome
    }

    private func apply(_ response: SyncResponse, sent: [Change], into outcome: inout Outcome) {
        clock.observe(HLCTimestamp(milliseconds: response.serverTimeMilliseconds, logical: 0))
        let answered = Set(response.acked).union(response.rejections.map(\.counter))
        acknowledged += response.acked
        outcome.acked = response.acked.count
        for r in response.rejections { outcome.errors.append("\(deviceID): counter \(r.counter) rejected \(r.reason): \(r.message)") }
        outbox.removeAll { answered.contains($0.dot.counter) }
        for village in response.droppedVillages + response.rebootstrapVillages { forget(village) }
        for state in response.page { hold(state) }
        outcome.pulled = response.page.count
        for (village, position) in response.cursors { cursors[village] = position }
        hasMore = response.hasMore
        outcome.digestsCompared = response.digests.count
        for (village, digest) in response.digests where digests[village, default: ScopeDigest()] != digest {
            outcome.errors.append("\(deviceID): village \(village) holds digest \(digests[village, default: ScopeDigest()]), the server's is \(digest)")
        }
    }

    private func hold(_ state: RecordState) {
        let id = state.key.id
        let digest: Digest128? = state.isDeleted ? nil : state.digest
        digests[state.key.scope, default: ScopeDigest()].replace(held[id] ?? nil, with: digest)
        held[id] = digest
        clock.observe(state.lastModified)
        guard state.key.collection == .household, worker.role == .villageAssistant, worker.assignment.covers(state.key.scope),
              Int(id.bytes[15]) % devicesPerVillage == slot % devicesPerVillage else { return }
        if state.isDeleted {
            households[id] = nil
        } else {
            if households[id] == nil { householdOrder.append(id) }
            // Its own writes still in the outbox stay in the context it writes next.
            households[id] = (state.key, state.version.merging(households[id]?.version ?? VersionVector()))
        }
    }

    private func forget(_ village: VillageCode) {
        cursors[village] = nil
        digests[village] = nil
        let gone = Set(households.values.filter { $0.key.scope == village }.map(\.key.id))
        householdOrder.removeAll { gone.contains($0) }
        for id in gone { households[id] = nil }
    }

    /// A review: a new income for one of its households (against the version it holds) and a
    /// review visit recording it.
    private func write() {
        guard !householdOrder.isEmpty else { return }
        let id = householdOrder[Int.random(in: 0..<householdOrder.count, using: &generator)]
        guard let (key, version) = households[id] else { return }
        let income = Int64.random(in: 20_000...120_000, using: &generator)
        let set = next(key, .set(Household.Field.monthlyIncomeFen.id, .int(income)), context: version)
        households[id] = (key, version.merging(VersionVector([(replica, set.dot.counter)])))
        let visit = Visit(id: RecordID(milliseconds: LoadClock.now(), using: &generator), householdID: id, village: key.scope, kind: .annualReview,
                          worker: worker.id, date: LoadClock.today, monthlyIncomeFen: income, assetsFen: 0, livingCondition: .difficult,
                          recommendation: .maintain, notes: "定期复核入户")
        _ = next(RecordKey(.visit, visit.id, scope: key.scope), .create(visit.fieldValues), context: VersionVector())
    }

    private func next(_ key: RecordKey, _ operation: Change.Operation, context: VersionVector) -> Change {
        counter += 1
        let change = Change(dot: Dot(replica, counter), record: key, operation: operation, context: context, hlc: clock.now(), author: worker.id)
        outbox.append(change)
        return change
    }

    var pending: Int { outbox.count }
}
