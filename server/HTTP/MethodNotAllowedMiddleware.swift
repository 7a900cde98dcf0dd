import HTTPTypes
import Hummingbird

/// Answers a request whose path the router knows, but not with its method, `405
/// method_not_allowed` with `Allow` listing the methods the path has (RFC 9110 §15.5.6), instead
/// of the router's 404. Added after every route, it runs only where no route matched (a router
/// middleware wraps the routes added after it, and the not-found responder), so it costs
/// nothing on the routes themselves.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = DoorstepRequestContext

    /// Each route's path, split into elements, with its methods.
    let routes: [(path: RouterPath, methods: [HTTPRequest.Method])]

    /// The routes `router` holds now.
    init(_ router: Router<Context>) {
        var methods: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in router.routes {
            methods[route.path.description, default: (route.path, [])].methods.append(route.method)
        }
        routes = methods.values.sorted { $0.path.description < $1.path.description }
    }

    /// The methods of the route whose path matches `path`, in the order `Allow` lists them.
    func allowedMethods(_ path: String) -> [HTTPRequest.Method] {
        let elements = path.split(separator: "/", omittingEmptySubsequences: true)
        let allowed = routes.filter { route in
            route.path.components.count == elements.count && zip(route.path.components, elements).allSatisfy { $0 ~= $1 }
        }.flatMap(\.methods)
        return Set(allowed.map(\.rawValue)).sorted().map { HTTPRequest.Method($0)! }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let allowed = allowedMethods(request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return try await next(request, context) }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        var error = APIError(.methodNotAllowed, "method_not_allowed", "\(request.method) is not served on \(request.uri.path.prefix(120)); it takes \(list)")
        error.allow = list
        throw error
    }
}
