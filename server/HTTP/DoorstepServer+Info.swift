import Hummingbird

extension DoorstepServer {
    /// `GET /v1/info`: versions, limits and the server's clock, for anyone (no token, no store
    /// read), so a client learns them before it enrols or sends a change (SPEC §9).
    func addInfoRoutes(_ router: Router<DoorstepRequestContext>) {
        router.get("/v1/info") { _, _ in
            try reply(ServerInfoDocument(limits: limits, engine: engine.configuration, now: clock()))
        }
    }
}
