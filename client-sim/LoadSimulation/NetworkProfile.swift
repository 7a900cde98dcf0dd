import Foundation
import SyncClient

/// A mobile network as a village sees it: round-trip latency, bandwidth each way, and loss.
public struct NetworkProfile: Sendable, Hashable {
    public let name: String
    public let latencyMilliseconds: Double
    public let kilobitsPerSecond: Double
    /// Chance a request is lost before reaching the server.
    public let loss: Double

    public static let named: [String: NetworkProfile] = [
        "2g": NetworkProfile(name: "2g", latencyMilliseconds: 650, kilobitsPerSecond: 40, loss: 0.05),
        "3g": NetworkProfile(name: "3g", latencyMilliseconds: 200, kilobitsPerSecond: 700, loss: 0.02),
        "4g": NetworkProfile(name: "4g", latencyMilliseconds: 60, kilobitsPerSecond: 8_000, loss: 0.005),
        // No modelled delay or loss: a round trip is the loopback's and the server's alone (benchmarks).
        "loopback": NetworkProfile(name: "loopback", latencyMilliseconds: 0, kilobitsPerSecond: .infinity, loss: 0),
    ]

    /// The same network losing no request (the heal's).
    var lossless: NetworkProfile { NetworkProfile(name: name, latencyMilliseconds: latencyMilliseconds, kilobitsPerSecond: kilobitsPerSecond, loss: 0) }

    /// How long `bytes` take each way, ms.
    func transferMilliseconds(_ bytes: Int) -> Double { Double(bytes * 8) / kilobitsPerSecond }
}

/// One device's connection through a modelled network: the profile's latency and bandwidth as
/// real delays (scaled by `timeScale`: 0 for none), lost requests, and connections cut after the
/// server answered. Its syncs (`ModelledTransport`) and its uploads (`ModelledUploadAPI`) go
/// through the same one.
struct ModelledLink: Sendable {
    let profile: NetworkProfile
    let cutChance: Double
    let timeScale: Double
    let random: @Sendable () -> Double

    /// A request lost before it reached the server.
    func lost() -> Bool { random() < profile.loss }
    /// The connection cut after the server answered, before the answer arrived.
    func cut() -> Bool { random() < cutChance }

    /// Modelled time for one way of an exchange carrying `bytes`, ms.
    func oneWay(_ bytes: Int) -> Double { profile.latencyMilliseconds / 2 + profile.transferMilliseconds(bytes) }

    func wait(_ ms: Double) async {
        let scaled = ms * timeScale
        guard scaled >= 1 else { return }
        try? await Task.sleep(for: .milliseconds(Int(scaled)))
    }
}

/// A transport through a modelled link: each way waits its latency and transfer time.
struct ModelledTransport: Transport {
    let inner: any Transport
    let link: ModelledLink

    func exchange(_ request: [UInt8]) async throws(TransportError) -> [UInt8] {
        await link.wait(link.oneWay(request.count))
        if link.lost() { throw .unreachable("request lost on the \(link.profile.name) network") }
        let response = try await inner.exchange(request)
        if link.cut() { throw .unreachable("connection cut mid-transfer after the server answered") }
        await link.wait(link.oneWay(response.count))
        return response
    }
}
