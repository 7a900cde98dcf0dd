/// What an attachment shows.
public enum AttachmentKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 入户照片: the home, as the worker found it.
    case homePhoto
    /// 证明材料: an income proof, a disability certificate, the signed authorisation to check the
    /// family's finances (家庭经济状况核对授权书).
    case documentPhoto
    /// 签字: the household's signature on the visit record.
    case signature
    case other
}

/// The content types an attachment may have, each recognised by its first bytes: a file is
/// accepted only when its bytes are what its record says.
public enum AttachmentContentType: String, Sendable, Hashable, Codable, CaseIterable {
    case jpeg = "image/jpeg"
    case png = "image/png"
    case pdf = "application/pdf"

    /// The bytes every file of the type starts with.
    public var signature: [UInt8] {
        switch self {
        case .jpeg: [0xFF, 0xD8, 0xFF]
        case .png: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        case .pdf: Array("%PDF-".utf8)
        }
    }

    /// The type whose signature `prefix` starts with, nil when none (too short, or another kind
    /// of file).
    public static func sniff(_ prefix: some Collection<UInt8>) -> AttachmentContentType? {
        allCases.first { prefix.starts(with: $0.signature) }
    }

    /// The bytes needed to recognise any type.
    public static let sniffLength = 8
}

/// Evidence of a visit (佐证材料): a photo, a scanned document or a signature, attached to a
/// household, a member, a visit or a discovery lead. The record is its metadata and syncs like
/// any other; its bytes travel apart, named by their SHA-256 (SPEC §15), so a file sent twice, or
/// attached twice, is stored once.
///
/// A household's attachment (of the household, a member or a visit) names the household, so scope,
/// village and recusal follow the household's; a lead's names the lead. Written once: a wrong
/// photo is deleted and taken again.
public struct Attachment: Sendable, Hashable, Codable {
    public var id: RecordID
    public var village: VillageCode
    public var householdID: RecordID?
    public var visitID: RecordID?
    public var memberID: RecordID?
    public var leadID: RecordID?
    public var kind: AttachmentKind
    public var contentType: AttachmentContentType
    public var byteCount: Int64
    /// Lower-case hex of the bytes' SHA-256.
    public var sha256: String
    public var takenOn: CalendarDate

    /// No file is larger, whatever a server allows (`PolicySettings.attachmentMaxBytes`).
    public static let schemaMaxBytes: Int64 = 32 << 20

    public init(id: RecordID, village: VillageCode, householdID: RecordID? = nil, visitID: RecordID? = nil,
                memberID: RecordID? = nil, leadID: RecordID? = nil, kind: AttachmentKind,
                contentType: AttachmentContentType, byteCount: Int64, sha256: String, takenOn: CalendarDate) {
        self.id = id
        self.village = village
        self.householdID = householdID
        self.visitID = visitID
        self.memberID = memberID
        self.leadID = leadID
        self.kind = kind
        self.contentType = contentType
        self.byteCount = byteCount
        self.sha256 = sha256
        self.takenOn = takenOn
    }

    /// The record the attachment belongs to: its visit, member or lead, else its household.
    public var parent: (collection: RecordCollection, id: RecordID)? {
        if let visitID { return (.visit, visitID) }
        if let memberID { return (.member, memberID) }
        if let leadID { return (.discoveryLead, leadID) }
        return householdID.map { (.household, $0) }
    }

    /// 64 lower-case hex digits.
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
