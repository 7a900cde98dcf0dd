import FieldModel
import Foundation

/// A file the worker captured as evidence (佐证材料) — a photo, a document scan, a signature —
/// as the app hands it to the replica: the replica recognises its type by its bytes, names it by
/// its SHA-256, keeps it beside the database and queues its upload (`recordVisit(_:evidence:)`,
/// `attachEvidence(to:_:)`).
public struct Evidence: Sendable, Hashable {
    /// Where the bytes are.
    public enum Content: Sendable, Hashable {
        case bytes([UInt8])
        /// A file the app wrote (the camera's output): read once, when the evidence is recorded.
        case file(URL)
    }

    /// The attachment record's id (a version-7 id made on the device, like any record's).
    public var id: RecordID
    public var kind: AttachmentKind
    public var takenOn: CalendarDate
    /// With a visit: the member of the visit's household the evidence is about (an ID card, a
    /// disability certificate), attached to the member rather than to the visit.
    public var memberID: RecordID?
    public var content: Content

    public init(id: RecordID, kind: AttachmentKind, takenOn: CalendarDate, memberID: RecordID? = nil, content: Content) {
        self.id = id
        self.kind = kind
        self.takenOn = takenOn
        self.memberID = memberID
        self.content = content
    }
}

/// The record evidence is attached to without a new visit.
public enum EvidenceParent: Sendable, Hashable {
    case household(RecordID)
    case member(RecordID)
    case visit(RecordID)
    case lead(RecordID)

    var collection: RecordCollection {
        switch self {
        case .household: .household
        case .member: .member
        case .visit: .visit
        case .lead: .discoveryLead
        }
    }

    var id: RecordID {
        switch self {
        case .household(let id), .member(let id), .visit(let id), .lead(let id): id
        }
    }
}

/// How much evidence the device takes: a file over `fileMaxBytes`, or one capture (a visit with
/// its evidence, one `attachEvidence` call) adding more than `captureMaxBytes`, is refused before
/// anything is written. The app sets `fileMaxBytes` to the server's `attachmentMaxBytes`
/// (`GET /v1/info`) when it knows it: a file the server would refuse is better refused while
/// the worker can take it again.
public struct EvidenceLimits: Sendable, Hashable {
    public var fileMaxBytes: Int64
    public var captureMaxBytes: Int64

    public init(fileMaxBytes: Int64 = PolicySettings.defaultAttachmentMaxBytes, captureMaxBytes: Int64 = 32 << 20) {
        self.fileMaxBytes = min(fileMaxBytes, Attachment.schemaMaxBytes)
        self.captureMaxBytes = captureMaxBytes
    }

    public static let standard = EvidenceLimits()
}
