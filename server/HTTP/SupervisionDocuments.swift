import FieldModel
import ServerOps

/// A village's drill-down: the households of one supervision queue (or its open leads), as
/// `GET /v1/supervision/villages/{code}/households?kind=…` answers a field worker.
public struct SupervisionListDocument: Codable, Sendable, Hashable {
    public let village: String
    /// `overdue`, `due`, `investigated`, `notice` or `leads`.
    public let kind: String
    /// The day counted on (China Standard Time), and the last day of the `due` window.
    public let today: String
    public let dueThrough: String
    public let items: [SupervisionItemDocument]

    init(village: VillageCode, kind: SupervisionKind, window: SupervisionWindow, items: [SupervisionItem]) {
        self.village = village.description
        self.kind = kind.rawValue
        today = window.today.description
        dueThrough = window.lastDueDay.description
        self.items = items.map(SupervisionItemDocument.init)
    }
}

/// A household (its id, workflow step and next review date) or a lead (its id alone): no
/// personal field, nothing the worker could not pull.
public struct SupervisionItemDocument: Codable, Sendable, Hashable {
    public let id: String
    public let status: String?
    public let dueOn: String?

    init(_ item: SupervisionItem) {
        id = item.id.description
        status = item.status?.rawValue
        dueOn = item.dueOn?.description
    }
}
