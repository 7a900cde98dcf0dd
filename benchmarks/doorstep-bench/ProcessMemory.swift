import Foundation
import CMalloc
import LoadSimulation

/// This process's resident memory over one phase of a run.
enum ProcessMemory {
    /// One phase: its peak resident set above the level it started at.
    struct Phase {
        let startBytes: Int

        /// Hands the heap's free pages back to the system (else a phase reusing memory an earlier
        /// one freed would show no growth), then resets the peak to the current resident set
        /// (`clear_refs` 5, Linux 4.0 and later), so that the next peak belongs to this phase alone.
        init() {
            malloc_trim(0)
            try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
            startBytes = (ProcessStatus.kilobytes("VmRSS:") ?? 0) * 1024
        }

        func peakGrowthMB() -> Double {
            Double(max(0, (ProcessStatus.kilobytes("VmHWM:") ?? 0) * 1024 - startBytes)) / 1_048_576
        }
    }
}
