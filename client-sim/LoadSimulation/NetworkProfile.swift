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

    /// How long `bytes` take each way, ms.
    func transferMilliseconds(_ bytes: Int) -> Double { Double(bytes * 8) / kilobitsPerSecond }
}

/// A transport through a modelled network: latency and bandwidth as real delays (scaled by
/// `timeScale`: 0 for none), lost requests, and connections cut after the server committed.
struct ModelledTransport: Transport {
    let inner: any Transport
    let profile: NetworkProfile
    let cutChance: Double
    let timeScale: Double
    let random: @Sendable () -> Double

    func exchange(_ request: [UInt8]) async throws(TransportError) -> [UInt8] {
        await delay(profile.latencyMilliseconds / 2 + profile.transferMilliseconds(request.count))
        if random() < profile.loss { throw .unreachable("request lost on the \(profile.name) network") }
        let response = try await inner.exchange(request)
        if random() < cutChance { throw .unreachable("connection cut mid-transfer after the server answered") }
        await delay(profile.latencyMilliseconds / 2 + profile.transferMilliseconds(response.count))
        return response
    }

    func delay(_ ms: Double) async {
        let scaled = ms * timeScale
        guard scaled >= 1 else { return }
        try? await Task.sleep(for: .milliseconds(Int(scaled)))
    }
}
