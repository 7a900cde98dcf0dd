import FieldModel
import Foundation
import ServerHTTP
import SyncProtocol

/// Puts the plan on a server through its administrator API: the roster of each township and
/// every worker (the devices' and one read-only verifier per township).
struct Setup {
    let plan: LoadPlan
    let admin: APIClient
    let progress: @Sendable (String) -> Void

    func prepare() async throws {
        for township in plan.townships {
            do {
                let result = try await admin.importRoster(csv: Array(plan.roster(township).utf8))
                progress("roster of township \(township): \(result.households) households, \(result.members) members")
            } catch let failure as APIClient.Failure where failure.document.code == "roster_refused"
                        && (failure.document.problems ?? []).allSatisfy({ $0.message.contains("duplicate_create") }) {
                progress("roster of township \(township) is on the server already")
            }
        }
        let workers = plan.devices.map(\.worker) + plan.townships.map(Self.verifier)
        _ = try await bounded(workers, limit: 16) { worker in try await upsert(worker) }
        progress("\(workers.count) workers on the server")
    }

    /// A worker per township whose device pulls what the server holds, for the verification; it
    /// writes nothing. A township's reviewer sees exactly the township (assignments fit roles: a
    /// city supervisor would see the whole city).
    static func verifier(_ township: TownshipCode) -> Worker {
        Worker(id: WorkerID(unchecked: "verify-\(township)"), name: "核查员", role: .townshipReviewer, assignment: Assignment(townships: [township]))
    }

    func upsert(_ worker: Worker) async throws {
        do { _ = try await admin.createWorker(WorkerDocument(worker)) } catch let failure as APIClient.Failure where failure.document.code == "worker_exists" {
            _ = try await admin.updateWorker(WorkerDocument(worker))
        }
    }
}
