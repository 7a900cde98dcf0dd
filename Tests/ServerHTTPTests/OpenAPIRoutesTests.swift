import Foundation
import Testing

/// `protocol/openapi.yaml` and the server agree: every documented operation is served (answers
/// something other than the router's `not_found`), every error it answers is JSON, and a method the
/// document does not declare on a path is answered 405 with `Allow` naming exactly the declared ones.
@Suite("The OpenAPI description matches the routes")
struct OpenAPIRoutesTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/openapi.yaml")

    /// (method, path) of every operation, read from the document's indentation.
    static func operations() throws -> [(String, String)] {
        var out: [(String, String)] = []
        var path: String?
        for line in try String(contentsOf: document, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            else if !line.hasPrefix(" ") { path = nil }
            else if let path, line.hasPrefix("    "), !line.hasPrefix("     "),
                    let method = ["get", "post", "put", "delete"].first(where: { line == "    \($0):" }) {
                out.append((method.uppercased(), path))
            }
        }
        return out
    }

    @Test func everyDocumentedOperationIsServed() async throws {
        let operations = try Self.operations()
        #expect(operations.count == 49, "\(operations)")
        try await Deployment.with { d in
            for (method, path) in operations {
                let concrete = path.replacingOccurrences(of: "{id}", with: "nobody").replacingOccurrences(of: "{code}", with: "140821")
                let response = try await d.raw(method, concrete, token: d.adminToken, headers: ["Content-Type": "application/json"], body: nil)
                #expect(response.error?.code != "not_found" || path.contains("{id}"), "\(method) \(path): \(response.status)")
                #expect(response.status != 405 && response.status < 500, "\(method) \(path): \(response.status)")
                if response.status >= 400 && !path.hasPrefix("/ops") {
                    #expect(response.headers["content-type"]?.hasPrefix("application/json") == true, "\(method) \(path)")
                }
            }
        }
    }

    /// Over a real socket, for every documented path and every method it does not declare.
    @Test func undeclaredMethodsAreNotAllowed() async throws {
        let declared = Dictionary(grouping: try Self.operations(), by: \.1).mapValues { Set($0.map(\.0)) }
        try await Deployment.with { d in
            for (path, methods) in declared.sorted(by: { $0.key < $1.key }) {
                let concrete = path.replacingOccurrences(of: "{id}", with: "nobody").replacingOccurrences(of: "{code}", with: "140821")
                for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] where !methods.contains(method) {
                    let response = try await d.raw(method, concrete, token: d.adminToken)
                    #expect(response.status == 405, "\(method) \(path): \(response.status)")
                    #expect(response.error?.code == "method_not_allowed", "\(method) \(path)")
                    #expect(response.headers["allow"] == methods.sorted().joined(separator: ", "), "\(method) \(path): \(response.headers["allow"] ?? "no Allow")")
                }
            }
            // A path the server does not have at all stays 404.
            #expect(try await d.raw("PATCH", "/v1/nowhere", token: d.adminToken).status == 404)
        }
    }
}
