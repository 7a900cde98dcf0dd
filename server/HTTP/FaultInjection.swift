import Foundation
import Logging

/// Faults the crash tests inject into a real `doorstep-server` process. Off unless the
/// environment asks for it; never set it in production.
///
/// `DOORSTEP_FAULT_CRASH_AFTER_COMMIT=P` (0 < P ≤ 1): after a sync whose push the engine has
/// committed, and before its response is written, the process kills itself with SIGKILL with
/// probability P — the moment at which a lost response must cost one re-sent batch and never a
/// duplicate.
public struct FaultInjection: Sendable, Hashable {
    public static let crashAfterCommitVariable = "DOORSTEP_FAULT_CRASH_AFTER_COMMIT"
    /// What the server logs just before it kills itself, for the tests to count.
    public static let crashMessage = "fault injection: killing the process after a committed push, before its response"

    public var crashAfterCommitProbability: Double = 0

    public static let off = FaultInjection()

    public init() {}

    /// Reads `DOORSTEP_FAULT_CRASH_AFTER_COMMIT`; a value that is not a probability is refused.
    public init(environment: [String: String]) throws(FaultInjectionError) {
        guard let text = environment[Self.crashAfterCommitVariable], !text.isEmpty else { return }
        guard let p = Double(text), p >= 0, p <= 1 else {
            throw FaultInjectionError(message: "\(Self.crashAfterCommitVariable)=\(text) is not a probability between 0 and 1")
        }
        crashAfterCommitProbability = p
    }

    public var isOn: Bool { crashAfterCommitProbability > 0 }

    /// Called once a push has committed and before its response exists.
    func afterCommit(logger: Logger) {
        guard crashAfterCommitProbability > 0, Double.random(in: 0..<1) < crashAfterCommitProbability else { return }
        logger.critical("\(Self.crashMessage)")
        kill(getpid(), SIGKILL)
    }
}

public struct FaultInjectionError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
