import FieldModel
import SyncCore

/// The township's public notices and the workers' own relative filings.
extension Replica {
    /// 公示: publishes a notice of households of one village. Every listed household must be held
    /// by the device in the notice's village; the period runs forward and at least the minimum
    /// length.
    @discardableResult
    public func publishNotice(_ notice: PublicNotice) throws(ReplicaError) -> Change {
        try commit(RecordKey(.publicNotice, notice.id, scope: notice.village)) { local in
            try local.checkWrite(notice.village, creating: .publicNotice)
            for id in notice.households { _ = try local.household(id, of: .publicNotice, in: notice.village) }
            try local.checkCreate(notice.fieldValues, .publicNotice)
            return [.create(notice.fieldValues)]
        }[0]
    }

    /// Records objections raised against a notice and how many are resolved
    /// (`objectionCount`, `resolvedObjectionCount`, `objectionNotes`).
    @discardableResult
    public func updateNotice(_ id: RecordID, _ values: [PublicNotice.Field: FieldValue]) throws(ReplicaError) -> [Change] {
        try updateFields(id, values)
    }

    /// 近亲属备案: the worker files a close relative's household. A worker files only their own
    /// relatives (`staff` is the worker); an administrator files for anyone on the server.
    @discardableResult
    public func fileRelative(_ filing: RelativeFiling) throws(ReplicaError) -> Change {
        try commit(RecordKey(.relativeFiling, filing.id, scope: filing.village)) { local in
            _ = try local.household(filing.household, of: .relativeFiling, in: filing.village)
            try local.checkWrite(filing.village, creating: .relativeFiling)
            try local.checkCreate(filing.fieldValues, .relativeFiling)
            return [.create(filing.fieldValues)]
        }[0]
    }
}
