import FieldModel
import Foundation
import LoadSimulation
import Replica
import ServerHTTP
import SyncCore
import SyncProtocol
import TestSupport

/// One scripted day of three real `doorstep-device` processes — two village assistants and
/// their township reviewer — against a real server, each device's clock set by libfaketime
/// (`faketime -f +365d`), or left correct. Played twice, once skewed and once correct, the two
/// outcomes must be identical.
///
/// What "identical" compares, and why: everything a worker or a reviewer can see, and nothing
/// that is by nature new in each run. Per household (keyed by the head's ID number, since
/// record ids are drawn afresh each run): every field's value as shown, the set of concurrent
/// values of every conflicted field (the reviewer must see the same income figures), whether it
/// waits for review; and per device, the rejections it shows and what it still holds unsynced.
/// Not compared: record ids, dots and replica ids (random per run), HLC readings (real time,
/// different each run — they only break ties, and which write wins a tie is compared through
/// the values shown).
struct SkewScript {
    /// A device's clock for `faketime -f`, or nil for the correct clock.
    let clocks: [String: String?]
    /// A clock a device jumps to for one write after it has synced (a phone set by hand), if any.
    var jump: (device: String, clock: String)? = nil
    let directory: String

    struct Outcome: Equatable, CustomStringConvertible {
        var households: [String: [String: String]] = [:]
        var rejections: [String: [String]] = [:]
        var unsynced: [String: Int] = [:]
        /// Server time minus each device's clock, rounded to days (not compared: the point of the run).
        var offsetDays: [String: Int] = [:]

        static func == (a: Outcome, b: Outcome) -> Bool {
            a.households == b.households && a.rejections == b.rejections && a.unsynced == b.unsynced
        }

        var description: String {
            households.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))" }
                .joined(separator: "\n") + "\nrejections \(rejections) unsynced \(unsynced)"
        }
    }

    static let heads = ["a": "140821196503121239", "b": "140821197008151232"]

    func play() async throws -> Outcome {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = try await FaultServer.start(in: directory)
        defer { server.process.stop() }
        let village = FaultServer.village
        for (name, role) in [("a", Role.villageAssistant), ("b", .villageAssistant)] {
            _ = try await server.admin.createWorker(WorkerDocument(id: "skew.\(name)", name: "协理员", role: role.rawValue, villages: [village.description]))
        }
        _ = try await server.admin.createWorker(WorkerDocument(id: "skew.r", name: "审核员", role: Role.townshipReviewer.rawValue,
                                                               townships: [village.township.description]))
        for name in ["a", "b", "r"] {
            let code = try await server.admin.issueCode(worker: "skew.\(name)").code
            try await device(name, ["enrol", "--server", server.process.url.absoluteString, "--code", code, "--name", "phone \(name)"])
        }
        // Recorded offline right after enrolment, before any sync.
        try await device("a", ["add-household", "--head-name", "王建国", "--head-id", Self.heads["a"]!, "--address", "三组12号", "--income", "300"])
        try await device("b", ["add-household", "--head-name", "李秀英", "--head-id", Self.heads["b"]!, "--address", "五组3号", "--income", "400"])
        for name in ["a", "b", "r", "a"] { try await device(name, ["sync"]) }
        let ha = try householdID(on: "a", head: Self.heads["a"]!), hb = try householdID(on: "a", head: Self.heads["b"]!)
        // Concurrent: a and b change b's household without seeing each other's change.
        try await device("a", ["update-household", "--household", hb, "--income", "450", "--phone", "13800000001"])
        try await device("b", ["update-household", "--household", hb, "--income", "480", "--phone", "13800000002"])
        // The reviewer and a change a's household, different fields, concurrently.
        try await device("r", ["update-household", "--household", ha, "--income", "320", "--notes", "乡镇复核"])
        try await device("a", ["update-household", "--household", ha, "--phone", "13900000003"])
        for name in ["a", "b", "r"] { try await device(name, ["sync"]) }
        // Causally after: b has seen a's phone for its household and changes it again.
        try await device("b", ["update-household", "--household", ha, "--phone", "13900000004"])
        for name in ["b", "a", "r"] { try await device(name, ["sync"]) }
        // a's clock jumps ahead for one write, and is right again for the next, all before a sync:
        // the server refuses both as stamped in the future, and the device re-stamps and re-sends them.
        try await device("a", ["update-household", "--household", hb, "--notes", "钟表拨快了"], clock: jump.flatMap { $0.device == "a" ? $0.clock : nil })
        try await device("a", ["update-household", "--household", ha, "--income", "330"])
        for name in ["a", "b", "r", "a", "b", "r"] { try await device(name, ["sync"]) }
        return try outcome()
    }

    /// Runs `doorstep-device` for device `name`, under its clock; a failure stops the script.
    @discardableResult
    func device(_ name: String, _ arguments: [String], clock jumped: String? = nil) async throws -> String {
        let executable = binaries.appendingPathComponent("doorstep-device").path
        let all = arguments + ["--dir", "\(directory)/\(name)"]
        let run = if let clock = jumped ?? clocks[name] ?? nil {
            try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/faketime"), ["-f", clock, executable] + all,
                                       environment: ["FAKETIME_DONT_FAKE_MONOTONIC": "1"])
        } else {
            try await ChildProcess.run(URL(fileURLWithPath: executable), all)
        }
        guard run.status == 0 else { throw TestFailure("doorstep-device \(arguments.joined(separator: " ")) on \(name) failed (\(run.status)): \(run.output)") }
        return run.output
    }

    func replica(_ name: String) throws -> Replica {
        try Replica(existingAt: "\(directory)/\(name)/replica.sqlite", wallClock: FaultDevice.clock)
    }

    func householdID(on name: String, head: String) throws -> String {
        let replica = try replica(name)
        defer { try? replica.close() }
        guard let h = try replica.households(in: FaultServer.village).first(where: { $0.headIDNumber.rawValue == head }) else {
            throw TestFailure("device \(name) holds no household of head \(head)")
        }
        return h.id.description
    }

    /// What the reviewer's device shows of every household, and what each device still holds.
    func outcome() throws -> Outcome {
        var outcome = Outcome()
        let reviewer = try replica("r")
        defer { try? reviewer.close() }
        for state in try reviewer.viewStates(in: FaultServer.village) where state.key.collection == .household {
            var fields: [String: String] = [:]
            for spec in state.schema.fields {
                let siblings = state.fields[spec.id]?.siblings ?? []
                fields[spec.name] = siblings.count > 1
                    ? "conflict of " + siblings.map { "\($0.value)" }.sorted().joined(separator: " | ")
                    : "\(state.value(spec.id))"
            }
            fields["needsReview"] = "\(state.needsReview)"
            outcome.households[state.value(Schema.household.id("headIDNumber")).textValue ?? "?"] = fields
        }
        for name in ["a", "b", "r"] {
            let device = try replica(name)
            defer { try? device.close() }
            outcome.rejections[name] = try device.outboxSummary().rejected.map { "\($0.change.record.collection.name) \($0.reason)" }.sorted()
            outcome.unsynced[name] = try device.pendingChanges().count
            outcome.offsetDays[name] = Int((Double(try device.clockOffsetMilliseconds()) / 86_400_000).rounded())
        }
        return outcome
    }
}
