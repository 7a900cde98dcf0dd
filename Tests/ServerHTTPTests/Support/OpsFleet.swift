import FieldModel
import Foundation
import ServerDirectory
import ServerOps
import SyncCore
import Testing

/// A fleet for the ops pages, written straight into a deployment's stores: a worker per
/// assignment, a device credential per device, and each device's last exchange as the sync
/// history records it. Enrolling thousands of phones through the API would only repeat what the
/// enrolment tests check; the pages read the same rows either way.
struct OpsFleet {
    struct Device {
        var id: String
        var name: String
        var worker: Worker
        /// Days since its last successful exchange; nil: it never synced.
        var lastSuccessDays: Double?
        var unsynced: Int = 0
        var oldestUnsyncedDays: Double?
    }

    var devices: [Device]
    var villages: [VillageCode]

    static let day = 86_400_000.0

    /// Registers the villages, workers and devices, and each device's last successful sync;
    /// with `historyEveryHours`, also a sync that often over the 14 days before it, so the
    /// trends have a history to draw (a stale phone's line stops where it fell silent).
    func seed(_ d: Deployment, historyEveryHours: Int? = nil) async throws {
        let now = d.clock.now
        try await d.store.registerVillages(villages)
        var workers: Set<WorkerID> = []
        for (n, device) in devices.enumerated() {
            if workers.insert(device.worker.id).inserted { try await d.store.insertWorker(device.worker, at: now) }
            try await d.store.insertCredential(Credential(id: device.id, kind: .device, worker: device.worker.id, replica: ReplicaID(UInt64(0x5000_0000 + n)),
                                                          name: device.name, tokenHash: TokenHash(of: Secrets.token()), issuedAtMilliseconds: now))
        }
        let step = historyEveryHours.map { Int64($0) * 3_600_000 }
        try await d.store.recordSyncs(devices.flatMap { device -> [SyncRecord] in
            guard let days = device.lastSuccessDays else { return [] }
            let last = now - Int64(days * Self.day)
            func record(_ at: Int64, health: SyncRecord.Health?) -> SyncRecord {
                SyncRecord(deviceID: device.id, worker: device.worker.id, atMilliseconds: at, durationMilliseconds: 1_200, pushed: 1, rejected: 0, pulled: 2,
                           bytesIn: 300, bytesOut: 900, result: "ok", reason: nil, health: health, overBudget: false, regions: device.worker.assignment.trendRegions)
            }
            let earlier = step.map { step in stride(from: last - Int64(14 * Self.day), to: last, by: Int(step)).map { record($0, health: nil) } } ?? []
            let health = SyncRecord.Health(outboxCount: device.unsynced, oldestUnsyncedMilliseconds: device.oldestUnsyncedDays.map { now - Int64($0 * Self.day) },
                                           localRecords: 10, freeStorageBytes: nil, appVersion: "1.4.0", schemaVersion: 1)
            return earlier + [record(last, health: health)]
        })
    }

    /// The places a device's worker is assigned, as codes.
    static func codes(_ a: Assignment) -> [String] {
        a.villages.map(\.description) + a.townships.map(\.description) + a.counties.map(\.description) + a.cities.map(\.description)
    }

    /// The devices a place counts, by the rule the page states: a worker assigned the place or a place inside it.
    func devices(in code: String) -> [Device] {
        devices.filter { d in Self.codes(d.worker.assignment).contains { $0.hasPrefix(code) } }
    }

    /// The figures a place's summary must show, computed from the fleet alone.
    func expected(_ code: String) -> [String: String] {
        let mine = devices(in: code)
        let unsyncedAlerts = mine.filter { $0.unsynced > 0 && ($0.oldestUnsyncedDays ?? 0) >= 3 }.count
        // A village whose covering devices (assigned it, its township or its county) last synced 7 days ago or never.
        let silent = villages.filter { $0.description.hasPrefix(code) }.filter { v in
            let covering = devices.filter { d in Self.codes(d.worker.assignment).contains { v.description.hasPrefix($0) } }
            let freshest = covering.compactMap(\.lastSuccessDays).min() ?? .infinity
            return !covering.isEmpty && freshest >= 7
        }.count
        return [
            "devices": OpsFleet.grouped(mine.count),
            "active": OpsFleet.grouped(mine.filter { ($0.lastSuccessDays ?? .infinity) < 3 }.count),
            "stale": OpsFleet.grouped(mine.filter { ($0.lastSuccessDays ?? .infinity) >= 7 }.count),
            "unsynced": OpsFleet.grouped(mine.map(\.unsynced).reduce(0, +)),
            "alerts": OpsFleet.grouped(unsyncedAlerts + silent),
        ]
    }

    /// `5,000`: how the pages write counts.
    static func grouped(_ n: Int) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.groupingSeparator = ","
        f.usesGroupingSeparator = true
        return f.string(from: NSNumber(value: n))!
    }
}

/// An ops officer's browser: logs in with the administrator token, keeps the session cookie and
/// reads pages as HTML.
struct OpsBrowser {
    let deployment: Deployment
    let cookie: String

    static func login(_ d: Deployment) async throws -> OpsBrowser {
        let login = try await d.raw("POST", "/ops/login", token: nil, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                    body: Array("token=\(d.adminToken)".utf8))
        let cookie = try #require(login.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        return OpsBrowser(deployment: d, cookie: cookie)
    }

    struct Page {
        let status: Int
        let html: String
        let bytes: Int
        let milliseconds: Double
    }

    func get(_ path: String) async throws -> Page {
        let start = ContinuousClock.now
        let answer = try await deployment.raw("GET", path, token: nil, headers: ["Cookie": cookie])
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return Page(status: answer.status, html: String(decoding: answer.body, as: UTF8.self), bytes: answer.body.count, milliseconds: ms)
    }

    /// The links of `html` whose target starts with `prefix`, in order, each once; `&amp;` read as `&`.
    static func links(_ html: String, _ prefix: String) -> [String] {
        var seen: [String] = []
        for match in html.matches(of: /href="([^"]*)"/) {
            let href = String(match.1).replacingOccurrences(of: "&amp;", with: "&")
            if href.hasPrefix(prefix), !seen.contains(href) { seen.append(href) }
        }
        return seen
    }

    /// The value a summary cell shows (`figure-devices` …).
    static func figure(_ key: String, _ html: String) -> String? {
        html.firstMatch(of: try! Regex(#"id="figure-\#(key)"[^>]*><b>([^<]*)</b>"#)).map { String($0.output[1].substring!) }
    }

    /// The device ids of the rows of `html`, with their colour.
    static func deviceRows(_ html: String) -> [(id: String, signal: String)] {
        html.matches(of: /<tr class="device" id="device-([^"]+)" data-signal="([a-z]+)">/).map { (String($0.1), String($0.2)) }
    }
}
