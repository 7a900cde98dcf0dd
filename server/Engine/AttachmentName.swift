import FieldModel
import SyncCore

/// How the stores name attachment bytes: by the lower-case hex SHA-256 the record states.
public enum AttachmentName {
    /// `sha256` when it is 64 lower-case hex digits, so that no file name or key built from it
    /// can reach anything else.
    public static func checked(_ sha256: String) throws(SyncEngineError) -> String {
        guard Attachment.isSHA256(sha256) else {
            throw SyncEngineError(.invalidArgument, "\"\(sha256.prefix(80))\" is not 64 lower-case hex digits: no attachment bytes are named so")
        }
        return sha256
    }
}

extension RecordState {
    /// The SHA-256 an attachment record names its bytes by: what garbage collection keeps. Nil
    /// for another collection, and for a deleted attachment, whose field values the delete
    /// removed (its bytes then age out like unnamed ones).
    public var attachmentSHA256: String? {
        guard key.collection == .attachment else { return nil }
        return value(Attachment.Field.sha256.id).textValue
    }
}
