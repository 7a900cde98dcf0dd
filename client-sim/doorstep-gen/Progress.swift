/// Progress on standard error for large runs: a line at every tenth of the villages with the
/// rate so far. Reads the clock (the generator never does; only this shell times it).
struct Progress {
    let villages: Int
    let enabled: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var done = 0
    private var households = 0
    private var nextReport: Int

    init(villages: Int, enabled: Bool) {
        self.villages = villages
        self.enabled = enabled
        start = clock.now
        nextReport = max(1, villages / 10)
    }

    var elapsedSeconds: Double {
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    var elapsedText: String { String(Double(Int(elapsedSeconds * 100)) / 100) }

    mutating func villageDone(households count: Int) {
        done += 1
        households += count
        guard enabled, done >= nextReport || done == villages else { return }
        nextReport = done + max(1, villages / 10)
        let rate = Int(Double(households) / max(elapsedSeconds, 1e-3))
        note("villages \(done)/\(villages), households \(grouped(households)), \(grouped(rate)) households/s")
    }
}
