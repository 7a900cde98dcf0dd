import AsyncHTTPClient
import Foundation

/// A run's photo figures (scenarios with `photosPerVisit`): what the phones took, sent and still
/// hold, how long a file took to upload over each network (modelled time), and what the server
/// keeps on disk for them.
public struct EvidenceReport: Sendable, Codable {
    public var captured = 0
    /// Files the server said it held whole, after which the device let them go.
    public var uploaded = 0
    /// Files still queued on the phones at the end (stranded devices', refused records').
    public var onPhones = 0
    public var capturedBytes: Int64 = 0
    /// Photo bytes taken per device (every device of the run, reviewers included), mean and max.
    public var capturedBytesPerDevice: Int64 = 0
    public var capturedBytesPerDeviceMax: Int64 = 0
    /// Chunk bytes the server took per device, resent ones included, mean and max.
    public var sentBytesPerDevice: Int64 = 0
    public var sentBytesPerDeviceMax: Int64 = 0
    public var uploadRounds = 0
    /// Rounds a lost request or a cut connection ended; the next round resumed.
    public var interruptedRounds = 0
    public var failuresByCode: [String: Int] = [:]
    /// Per network profile: modelled time from a file's first upload request to the answer that
    /// the server holds it, across rounds.
    public var uploadMilliseconds: [String: LoadReport.Percentiles] = [:]
    /// `doorstep_attachment_bytes` of the first server's `/metrics`: the files it keeps.
    public var serverAttachmentBytes: Int64?

    init(devices: [LoadDevice], server: URL, http: HTTPClient) async {
        var times: [String: LatencyHistogram] = [:]
        for device in devices {
            let stats = await device.evidence
            captured += stats.captured.count
            uploaded += stats.completed
            onPhones += (try? await device.photosOnPhone().count) ?? 0
            capturedBytes += stats.capturedBytes
            capturedBytesPerDeviceMax = max(capturedBytesPerDeviceMax, stats.capturedBytes)
            sentBytesPerDevice += stats.bytesSent
            sentBytesPerDeviceMax = max(sentBytesPerDeviceMax, stats.bytesSent)
            uploadRounds += stats.rounds
            interruptedRounds += stats.interruptedRounds
            for (code, n) in stats.failures { failuresByCode[code, default: 0] += n }
            times[device.profile.name, default: LatencyHistogram()].add(stats.uploadTimes)
        }
        let count = Int64(max(1, devices.count))
        capturedBytesPerDevice = capturedBytes / count
        sentBytesPerDevice /= count
        uploadMilliseconds = times.filter { $0.value.count > 0 }.mapValues(\.percentiles)
        serverAttachmentBytes = await Self.metric("doorstep_attachment_bytes", of: server, http: http).map { Int64($0) }
    }

    /// A gauge of the server's `/metrics` (no token: it holds no personal data); nil when unread.
    static func metric(_ name: String, of server: URL, http: HTTPClient) async -> Double? {
        let request = HTTPClientRequest(url: server.appendingPathComponent("/metrics").absoluteString)
        guard let response = try? await http.execute(request, timeout: .seconds(30)), response.status == .ok,
              let body = try? await response.body.collect(upTo: 8 << 20) else { return nil }
        let line = String(buffer: body).split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// The table's rows.
    var rows: [(String, String)] {
        func n<T: BinaryInteger>(_ v: T) -> String { Int64(v).formatted(.number.grouping(.automatic)) }
        func s(_ ms: Double) -> String { String(format: "%.1f", ms / 1000) }
        let times = uploadMilliseconds.sorted { $0.key < $1.key }.map { "\($0.key) \(s($0.value.p50)) / \(s($0.value.p99)) s" }
        return [
            ("photos taken / uploaded / on phones", "\(n(captured)) / \(n(uploaded)) / \(n(onPhones))"),
            ("photo bytes taken per device (mean / max)", "\(n(capturedBytesPerDevice)) / \(n(capturedBytesPerDeviceMax))"),
            ("photo bytes sent per device (mean / max)", "\(n(sentBytesPerDevice)) / \(n(sentBytesPerDeviceMax))"),
            ("upload rounds (interrupted)", "\(n(uploadRounds)) (\(n(interruptedRounds)))"
                + (failuresByCode.isEmpty ? "" : "; refused: " + failuresByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))),
            ("upload time per file p50 / p99 (modelled)", times.isEmpty ? "none" : times.joined(separator: ", ")),
            ("server attachment bytes", serverAttachmentBytes.map { n($0) } ?? "unknown"),
        ]
    }
}
