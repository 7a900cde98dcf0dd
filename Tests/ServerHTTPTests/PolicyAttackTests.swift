import FieldModel
import Foundation
import ServerDirectory
import ServerEngine
import SyncProtocol
import Testing

@Suite("The policy attack catalogue: every attack is refused with its reason, changes nothing and is logged")
struct PolicyAttackTests {
    @Test func theCatalogueAttacksEveryRoleWithEveryPolicyReason() {
        let catalogue = PolicyAttackCatalogue.all
        #expect(catalogue.count >= 100, "\(catalogue.count) attacks")
        let names = catalogue.map(\.description)
        #expect(Set(names).count == names.count, "duplicate attacks: \(Dictionary(grouping: names, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
        let roles = Set(catalogue.map { $0.role?.rawValue ?? "administrator" })
        #expect(roles == Set(Role.allCases.map(\.rawValue)))
        let codes = Set(catalogue.map(\.loggedCode))
        #expect(codes.isSuperset(of: ["status_mismatch", "status_conflict", "separation_of_duties", "notice_not_ready", "creation_budget",
                                      "not_deletable", "recusal", "role_not_allowed", "invalid_transition", "invalid_value", "outside_scope",
                                      "wrong_record", "forbidden", "invalid_argument"]), "\(codes.sorted())")
        // With the hostile API catalogue, every rejection reason of SPEC §6 is provoked.
        let hostile = Set(HostileAPICatalogue.all.flatMap { c -> [String] in if case .rejected(let r) = c.expected { r } else { [] } })
        #expect(hostile.union(codes).isSuperset(of: RejectionReason.allCases.map(\.rawValue)),
                "\(Set(RejectionReason.allCases.map(\.rawValue)).subtracting(hostile.union(codes)).sorted())")
    }

    /// The stage is built through the API by honest devices; then each attack runs, and after
    /// each the database holds what it held before (but for what a rejection records: the
    /// rejected dot and the sender's counter), and the security log's last entry names it.
    @Test(arguments: Deployment.Backend.all)
    func everyAttackIsRefusedChangesNothingAndIsLogged(backend: Deployment.Backend) async throws {
        try await Deployment.with(backend: backend, limits: HostileAPITests.limits, engine: { $0.creationBudget = PolicyStage.budget }) { d in
            let stage = try await PolicyStage(d)
            let catalogue = PolicyAttackCatalogue.all
            var hash = try await d.store.stateHash(leavingOut: HostileAPITests.rejectionTables)
            var failed: [String] = []
            for attack in catalogue {
                let request = try attack.request(stage)
                let response = try await d.raw(request.method, request.path, token: request.token, headers: request.headers, body: request.body)
                var ok: Bool
                switch attack.expected {
                case .rejected(let reasons):
                    let answer = response.status == 200 ? try? SyncCodec.decodeResponse(response.body) : nil
                    ok = answer?.rejections.map(\.reason) == reasons && answer?.acked == []
                    #expect(ok, "\(attack): got \(response.status) \(answer.map { "\($0.rejections.map(\.reason)) \($0.rejections.first?.message ?? "")" } ?? response.text)")
                    // A rejected dot is remembered: re-sent unchanged, the same answer.
                    let again = try await d.raw(request.method, request.path, token: request.token, headers: request.headers, body: request.body)
                    let repeated = again.status == 200 ? try? SyncCodec.decodeResponse(again.body).rejections : nil
                    #expect(repeated == answer?.rejections, "\(attack): re-sent, it got \(again.status)")
                    ok = ok && repeated == answer?.rejections
                case .refused(let status, let code):
                    ok = response.status == status && response.error?.code == code
                    #expect(ok, "\(attack): got \(response.status) \(response.text)")
                }
                let logged = try await d.store.securityEvents(limit: 1).last
                let inLog = logged?.kind == .authorizationFailure && logged?.detail.contains(attack.loggedCode) == true && logged?.actor != nil
                #expect(inLog, "\(attack): the security log ends with \(String(describing: logged))")
                let after = try await d.store.stateHash(leavingOut: HostileAPITests.rejectionTables)
                #expect(after == hash, "\(attack): the refused attack changed the database")
                if !ok || !inLog || after != hash { failed.append(attack.name) }
                hash = after
            }
            #expect(failed.isEmpty, "\(failed.count) of \(catalogue.count) attacks were not refused as they should be: \(failed)")
            let byRole = Dictionary(grouping: catalogue) { $0.role?.rawValue ?? "administrator" }.mapValues(\.count).sorted { $0.key < $1.key }
            print("policy attack catalogue on \(backend.rawValue): \(catalogue.count) attacks (\(byRole.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), \(catalogue.count - failed.count) refused as specified")
        }
    }
}
