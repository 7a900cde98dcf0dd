import Foundation
import ServerHTTP
import SyncCore
import SyncProtocol
import Testing

@Suite("The hostile API catalogue: every request gets its specific 4xx and changes nothing")
struct HostileAPITests {
    /// What a rejected change records (SPEC §6: a rejected dot is remembered), and nothing else may change.
    static let rejectionTables: Set<String> = ["processed_dots", "replica_counters"]

    /// Rate limits out of the way: the catalogue sends hundreds of requests per credential.
    static var limits: ServerLimits {
        var limits = ServerLimits()
        limits.deviceBurst = 100_000
        limits.administratorBurst = 100_000
        limits.enrolmentBurst = 100_000
        // Every bad credential of the catalogue comes from loopback: the per-address limit of
        // failed authentications (FloodTests) would answer most of them 429.
        limits.failedAuthenticationBurst = 100_000
        return limits
    }

    @Test func theCatalogueCoversEveryEndpointWithDistinctCases() {
        let catalogue = HostileAPICatalogue.all
        #expect(catalogue.count >= 200, "\(catalogue.count) cases")
        let names = catalogue.map(\.name)
        #expect(Set(names).count == names.count, "duplicate names: \(Dictionary(grouping: names, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
        let codes = Set(catalogue.compactMap { c -> String? in if case .refused(_, let code) = c.expected { code } else { nil } })
        let reasons = Set(catalogue.flatMap { c -> [String] in if case .rejected(let r) = c.expected { r } else { [] } })
        #expect(codes.isSuperset(of: ["unauthenticated", "invalid_token", "revoked", "forbidden", "not_a_device", "invalid_code", "replica_taken",
                                      "malformed_json", "unknown_field", "invalid_value", "invalid_argument", "body_too_large", "too_many_elements",
                                      "inconsistent_message", "schema_too_new", "replica_mismatch", "unknown_worker", "unknown_device",
                                      "unknown_record", "outside_scope", "role_not_allowed", "invalid_roster", "roster_refused", "not_found",
                                      "method_not_allowed"]))
        #expect(reasons == Set(["outside_scope", "recusal", "role_not_allowed", "invalid_value", "invalid_transition", "immutable", "unknown_field",
                                "dot_reused", "duplicate_create", "not_deletable", "wrong_record", "context_ahead", "context_regressed",
                                "counter_regressed", "clock_ahead", "unknown_schema_version", "author_mismatch", "unknown_record", "unknown_handle"]),
                "every rejection reason of SPEC §6 is provoked")
    }

    /// Whole-request refusals run first, each checked against the full state hash; then the
    /// changes refused inside answered syncs, in catalogue order (their counters rise), each
    /// checked against the hash that leaves out only what a rejection records. One hash per case:
    /// the previous case's is the next one's "before".
    @Test func everyHostileRequestIsRefusedWithItsCodeAndChangesNothing() async throws {
        try await Deployment.with(limits: Self.limits) { d in
            let stage = try await HostileStage(d)
            let catalogue = HostileAPICatalogue.all
            var failures = 0
            var hash = try await d.store.stateHash()
            for hostile in catalogue {
                guard case .refused(let status, let code) = hostile.expected else { continue }
                let response = try await send(hostile, stage)
                let ok = response.status == status && response.error?.code == code && response.error?.message.isEmpty == false
                #expect(ok, "\(hostile.name): expected \(status) \(code), got \(response.status) \(response.text)")
                let after = try await d.store.stateHash()
                #expect(after == hash, "\(hostile.name): the refused request changed the database")
                if !ok || after != hash { failures += 1 }
                hash = after
            }
            var records = try await d.store.stateHash(leavingOut: Self.rejectionTables)
            for hostile in catalogue {
                guard case .rejected(let reasons) = hostile.expected else { continue }
                let request = try hostile.request(stage)
                let response = try await d.raw(request.method, request.path, token: request.token, headers: request.headers, body: request.body)
                let answer = response.status == 200 ? try? SyncCodec.decodeResponse(response.body) : nil
                let got = answer.map { $0.rejections.map(\.reason) }
                let ok = got == reasons && answer?.acked == []
                #expect(ok, "\(hostile.name): expected rejections \(reasons), got \(response.status) \(got.map { "\($0)" } ?? response.text) \(answer?.rejections.first?.message ?? "")")
                // The rejection is remembered: the same request again gets the same answer.
                let again = try await d.raw(request.method, request.path, token: request.token, headers: request.headers, body: request.body)
                let repeated = again.status == 200 ? try? SyncCodec.decodeResponse(again.body).rejections : nil
                let same = repeated == answer?.rejections
                #expect(same, "\(hostile.name): re-sent, it got \(again.status) \(repeated.map { "\($0.map(\.reason))" } ?? again.text)")
                let after = try await d.store.stateHash(leavingOut: Self.rejectionTables)
                #expect(after == records, "\(hostile.name): a rejected change changed a record or a log")
                if !ok || !same || after != records { failures += 1 }
                records = after
            }
            #expect(failures == 0, "\(failures) of \(catalogue.count) cases failed")
        }
    }

    func send(_ hostile: HostileCase, _ stage: HostileStage) async throws -> RawResponse {
        let request = try hostile.request(stage)
        let response = try await stage.deployment.raw(request.method, request.path, token: request.token, headers: request.headers, body: request.body)
        #expect(response.status < 500, "\(hostile.name): a server error \(response.status) \(response.text)")
        return response
    }
}

extension RawResponse {
    /// The body as text, shortened, for a failure message.
    var text: String { String(decoding: body.prefix(300), as: UTF8.self) }
}
