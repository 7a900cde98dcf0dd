import Foundation
import Logging

/// Faults the crash tests inject into a real `doorstep-server` process. Off unless the
/// configuration asks for it (`fault.crashAfterCommit`, in the environment
/// `DOORSTEP_FAULT_CRASH_AFTER_COMMIT`); never set it in production.
///
/// `crashAfterCommitProbability` P (0 < P ≤ 1): after a sync whose push the engine has
/// committed, and before its response is written, the process kills itself with SIGKILL with
/// probability P — the moment at which a lost response must cost one re-sent batch and never a
/// duplicate.
public struct FaultInjection: Sendable, Hashable {
    /// What the server logs just before it kills itself, for the tests to count.
    public static let crashMessage = "fault injection: killing the process after a committed push, before its response"

    public var crashAfterCommitProbability: Double = 0

    public static let off = FaultInjection()

    public init() {}

    public var isOn: Bool { crashAfterCommitProbability > 0 }

    /// Called once a push has committed and before its response exists.
    func afterCommit(logger: Logger) {
        guard crashAfterCommitProbability > 0, Double.random(in: 0..<1) < crashAfterCommitProbability else { return }
        logger.critical("\(Self.crashMessage)")
        kill(getpid(), SIGKILL)
    }
}
