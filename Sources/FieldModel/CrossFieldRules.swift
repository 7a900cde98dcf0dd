/// Rules across the fields of one record, checked on every create and on every write that
/// touches one of the fields a rule reads (the device, the server and the roster import alike):
///
/// - a member's disability grade goes with a kind: no kind, grade 0; a kind, grade 1–4;
/// - a covered household (在保, 复核, 调整) has a coverage or review date, so its next review is
///   always due on some day (动态管理);
/// - a notice runs forward, at least the minimum length, and resolves no more objections than
///   were raised;
/// - a filing names the person: a worker, or a name;
/// - an attachment has one parent (a household, with at most one of its members or visits, or a
///   lead), a SHA-256 in lower-case hex, and a size within the server's cap.
extension CollectionSchema {
    /// A rule: the fields it reads and the problem it finds, nil when it holds.
    struct CrossFieldRule {
        let fields: Set<FieldID>
        /// The field a violation is reported against (the one to correct), as its path.
        let reportedAs: String
        let problem: (FieldValues, PolicySettings) -> String?

        init<Key: FieldKey>(reading fields: [Key], reportedAs: Key, _ problem: @escaping (FieldReader<Key>, PolicySettings) -> String?) {
            self.fields = Key.ids(fields)
            self.reportedAs = reportedAs.path
            self.problem = { values, settings in problem(FieldReader(values), settings) }
        }
    }

    var crossFieldRules: [CrossFieldRule] {
        switch collection {
        case .member:
            [CrossFieldRule(reading: [Member.Field.disabilityKind, .disabilityGrade], reportedAs: .disabilityGrade) { r, _ in
                // Both fields are sensitive (SPEC §11.6): the message names neither value.
                guard let kind = r.value(.disabilityKind).textValue, let grade = r.value(.disabilityGrade).intValue else { return nil }
                if kind == DisabilityKind.none.rawValue, grade != 0 { return "a disability grade with no disability kind; name the kind or set grade 0" }
                if kind != DisabilityKind.none.rawValue, !(1...4).contains(grade) { return "a disability kind needs its grade 1–4; the grade given is outside it" }
                return nil
            }]
        case .household:
            [CrossFieldRule(reading: [Household.Field.status, .coveredSince, .lastReviewedOn], reportedAs: .coveredSince) { r, _ in
                guard let status = r.value(.status).textValue.flatMap(WorkflowStatus.init(rawValue:)), status.isCovered,
                      r.value(.coveredSince) == .null, r.value(.lastReviewedOn) == .null else { return nil }
                return "a household \(status.rawValue) (\(status.chineseName)) needs its coverage date (or its last review's): without one its review would never fall due"
            }]
        case .publicNotice:
            [CrossFieldRule(reading: [PublicNotice.Field.startsOn, .endsOn], reportedAs: .endsOn) { r, settings in
                guard let starts = r.value(.startsOn).dateValue, let ends = r.value(.endsOn).dateValue else { return nil }
                let days = starts.days(until: ends) + 1
                if ends < starts { return "the notice ends on \(ends), before it starts on \(starts)" }
                if days < settings.noticeMinimumDays { return "the notice runs \(days) days (\(starts) … \(ends)), under the minimum \(settings.noticeMinimumDays)" }
                return nil
            },
             CrossFieldRule(reading: [PublicNotice.Field.objectionCount, .resolvedObjectionCount], reportedAs: .resolvedObjectionCount) { r, _ in
                 guard let raised = r.value(.objectionCount).intValue, let resolved = r.value(.resolvedObjectionCount).intValue,
                       resolved > raised else { return nil }
                 return "\(resolved) objections resolved of \(raised) raised"
             }]
        case .relativeFiling:
            [CrossFieldRule(reading: [RelativeFiling.Field.staff, .staffName], reportedAs: .staffName) { r, _ in
                r.value(.staff) == .null && r.value(.staffName) == .null ? "a filing names the staff member: a worker id or a person's name" : nil
            }]
        case .attachment:
            [CrossFieldRule(reading: [Attachment.Field.householdID, .visitID, .memberID, .leadID], reportedAs: .householdID) { r, _ in
                let household = r.value(.householdID) != .null, lead = r.value(.leadID) != .null
                let below = [r.value(.visitID), r.value(.memberID)].filter { $0 != .null }.count
                if household == lead { return "an attachment belongs to a household or to a discovery lead: name exactly one of householdID and leadID" }
                if lead, below > 0 { return "a discovery lead's attachment names no visit or member" }
                if below > 1 { return "an attachment belongs to one record: a visit or a member of the household, not both" }
                return nil
            },
             CrossFieldRule(reading: [Attachment.Field.sha256], reportedAs: .sha256) { r, _ in
                 guard let hash = r.value(.sha256).textValue, !Attachment.isSHA256(hash) else { return nil }
                 return "sha256 \"\(hash.prefix(70))\" is not 64 lower-case hex digits"
             },
             CrossFieldRule(reading: [Attachment.Field.byteCount], reportedAs: .byteCount) { r, settings in
                 guard let size = r.value(.byteCount).intValue, size > settings.attachmentMaxBytes else { return nil }
                 return "the file is \(size) bytes; this server takes attachments of at most \(settings.attachmentMaxBytes)"
             }]
        case .visit, .discoveryLead:
            []
        }
    }

    /// Checks the rules across `values`, the record's whole values (as created, or as they stand
    /// after a write). With `touching`, only the rules that read that field: a write elsewhere
    /// is not refused for a rule it did not affect.
    public func validateRecord(_ values: FieldValues, touching field: FieldID? = nil, settings: PolicySettings = .standard) throws(ValidationError) {
        let touched = field.flatMap { self.field($0)?.id }
        for rule in crossFieldRules where touched == nil || rule.fields.contains(touched!) {
            if let problem = rule.problem(values, settings) {
                throw ValidationError(field: rule.reportedAs, problem: .inconsistent, message: problem)
            }
        }
    }
}
