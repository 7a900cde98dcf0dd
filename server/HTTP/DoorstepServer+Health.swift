import Hummingbird

extension DoorstepServer {
    /// `/healthz`: the process answers. `/readyz`: the store answers too.
    func addHealthRoutes(_ router: Router<DoorstepRequestContext>) {
        router.get("/healthz") { _, _ in try reply(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            do {
                _ = try await engine.store.purgeMark()
            } catch {
                throw APIError(.serviceUnavailable, "not_ready", "the store does not answer: \(error)")
            }
            return try reply(["status": "ready"])
        }
    }
}
