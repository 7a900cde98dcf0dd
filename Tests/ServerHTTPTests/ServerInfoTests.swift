import FieldModel
import Foundation
import ServerEngine
import ServerHTTP
import SyncProtocol
import Testing

/// `GET /v1/info` over a real socket: the versions, limits and clock a client learns before it
/// enrols or sends a change, as the running server enforces them.
@Suite("The discovery route")
struct ServerInfoTests {
    @Test func answersVersionsLimitsAndClockWithoutAToken() async throws {
        var limits = ServerLimits()
        limits.maxSyncBodyBytes = 300_000
        limits.deviceBurst = 7
        try await Deployment.with(limits: limits, engine: { $0.maxPageSize = 1_234 }) { d in
            let response = try await d.raw("GET", "/v1/info", token: nil)
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
            let info = try JSONDecoder().decode(ServerInfoDocument.self, from: Data(response.body))
            #expect(info.protocolVersions == [1, 2] && info.protocolVersions.last == SyncProtocolVersion.current)
            #expect(info.schemaVersion == Schema.version)
            #expect(info.oldestSchemaVersion == Schema.oldestSupportedVersion)
            #expect(info.serverTimeMilliseconds == d.clock.now)
            // The ISO form names the same instant, to the millisecond.
            let parsed = try #require(try? Date(info.serverTime, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)))
            #expect(Int64((parsed.timeIntervalSince1970 * 1000).rounded()) == d.clock.now, "\(info.serverTime)")
            #expect(info.serverTime.hasSuffix("Z"))
            // The limits are this server's configuration, not constants.
            #expect(info.limits.maxSyncBodyBytes == 300_000)
            #expect(info.limits.deviceBurst == 7)
            #expect(info.limits.maxPageSize == 1_234)
            #expect(info.limits.maxChangesPerPush == MessageLimits.standard.maxChanges)
            #expect(info.limits.maxInflatedBytes == FrameLimits.standard.maxDecompressedBytes)
            #expect(info.limits.maxJSONBodyBytes == ServerLimits().maxJSONBodyBytes)
        }
    }

    /// The clock moves with the server's: a client can take its offset from it before enrolling.
    @Test func serverTimeFollowsTheServersClock() async throws {
        try await Deployment.with { d in
            d.clock.advance(by: 86_400_000)
            let info = try JSONDecoder().decode(ServerInfoDocument.self, from: Data(try await d.raw("GET", "/v1/info", token: nil).body))
            #expect(info.serverTimeMilliseconds == d.clock.now)
        }
    }
}
