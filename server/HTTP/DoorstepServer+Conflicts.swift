import FieldModel
import Hummingbird
import ServerDirectory
import ServerEngine
import SyncCore

extension DoorstepServer {
    /// The reviewer's endpoints: list the open conflicts in scope, resolve one field.
    func addConflictRoutes(_ router: Router<DoorstepRequestContext>) {
        router.get("/v1/conflicts") { request, context in
            let principal = try await fieldStaff(request, context, route: "GET /v1/conflicts")
            let states = try await engine.openConflicts(visibleTo: principal.worker)
            return try reply(ConflictListDocument(conflicts: states.map(ConflictDocument.init)))
        }

        router.post("/v1/conflicts/resolve") { request, context in
            let route = "POST /v1/conflicts/resolve"
            let principal = try await fieldStaff(request, context, route: route)
            let document = try await json(request, as: ResolutionDocument.self)
            let key = try Self.resolutionRecord(document)
            // The record first: an id the server holds in no collection is 404 whatever field and
            // value are named (one held in another collection is the engine's wrong_record).
            guard try await Self.holdsRecord(key, in: engine.store) else {
                throw APIError(.notFound, RejectionReason.unknownRecord.rawValue, "no \(key.collection.name) \(key.id) on the server")
            }
            let spec = try Self.resolutionField(document, in: key.collection)
            let now = clock()
            let value = try document.value.value(for: spec, in: key.collection)
            // Checked here too, so a value no device could write is refused before the engine
            // reserves a server counter for it.
            try spec.validate(value, in: key.collection, asOf: CalendarDate.chinaStandard(millisecondsSinceEpoch: now))
            let outcome = try await engine.resolveConflict(key, field: spec.id, value: value, by: principal.worker, now: now)
            guard case .rejected(let reason, let message) = outcome.status else {
                let name = switch outcome.status {
                case .applied: "applied"
                case .superseded: "superseded"
                case .replayed, .rejected: "replayed"
                }
                return try reply(ResolutionResultDocument(outcome: name, dot: outcome.dot.description))
            }
            let error = APIError(Self.status(of: reason), reason.rawValue, message)
            if Self.authorityReasons.contains(reason.rawValue) { try await access.recordRefusal(principal, route: route, error, now: now) }
            throw error
        }
    }

    /// A field worker's principal; an administrator writes no household data.
    func fieldStaff(_ request: Request, _ context: DoorstepRequestContext, route: String, budget: RequestBudget = .request) async throws -> Principal {
        let principal = try await principal(request, context, route: route, budget: budget)
        guard principal.worker.role != .administrator else {
            let error = DirectoryError(.forbidden, "\(route) is for field staff; administrator \(principal.worker.id) writes no household data")
            try await access.recordRefusal(principal, route: route, error, now: clock())
            throw error
        }
        return principal
    }

    /// The record a resolution names.
    static func resolutionRecord(_ d: ResolutionDocument) throws -> RecordKey {
        guard let collection = RecordCollection(name: d.collection) else {
            throw APIError(.badRequest, "invalid_argument", "no collection \"\(d.collection.prefix(40))\"; one of \(RecordCollection.allCases.map(\.name).joined(separator: ", "))")
        }
        guard let id = RecordID(uuidString: d.id) else { throw APIError(.badRequest, "invalid_argument", "record id \"\(d.id.prefix(40))\" is not a UUID") }
        return RecordKey(collection, id, scope: try VillageCode(validating: d.village))
    }

    /// Whether the store holds the record `key` names, in any collection.
    static func holdsRecord(_ key: RecordKey, in store: any SyncStore) async throws -> Bool {
        for collection in [key.collection] + RecordCollection.allCases where try await store.record(RecordKey(collection, key.id, scope: key.scope)) != nil {
            return true
        }
        return false
    }

    /// The field of `collection` a resolution names.
    static func resolutionField(_ d: ResolutionDocument, in collection: RecordCollection) throws -> FieldSpec {
        guard let spec = collection.schema.field(named: d.field) else {
            throw APIError(.badRequest, "unknown_field", "\(collection.name) has no field \"\(d.field.prefix(40))\"")
        }
        return spec
    }

    static func status(of reason: RejectionReason) -> HTTPResponse.Status {
        switch reason {
        case .outsideScope, .roleNotAllowed, .recusal, .authorMismatch, .separationOfDuties: .forbidden
        case .unknownRecord: .notFound
        // What the document names does not fit the record or field: the request is wrong.
        case .invalidValue, .unknownField, .invalidTransition, .immutable, .wrongRecord: .badRequest
        default: .conflict
        }
    }
}
