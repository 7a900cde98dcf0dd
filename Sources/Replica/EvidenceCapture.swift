import DataProtection
import FieldModel
import Foundation
import GRDB
import SyncCore

/// Recording evidence (SPEC §15.1): the records and their files' upload queue in one
/// transaction, the files beside the database before it commits.
extension Replica {
    /// Records a visit with the evidence taken during it, in one transaction: the visit, an
    /// attachment per file (of the visit, or of the member an evidence names) and the files'
    /// upload queue rows all commit, or none does. Each file must be a JPEG, PNG or PDF by its
    /// bytes (`unsupportedContentType`) within `limits` (`fileTooLarge`); the visit and each
    /// attachment pass the checks their own writes pass. Returns the visit's change, then the
    /// attachments' in the order given.
    @discardableResult
    public func recordVisit(_ visit: Visit, evidence: [Evidence], limits: EvidenceLimits = .standard) throws(ReplicaError) -> [Change] {
        let files = try Self.capture(evidence, limits)
        let attachments = zip(evidence, files).map { item, file in
            Attachment(id: item.id, village: visit.village, householdID: visit.householdID,
                       visitID: item.memberID == nil ? visit.id : nil, memberID: item.memberID, kind: item.kind,
                       contentType: file.contentType, byteCount: file.byteCount, sha256: file.sha256, takenOn: item.takenOn)
        }
        return try commit([Self.visitWrite(visit)], attaching: Array(zip(attachments, files)), limits)
    }

    /// Attaches evidence to a record the device holds — a household, a member, a visit or a
    /// discovery lead — as `recordVisit(_:evidence:)` does to a new visit (an evidence naming a
    /// member attaches to that member of the household). Returns the attachments' changes.
    @discardableResult
    public func attachEvidence(to parent: EvidenceParent, _ evidence: [Evidence], limits: EvidenceLimits = .standard) throws(ReplicaError) -> [Change] {
        let files = try Self.capture(evidence, limits)
        let record = try existing(parent.collection, parent.id)
        var attachments: [Attachment] = []
        for (item, file) in zip(evidence, files) {
            var member = item.memberID
            if case .member(let id) = parent {
                guard member == nil || member == id else {
                    throw ReplicaError(.inconsistent, "evidence \(item.id) names member \(id) as its parent and member \(member!) as what it shows")
                }
                member = id
            }
            var visit: RecordID? = nil
            if case .visit(let id) = parent, member == nil { visit = id }
            var lead: RecordID? = nil
            if case .lead(let id) = parent { lead = id }
            attachments.append(Attachment(id: item.id, village: record.key.scope, householdID: lead == nil ? record.householdID : nil,
                                          visitID: visit, memberID: member, leadID: lead, kind: item.kind, contentType: file.contentType,
                                          byteCount: file.byteCount, sha256: file.sha256, takenOn: item.takenOn))
        }
        return try commit([], attaching: Array(zip(attachments, files)), limits)
    }

    /// A file read, recognised and hashed, ready to be kept.
    struct CapturedFile: Sendable {
        let bytes: [UInt8]
        let contentType: AttachmentContentType
        let sha256: String
        var byteCount: Int64 { Int64(bytes.count) }
    }

    /// Reads each evidence's bytes and refuses, before anything is written, a file that is not a
    /// JPEG, PNG or PDF or is over `limits`.
    static func capture(_ evidence: [Evidence], _ limits: EvidenceLimits) throws(ReplicaError) -> [CapturedFile] {
        var captured: [CapturedFile] = []
        var total: Int64 = 0
        for item in evidence {
            let bytes = try read(item, maxBytes: limits.fileMaxBytes)
            guard let contentType = AttachmentContentType.sniff(bytes.prefix(AttachmentContentType.sniffLength)) else {
                let start = bytes.prefix(AttachmentContentType.sniffLength).map { String(format: "%02x", $0) }.joined(separator: " ")
                throw ReplicaError(.unsupportedContentType,
                                   bytes.isEmpty ? "evidence \(item.id) is an empty file"
                                                 : "evidence \(item.id) starts with \(start): not a JPEG, PNG or PDF")
            }
            total += Int64(bytes.count)
            guard total <= limits.captureMaxBytes else {
                throw ReplicaError(.fileTooLarge, "evidence \(item.id) brings the files of one capture to \(total) bytes, over the cap of \(limits.captureMaxBytes)")
            }
            captured.append(CapturedFile(bytes: bytes, contentType: contentType, sha256: ContentHash.sha256(bytes)))
        }
        return captured
    }

    /// The bytes of `evidence`, refused over `maxBytes` (a file by its size, before it is read).
    private static func read(_ evidence: Evidence, maxBytes: Int64) throws(ReplicaError) -> [UInt8] {
        let tooLarge = { (size: Int64) in
            ReplicaError(.fileTooLarge, "evidence \(evidence.id) is \(size) bytes, over the cap of \(maxBytes)")
        }
        switch evidence.content {
        case .bytes(let bytes):
            guard bytes.count <= maxBytes else { throw tooLarge(Int64(bytes.count)) }
            return bytes
        case .file(let url):
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64) ?? nil
            if let size, size > maxBytes { throw tooLarge(size) }
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ReplicaError(.notFound, "evidence \(evidence.id): cannot read \(url.path)")
            }
            guard data.count <= maxBytes else { throw tooLarge(Int64(data.count)) }
            return Array(data)
        }
    }

    /// Keeps the files, then commits `records` and the attachments, each through its checks,
    /// with the files' queue rows in the same transaction. A failed write removes the files it
    /// created that no queued attachment names.
    private func commit(_ records: [RecordWrite], attaching evidence: [(Attachment, CapturedFile)],
                        _ limits: EvidenceLimits) throws(ReplicaError) -> [Change] {
        let settings = PolicySettings(attachmentMaxBytes: limits.fileMaxBytes)
        let files = evidenceFiles
        let createdAt = wallClock()
        var created: [String] = []
        do throws(ReplicaError) {
            for (_, file) in evidence {
                if try files.store(file.bytes, sha256: file.sha256) { created.append(file.sha256) }
            }
            let attachments = evidence.map { attachment, _ in
                RecordWrite(RecordKey(.attachment, attachment.id, scope: attachment.village)) { local in
                    try local.checkAttachment(attachment, settings: settings)
                    return [.create(attachment.fieldValues)]
                }
            }
            return try commit(records + attachments) { db in
                for (attachment, file) in evidence {
                    // Again under the write lock: a failed capture of the same bytes may have
                    // removed the file since it was stored above.
                    try files.store(file.bytes, sha256: file.sha256)
                    try EvidenceQueue.insert(db, attachment, createdAt: createdAt)
                }
            }
        } catch {
            let stored = created
            try? write { db in
                for sha256 in stored {
                    if try !EvidenceQueue.names(db, sha256) { try files.remove(sha256) }
                }
            }
            throw error
        }
    }
}
