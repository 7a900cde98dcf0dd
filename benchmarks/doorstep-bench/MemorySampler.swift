import LoadSimulation

/// A server process's resident memory, sampled every half second from `start` until `stop()`.
struct MemorySampler {
    private let task: Task<[Double], Never>

    init(_ server: ServerProcess) {
        task = Task {
            var samples: [Double] = []
            while !Task.isCancelled {
                if let bytes = server.residentBytes { samples.append(Double(bytes) / 1_048_576) }
                try? await Task.sleep(for: .milliseconds(500))
            }
            return samples
        }
    }

    /// The samples, MB, oldest first.
    func stop() async -> [Double] {
        task.cancel()
        return await task.value
    }

    /// The samples at each tenth of the series (11 values), for a line of a table.
    static func tenths(_ samples: [Double]) -> [Double] {
        guard !samples.isEmpty else { return [] }
        return (0...10).map { samples[min(samples.count - 1, $0 * (samples.count - 1) / 10)] }
    }
}
