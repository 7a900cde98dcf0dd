import Foundation
import ServerEngine
import SyncClient
import SyncCore
import SyncProtocol
import Synchronization

/// The simulated network between devices and the server: partitions, lost requests and
/// responses, duplicated deliveries and stale requests replayed later. Every decision is drawn
/// from the run's seed.
public final class SimNetwork: Sendable {
    struct State {
        var faultsOn = true
        var offlineUntil: [String: Int64] = [:]
        var replays: [(deviceID: String, body: [UInt8], at: Int64)] = []
        var exchanges = 0
        var lostRequests = 0
        var lostResponses = 0
        var duplicates = 0
    }

    let config: SimulationConfig
    let random: SimRandom
    let clock: SimClock
    /// Where requests that get through arrive.
    let endpoint: any SimEndpoint
    private let state = Mutex(State())

    init(config: SimulationConfig, random: SimRandom, clock: SimClock, endpoint: any SimEndpoint) {
        self.config = config
        self.random = random
        self.clock = clock
        self.endpoint = endpoint
    }

    func setFaults(_ on: Bool) { state.withLock { $0.faultsOn = on; if !on { $0.offlineUntil = [:] } } }

    func partition(_ deviceID: String, for ms: Int64) {
        let until = clock.milliseconds + ms
        state.withLock { $0.offlineUntil[deviceID] = until }
    }

    /// Delivers the held copies of requests whose time has come (or all of them).
    func deliverReplays(all: Bool = false) async {
        let now = clock.milliseconds
        let due: [(String, [UInt8])] = state.withLock { s in
            let (ready, later) = (s.replays.filter { all || $0.at <= now }, s.replays.filter { !all && $0.at > now })
            s.replays = later
            return ready.map { ($0.deviceID, $0.body) }
        }
        for (device, body) in due { _ = try? await serve(body, deviceID: device) }
    }

    var stats: (exchanges: Int, lostRequests: Int, lostResponses: Int, duplicates: Int) {
        state.withLock { ($0.exchanges, $0.lostRequests, $0.lostResponses, $0.duplicates) }
    }

    func transport(for deviceID: String) -> InMemoryTransport {
        InMemoryTransport { [self] body throws(TransportError) in try await self.exchange(body, deviceID: deviceID) }
    }

    func exchange(_ body: [UInt8], deviceID: String) async throws(TransportError) -> [UInt8] {
        let now = clock.milliseconds
        let faults = state.withLock { s -> Bool in
            s.exchanges += 1
            return s.faultsOn
        }
        if faults {
            if let until = state.withLock({ $0.offlineUntil[deviceID] }), until > now {
                throw .unreachable("\(deviceID) is partitioned until \(until)")
            }
            if random.chance(config.requestLoss) {
                state.withLock { $0.lostRequests += 1 }
                throw .unreachable("request lost")
            }
            if random.chance(config.replay) {
                let at = now + Int64(random.int(1...6)) * 3_600_000
                state.withLock { $0.replays.append((deviceID, body, at)) }
            }
        }
        let response = try await serve(body, deviceID: deviceID)
        if faults {
            if random.chance(config.duplication) {
                state.withLock { $0.duplicates += 1 }
                _ = try? await serve(body, deviceID: deviceID)
            }
            if random.chance(config.responseLoss) {
                state.withLock { $0.lostResponses += 1 }
                throw .unreachable("response lost after the server committed")
            }
        }
        return response
    }

    func serve(_ body: [UInt8], deviceID: String) async throws(TransportError) -> [UInt8] {
        try await endpoint.serve(body, deviceID: deviceID)
    }
}
