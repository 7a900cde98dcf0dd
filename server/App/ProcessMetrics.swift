import Metrics
import Prometheus

/// The Prometheus registry swift-metrics reports to in this process (Hummingbird's request
/// metrics), bootstrapped on first use. The metrics system takes one bootstrap per process,
/// and a process may run several servers (the tests run many), so every server of the process
/// shares this one; each server's own figures stay in its `SyncMetrics` registry.
enum ProcessMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in (names[name]?.name ?? name.replacingOccurrences(of: ".", with: "_"), labels) }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Prometheus names and help for what Hummingbird reports: counters end in `_total`, and
    /// swift-metrics carries no help text, which `promtool check metrics` requires.
    /// Bootstraps the metrics system, the first time only.
    static func bootstrap() { _ = registry }

    static let names: [String: (name: String, help: String)] = [
        "hb.requests": ("hb_requests_total", "HTTP requests answered, by route, method and status"),
        "hb.request.errors": ("hb_request_errors_total", "HTTP requests that failed with an error, by route, method and status"),
        "http.server.request.duration": ("http_server_request_duration", "Seconds taken to answer an HTTP request, by route, method and status"),
        "http.server.active_requests": ("http_server_active_requests", "HTTP requests being answered now, by method"),
    ]

    /// The registry's exposition, a `# HELP` line before each family's `# TYPE`.
    static func exposition() -> String {
        let help = Dictionary(uniqueKeysWithValues: names.values.map { ($0.name, $0.help) })
        var out = ""
        for line in registry.emitToString().split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first {
                out += "# HELP \(name) \(help[String(name)] ?? "Reported through swift-metrics")\n"
            }
            out += line + "\n"
        }
        return String(out.dropLast())
    }
}
