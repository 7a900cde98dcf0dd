extension OpsPage {
    /// The login form; `failed` after a token that is not an administrator's.
    public static func login(failed: Bool) -> String {
        OpsTemplates.render(LoginView(title: "Doorstep 同步状态 · sync health", crumbs: [], hasCrumbs: false, anonymous: true, failed: failed), "login")
    }

    struct LoginView { var title: String, crumbs: [Crumb], hasCrumbs: Bool, anonymous: Bool, failed: Bool }
}
