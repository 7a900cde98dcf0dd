import Foundation

/// A run's figures, as a table for the terminal and as JSON (`--report FILE`).
public struct LoadReport: Sendable, Codable {
    public var scenario: String
    public var devices: Int
    public var servers: Int
    public var days: Int
    public var seed: UInt64
    public var syncs = 0
    public var failedSyncs = 0
    public var failuresByCode: [String: Int] = [:]
    /// Exchanges that found their server down and were carried by another one.
    public var failovers = 0
    public var changesPushed = 0
    public var changesAcknowledged = 0
    public var recordsPulled = 0
    public var bytesUp = 0
    public var bytesDown = 0
    public var bytesPerDevice = 0
    public var refusedLocalWrites = 0
    public var rejectionsByReason: [String: Int] = [:]
    public var conflictsOpened = 0
    public var conflictsResolved = 0
    public var latencyMilliseconds: Percentiles
    public var scenarioSeconds: Double
    public var convergenceSeconds: Double
    public var healRounds: Int
    public var totalSeconds: Double
    public var scopeWarnings: [String] = []
    public var verification: VerificationResult
    /// The photos' figures; nil for a scenario without photos.
    public var evidence: EvidenceReport?
    /// client-sim's own peak resident memory (VmHWM), the embedded server's included.
    public var clientPeakResidentBytes: Int?

    public struct Percentiles: Sendable, Codable {
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var max: Double

        public init(p50: Double, p95: Double, p99: Double, max: Double) {
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
            self.max = max
        }

        /// The percentiles of `values` (milliseconds), through an HDR histogram.
        public init(_ values: [Double]) {
            var histogram = LatencyHistogram()
            for v in values { histogram.record(milliseconds: v) }
            self = histogram.percentiles
        }
    }

    init(configuration: LoadRunConfiguration, devices: [LoadDevice], tally: ConflictTally, scenarioSeconds: Double,
         convergenceSeconds: Double, healRounds: Int, totalSeconds: Double, verification: VerificationResult,
         evidence: EvidenceReport? = nil) async {
        scenario = configuration.scenario.name
        self.devices = devices.count
        servers = max(1, configuration.servers.count)
        days = configuration.scenario.days
        seed = configuration.seed
        var latencies = LatencyHistogram()
        var warnings = Set<String>()
        for device in devices {
            let s = await device.stats
            syncs += s.syncs
            failedSyncs += s.failedSyncs
            for (k, v) in s.failures { failuresByCode[k, default: 0] += v }
            failovers += s.failovers
            changesPushed += s.pushed
            changesAcknowledged += s.acked
            recordsPulled += s.pulled
            bytesUp += s.bytesUp
            bytesDown += s.bytesDown
            refusedLocalWrites += s.refusedWrites
            latencies.add(s.latencies)
            warnings.formUnion(s.warnings)
            for (k, v) in (try? await device.rejectionsByReason()) ?? [:] { rejectionsByReason[k, default: 0] += v }
        }
        bytesPerDevice = devices.isEmpty ? 0 : (bytesUp + bytesDown) / devices.count
        conflictsOpened = tally.opened.count
        conflictsResolved = tally.resolved
        latencyMilliseconds = latencies.percentiles
        self.scenarioSeconds = scenarioSeconds
        self.convergenceSeconds = convergenceSeconds
        self.healRounds = healRounds
        self.totalSeconds = totalSeconds
        scopeWarnings = warnings.sorted()
        self.verification = verification
        self.evidence = evidence
        clientPeakResidentBytes = ProcessStatus.kilobytes("VmHWM:").map { $0 * 1024 }
    }

    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// The photos' rows of the table, none without photos.
    var photoRows: [(String, String)] {
        guard let evidence else { return [] }
        let onPhones: String = verification.photosOnPhones.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return evidence.rows + [("photos on phones, by device", onPhones.isEmpty ? "none" : onPhones)]
    }

    var photosVerified: String {
        evidence == nil ? "" : ", \(verification.photosVerified.formatted(.number.grouping(.automatic))) uploaded photos served byte for byte"
    }

    public var table: String {
        func n(_ v: Int) -> String { v.formatted(.number.grouping(.automatic)) }
        func s(_ v: Double) -> String { String(format: "%.1f", v) }
        let rows: [(String, String)] = [
            ("scenario", "\(scenario) (\(days) days, seed \(seed))"),
            ("devices / servers", "\(n(devices)) / \(servers)"),
            ("syncs (failed)", "\(n(syncs)) (\(n(failedSyncs))\(failuresByCode.isEmpty ? "" : ": " + failuresByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))"),
            ("exchanges failed over to another server", n(failovers)),
            ("changes pushed / acknowledged", "\(n(changesPushed)) / \(n(changesAcknowledged))"),
            ("records pulled", n(recordsPulled)),
            ("bytes up / down", "\(n(bytesUp)) / \(n(bytesDown))"),
            ("bytes per device", n(bytesPerDevice)),
            ("local writes refused by policy", n(refusedLocalWrites)),
            ("rejections by reason", rejectionsByReason.isEmpty ? "none" : rejectionsByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            ("conflicts opened / resolved", "\(n(conflictsOpened)) / \(n(conflictsResolved))"),
            ("sync latency p50 / p95 / p99 / max", "\(s(latencyMilliseconds.p50)) / \(s(latencyMilliseconds.p95)) / \(s(latencyMilliseconds.p99)) / \(s(latencyMilliseconds.max)) ms"),
            ("scenario / convergence / total", "\(s(scenarioSeconds)) s / \(s(convergenceSeconds)) s (\(healRounds) rounds) / \(s(totalSeconds)) s"),
            ("scope warnings", scopeWarnings.isEmpty ? "none" : scopeWarnings.joined(separator: ", ")),
            ("stranded devices", verification.strandedDevices.isEmpty ? "none"
                : "\(verification.strandedDevices.count), holding \(n(verification.strandedChanges)) unsynced changes"),
        ] + photoRows + [
            ("client-sim peak RSS", clientPeakResidentBytes.map { "\(n($0 >> 20)) MB" } ?? "unknown"),
            ("verification", verification.passed
                ? "passed: \(n(verification.acknowledgedWrites)) acknowledged writes on the server once each, \(n(verification.villagesCompared)) village replicas equal" + photosVerified
                : "FAILED: \(verification.failureCount) problems"),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        var out = rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        out += verification.failures.map { "  ✗ " + $0 }
        return out.joined(separator: "\n")
    }
}
