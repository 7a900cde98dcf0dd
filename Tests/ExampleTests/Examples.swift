import Foundation
import LoadSimulation

/// A command as the documentation shows it: where it is written, its text (continuation lines
/// joined, comments dropped) and what a trailing comment says it prints.
struct Example: Sendable, Hashable, CustomStringConvertible {
    let source: String
    let command: String
    /// The part of a trailing `# …` comment before its ellipsis: `pushed 1, acknowledged 1`.
    var prints: String?

    var description: String { "\(source): \(command)" }
}

/// The examples of the README, server/SCALING.md and every `--help`, read from the texts
/// themselves, so a renamed option or command breaks a test rather than a reader.
enum Examples {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The project's executables: what an example may start with (besides scripts and builds).
    static let programs = ["doorstep-server", "doorstep-device", "client-sim", "doorstep-gen", "doorstep-soak", "doorstep-bench"]

    /// Each line of the file's ```sh blocks, then each inline code span that is a command.
    static func markdown(_ relative: String) throws -> [Example] {
        let lines = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8).components(separatedBy: "\n")
        var out: [Example] = []
        var inBlock = false
        var prose: [String] = []
        var pending: (line: Int, text: String)?
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                inBlock = line == "```sh"
                prose.append("")
                continue
            }
            guard inBlock else { prose.append(raw); continue }
            prose.append("")
            let (code, comment) = split(comment: line)
            let joined = (pending?.text ?? "") + code
            if joined.hasSuffix("\\") {
                pending = (pending?.line ?? index, String(joined.dropLast()))
                continue
            }
            if !joined.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(Example(source: "\(relative):\((pending?.line ?? index) + 1)", command: squeeze(joined), prints: expected(comment)))
            }
            pending = nil
        }
        // Inline spans, which may break across a line of prose.
        let text = prose.joined(separator: "\n")
        let spans = try NSRegularExpression(pattern: "`([^`]+)`")
        for match in spans.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let span = squeeze(String(text[Range(match.range(at: 1), in: text)!]))
            guard isCommand(span) else { continue }
            let line = text[..<Range(match.range, in: text)!.lowerBound].filter { $0 == "\n" }.count + 1
            out.append(Example(source: "\(relative):\(line)", command: span))
        }
        return out
    }

    /// The examples of `program`'s help and of every subcommand's, read unwrapped.
    static func help(_ program: String) async throws -> [Example] {
        var out: [Example] = []
        var queue: [[String]] = [[]]
        while !queue.isEmpty {
            let path = queue.removeFirst()
            let run = try await ChildProcess.run(ChildProcess.siblings.appendingPathComponent(program), path + ["--help"], environment: ["COLUMNS": "1000"])
            let source = ([program] + path + ["--help"]).joined(separator: " ")
            let lines = run.output.components(separatedBy: "\n")
            var pending: String?
            for raw in lines {
                let line = raw.trimmingCharacters(in: .whitespaces)
                let joined = (pending ?? "") + line
                if pending != nil || programs.contains(where: { line.hasPrefix($0 + " ") }) {
                    if joined.hasSuffix("\\") { pending = String(joined.dropLast()); continue }
                    out.append(Example(source: source, command: squeeze(joined)))
                    pending = nil
                }
            }
            if let start = lines.firstIndex(of: "SUBCOMMANDS:") {
                for line in lines[(start + 1)...].prefix(while: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) where line.hasPrefix("  ") {
                    let name = String(line.dropFirst(2).prefix { $0 != " " })
                    if !name.isEmpty, !line.dropFirst(2).hasPrefix(" "), name != "help" { queue.append(path + [name]) }
                }
            }
        }
        return out
    }

    /// A span that runs something: a script, a build, or a program given an option or a value.
    /// A program and command words alone (`client-sim crash-loop`) name a command in prose.
    static func isCommand(_ span: String) -> Bool {
        let words = span.split(separator: " ").drop { $0.contains("=") && !$0.hasPrefix("-") }
        guard let first = words.first else { return false }
        if first.hasPrefix("scripts/") || first.hasPrefix(".build/") || first == "swift" { return true }
        return programs.contains(String(first)) && words.dropFirst().contains { $0.wholeMatch(of: /[a-z][a-z-]*/) == nil }
    }

    /// `code  # comment` → (code, comment); a `#` inside quotes or a URL is not a comment.
    static func split(comment line: String) -> (String, String?) {
        if line.hasPrefix("#") { return ("", nil) }
        guard let range = line.range(of: "  # ") ?? line.range(of: " # ") else { return (line, nil) }
        return (String(line[..<range.lowerBound]), String(line[range.upperBound...]))
    }

    /// What a comment promises the output holds: the text before its ellipsis, unless it only
    /// describes (`prints …` shows a shape, not the text).
    static func expected(_ comment: String?) -> String? {
        guard let comment, let cut = comment.range(of: "…"), !comment.hasPrefix("prints") else { return nil }
        let text = comment[..<cut.lowerBound].trimmingCharacters(in: .whitespaces)
        return text.hasSuffix(",") ? String(text.dropLast()) : text
    }

    static func squeeze(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }
}
