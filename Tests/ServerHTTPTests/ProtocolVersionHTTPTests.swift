import FieldModel
import SyncCore
import SyncProtocol
import Testing

/// SPEC §9 over HTTP: `POST /v1/sync` answers each request in its own protocol version, so a
/// device not yet upgraded (version 1) and an upgraded one (version 2) sync with the same server.
@Suite("POST /v1/sync speaks versions 1 and 2")
struct ProtocolVersionHTTPTests {
    @Test func eachVersionIsAnsweredInItsOwn() async throws {
        try await Deployment.with(limits: HostileAPITests.limits) { d in
            let stage = try await HostileStage(d)
            for version in SyncProtocolVersion.supported {
                var request = stage.emptyRequest()
                request.protocolVersion = version
                request.pageLimit = 100
                let sent = stage.sync(request, by: stage.assistant)
                let answer = try await d.raw(sent.method, sent.path, token: sent.token, headers: sent.headers, body: sent.body)
                #expect(answer.status == 200, "version \(version): \(answer.text)")
                let response = try SyncCodec.decodeResponse(answer.body)
                #expect(response.protocolVersion == version && !response.page.isEmpty)
                // Version 2's page gives every record its handle; version 1's has none to give.
                #expect(response.pageHandles.count == (version == 2 ? response.page.count : 0), "version \(version)")
                #expect(!response.pageHandles.contains(0))
            }
        }
    }
}
