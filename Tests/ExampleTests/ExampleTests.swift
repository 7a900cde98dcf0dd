import Foundation
import Testing

/// Every command the README, server/SCALING.md and the `--help` texts show, read from the texts
/// and run against the executables of this build, in order, as a reader would run them.
@Suite("The examples in the docs and the help texts run", .serialized)
struct ExampleTests {
    /// Runs `examples` in one session; each failure is an issue naming the example.
    func play(_ examples: [Example], in session: ExampleSession) async {
        var notRun: [String] = []
        var ran = 0
        for example in examples {
            do {
                switch try await session.run(example) {
                case .ran, .started: ran += 1
                case .exempt(let why), .skipped(let why): notRun.append("\(example.command) — \(why)")
                }
            } catch {
                Issue.record("\(error)")
            }
        }
        print("\(ran) of \(examples.count) examples ran; not run:\n" + notRun.map { "  " + $0 }.joined(separator: "\n"))
    }

    @Test func theReadmeRunsAsWritten() async throws {
        let examples = try Examples.markdown("README.md")
        #expect(examples.count >= 15, "the README's commands were found: \(examples)")
        let session = try ExampleSession("readme")
        defer { session.close() }
        await play(examples, in: session)
    }

    @Test func scalingRunsAsWritten() async throws {
        let examples = try Examples.markdown("server/SCALING.md")
        #expect(examples.contains { $0.command.contains("doorstep-server serve --database") }, "\(examples)")
        let session = try ExampleSession("scaling")
        defer { session.close() }
        await play(examples, in: session)
    }

    /// The help texts' examples, after the server the quick start starts (the administrator
    /// examples and the devices talk to it).
    @Test func everyHelpExampleRuns() async throws {
        var examples: [Example] = []
        for program in Examples.programs { examples += try await Examples.help(program) }
        for program in ["doorstep-server", "doorstep-device", "client-sim"] {
            #expect(examples.contains { $0.source.hasPrefix(program) }, "\(program)'s help shows examples")
        }
        let quickStart = try #require(try Examples.markdown("README.md").first { $0.command.hasSuffix("doorstep-server serve") })
        let session = try ExampleSession("help")
        defer { session.close() }
        await play([quickStart] + examples, in: session)
    }
}
