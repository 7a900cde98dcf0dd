/// How hostile one simulated run is. Every figure is drawn per seed by `SimulationConfig.draw`.
public struct SimulationConfig: Sendable, Hashable, CustomStringConvertible {
    public var devices: Int
    public var steps: Int
    /// Probability that a request is lost before the server sees it.
    public var requestLoss: Double
    /// Probability that a response is lost after the server committed.
    public var responseLoss: Double
    /// Probability that a request is delivered to the server twice.
    public var duplication: Double
    /// Probability that a copy of a request is held and replayed to the server later.
    public var replay: Double
    /// Probability per step that a device is cut off (partitioned) for a while.
    public var partition: Double
    public var deviceCrash: Double
    public var serverRestart: Double
    /// Largest clock error of a device, in days either way.
    public var maxSkewDays: Int
    public var reassignment: Double

    public static func draw(seed: UInt64, devices: ClosedRange<Int> = 2...8, steps: ClosedRange<Int> = 20...40) -> SimulationConfig {
        let r = SimRandom(seed: seed &* 31 &+ 7)
        return SimulationConfig(
            devices: r.int(devices), steps: r.int(steps),
            requestLoss: r.unit() * 0.3, responseLoss: r.unit() * 0.3, duplication: r.unit() * 0.5, replay: r.unit() * 0.2,
            partition: r.unit() * 0.2, deviceCrash: r.unit() * 0.1, serverRestart: r.unit() * 0.05,
            maxSkewDays: 365, reassignment: r.unit() * 0.05)
    }

    public var description: String {
        "devices \(devices), steps \(steps), loss \(pct(requestLoss))/\(pct(responseLoss)), dup \(pct(duplication)), replay \(pct(replay)), partition \(pct(partition)), crash \(pct(deviceCrash)), restart \(pct(serverRestart)), reassign \(pct(reassignment))"
    }

    private func pct(_ p: Double) -> String { "\(Int((p * 100).rounded()))%" }
}

/// One broken guarantee, named for the property it breaks.
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    public enum Property: String, Sendable, Hashable {
        case loss, exactlyOnce, convergence, resurrection, scope, liveness
    }

    public let property: Property
    public let detail: String

    public init(_ property: Property, _ detail: String) {
        self.property = property
        self.detail = detail
    }

    public var description: String { "\(property.rawValue): \(detail)" }
}
