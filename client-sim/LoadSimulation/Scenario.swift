import Foundation

/// A field-work situation to play against a server: what the devices do each simulated day,
/// how their networks behave, and for how long. Built in (`Scenario.builtIn`) and loadable from
/// JSON files such as those in `client-sim/scenarios/`.
public struct Scenario: Codable, Sendable, Hashable {
    /// What workers do; each names one of the bureau's field situations.
    public enum Behaviour: String, Codable, Sendable, Hashable, CaseIterable {
        /// 拉网式大排查: every household of every village visited within the scenario's days, with discovery leads.
        case screening
        /// The reviews due by cadence worked off, incomes changed with a review visit.
        case reviewSeason = "review-season"
        /// Assistants and their township reviewer change the same households' incomes offline; the reviewer resolves.
        case conflictStorm = "conflict-storm"
        /// Some devices stay offline for months of the scenario's days, keep working, then come back.
        case longOffline = "long-offline"
        /// Every device works offline, then all reconnect within a minute with a large outbox.
        case reconnectStorm = "reconnect-storm"
        /// Workers are reassigned between villages while devices work.
        case reassignment
    }

    public var name: String
    public var summary: String
    public var behaviour: Behaviour
    /// Simulated days; each day every online device works, then syncs.
    public var days: Int
    /// Devices per village (village assistants); one township reviewer device per township besides.
    public var assistantsPerVillage: Int
    /// Households per village kept from the generated county (fewer make a lighter run).
    public var householdsPerVillage: Int
    /// Local writes per assistant per day.
    public var writesPerDay: Int
    /// Share of devices on each network profile (`2g`, `3g`, `4g`); shares are normalized.
    public var networks: [String: Double]
    /// Chance a device is out of signal for a whole day.
    public var offlineDayChance: Double
    /// Chance a connection is cut mid-transfer (after the server committed, before the answer).
    public var cutChance: Double
    /// Share of the assistants' devices that go out of signal for good on the second day, after
    /// a last, partial sync: they hold unsynced work at the end, as phones in the field do, and
    /// take no part in the heal. The verification still checks everything they had acknowledged.
    public var strandedShare: Double
    /// Photos each review visit carries (taken with the visit, uploaded after the syncs that
    /// follow, through the same network); nil: none, as before attachments.
    public var photosPerVisit: ClosedRange<Int>?

    public init(name: String, summary: String, behaviour: Behaviour, days: Int, assistantsPerVillage: Int = 2,
                householdsPerVillage: Int = 40, writesPerDay: Int = 6, networks: [String: Double] = ["2g": 0.2, "3g": 0.5, "4g": 0.3],
                offlineDayChance: Double = 0.2, cutChance: Double = 0.03, strandedShare: Double = 0,
                photosPerVisit: ClosedRange<Int>? = nil) {
        self.name = name
        self.summary = summary
        self.behaviour = behaviour
        self.days = days
        self.assistantsPerVillage = assistantsPerVillage
        self.householdsPerVillage = householdsPerVillage
        self.writesPerDay = writesPerDay
        self.networks = networks
        self.offlineDayChance = offlineDayChance
        self.cutChance = cutChance
        self.strandedShare = strandedShare
        self.photosPerVisit = photosPerVisit
    }

    public static let builtIn: [Scenario] = [
        Scenario(name: "screening-campaign", summary: "拉网式大排查: every household of a township's villages visited within a week, with new discovery leads",
                 behaviour: .screening, days: 7, writesPerDay: 8),
        Scenario(name: "review-season", summary: "the reviews due by cadence worked off, incomes changed with a review visit",
                 behaviour: .reviewSeason, days: 5, writesPerDay: 6),
        Scenario(name: "review-season-photos", summary: "the review season with 1–3 photos per review visit, uploaded in chunks after each sync; a few phones go out of signal for good holding theirs",
                 behaviour: .reviewSeason, days: 5, writesPerDay: 6, strandedShare: 0.02, photosPerVisit: 1...3),
        Scenario(name: "conflict-storm", summary: "assistants and their township reviewer change the same households' incomes offline; the reviewer resolves every conflict",
                 behaviour: .conflictStorm, days: 3, writesPerDay: 4, offlineDayChance: 0.5),
        Scenario(name: "long-offline", summary: "a third of the devices stay offline for months, keep working, then come back",
                 behaviour: .longOffline, days: 12, writesPerDay: 3),
        Scenario(name: "reconnect-storm", summary: "every device works offline for days, then all reconnect within a minute with a large outbox",
                 behaviour: .reconnectStorm, days: 4, writesPerDay: 12, offlineDayChance: 0),
        Scenario(name: "reassignment", summary: "workers are reassigned between villages while their devices work",
                 behaviour: .reassignment, days: 5, writesPerDay: 4),
    ]

    /// A built-in scenario by name, or a JSON file by path.
    public static func named(_ nameOrPath: String) throws -> Scenario {
        if let s = builtIn.first(where: { $0.name == nameOrPath }) { return s }
        guard let data = FileManager.default.contents(atPath: nameOrPath) else {
            throw LoadError(.invalidRun, "no built-in scenario \"\(nameOrPath)\" and no file at that path; built in: \(builtIn.map(\.name).joined(separator: ", "))")
        }
        let scenario: Scenario
        do { scenario = try JSONDecoder().decode(Scenario.self, from: data) } catch {
            throw LoadError(.invalidRun, "\(nameOrPath) is not a scenario: \(error)")
        }
        try scenario.check()
        return scenario
    }

    public func check() throws {
        guard (1...400).contains(days) else { throw LoadError(.invalidRun, "days \(days) is outside 1…400") }
        guard (1...20).contains(assistantsPerVillage) else { throw LoadError(.invalidRun, "assistantsPerVillage \(assistantsPerVillage) is outside 1…20") }
        guard (1...400).contains(householdsPerVillage) else { throw LoadError(.invalidRun, "householdsPerVillage \(householdsPerVillage) is outside 1…400") }
        guard (0...200).contains(writesPerDay) else { throw LoadError(.invalidRun, "writesPerDay \(writesPerDay) is outside 0…200") }
        guard !networks.isEmpty, networks.keys.allSatisfy({ NetworkProfile.named[$0] != nil }), networks.values.allSatisfy({ $0 >= 0 }),
              networks.values.reduce(0, +) > 0 else {
            throw LoadError(.invalidRun, "networks must give non-negative shares of \(NetworkProfile.named.keys.sorted().joined(separator: ", "))")
        }
        guard (0...1).contains(offlineDayChance), (0...1).contains(cutChance), (0...1).contains(strandedShare) else {
            throw LoadError(.invalidRun, "chances and shares must lie in 0…1")
        }
        if let photos = photosPerVisit, !(0...PhotoEvidence.maxPerVisit).contains(photos.lowerBound) || photos.upperBound > PhotoEvidence.maxPerVisit {
            throw LoadError(.invalidRun, "photosPerVisit \(photos) is outside 0…\(PhotoEvidence.maxPerVisit)")
        }
    }
}

/// The one error of the load simulator: a stable code and a message that names the values
/// that caused it and says what to do.
public struct LoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A scenario, a plan or a run's settings out of their domain.
        case invalidRun = "invalid_run"
        /// A server did not start, or is not the fresh one a run needs.
        case server
        /// A device process or its files did not do what the run needs.
        case device
        /// The verification could not read the server's view.
        case verification
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
