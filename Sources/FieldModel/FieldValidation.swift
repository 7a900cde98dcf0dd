extension FieldSpec {
    /// Checks `value` against the field's kind, as of the device's `today`.
    ///
    /// `null` is accepted only for optional fields. The error names `collection.field`; for a
    /// sensitive field (`Schema.isSensitive`) it says what is wrong without repeating the value.
    public func validate(_ value: FieldValue, in collection: RecordCollection, asOf today: CalendarDate) throws(ValidationError) {
        let path = "\(collection.name).\(name)"
        let reveal = !Schema.isSensitive(collection, id)
        /// The value as a message may show it: itself, or "the value" for a sensitive field.
        func shown(_ text: String) -> String { reveal ? text : "the value" }
        if case .null = value {
            guard optional else { throw ValidationError(field: path, problem: .empty, message: "a value is required") }
            return
        }
        switch (kind, value) {
        case (.bool, .bool):
            return
        case (.money(let max), .int(let v)):
            guard v >= 0 else { throw ValidationError(field: path, problem: .negative, message: "\(shown("\(v) fen")) is negative") }
            guard v <= max else { throw ValidationError(field: path, problem: .tooLarge, message: "\(shown("\(v) fen")) exceeds the limit \(max)") }
        case (.integer(let range), .int(let v)):
            guard range.contains(v) else {
                throw ValidationError(field: path, problem: .outOfRange, message: "\(shown("\(v)")) is outside \(range.lowerBound)…\(range.upperBound)")
            }
        case (.text(let maxLength, let required), .text(let t)):
            guard !required || !t.trimmingSpaces.isEmpty else { throw ValidationError(field: path, problem: .empty, message: "a text is required") }
            try TextRules.checkText(t, maxLength: maxLength, field: path)
        case (.personName(let maxLength), .text(let t)):
            try TextRules.checkName(t, maxLength: maxLength, field: path)
        case (.phone, .text(let t)):
            try TextRules.checkPhone(t, field: path)
        case (.date(let ahead), .date(let d)):
            let earliest = CalendarDate(year: 1900, month: 1, day: 1)!
            guard d >= earliest else { throw ValidationError(field: path, problem: .tooOld, message: "\(shown("\(d)")) is before \(earliest)") }
            let latest = today.adding(days: ahead)
            guard d <= latest else { throw ValidationError(field: path, problem: .inFuture, message: "\(shown("\(d)")) is after \(latest)") }
        case (.enumeration(let allowed), .text(let t)):
            guard allowed.contains(t) else {
                throw ValidationError(field: path, problem: .unknownValue,
                                      message: "\(shown("\"\(t.prefix(40))\"")) is not one of \(allowed.joined(separator: ", "))")
            }
        case (.idCard, .text(let t)):
            _ = try IDCardNumber(validating: t, asOf: today, field: path)
        case (.workerID, .text(let t)):
            do { _ = try WorkerID(validating: t) } catch {
                throw ValidationError(field: path, problem: error.problem, message: error.message)
            }
        case (.reference, .id):
            return
        case (.references(_, let maxCount), .ids(let ids)):
            guard !ids.isEmpty else { throw ValidationError(field: path, problem: .empty, message: "no records listed") }
            guard ids.count <= maxCount else {
                throw ValidationError(field: path, problem: .tooLarge, message: "\(ids.count) records listed, limit \(maxCount)")
            }
            guard Set(ids).count == ids.count else {
                throw ValidationError(field: path, problem: .inconsistent, message: "a record is listed twice")
            }
        default:
            throw ValidationError(field: path, problem: .unknownValue, message: "a \(value.kindName) value does not fit a \(kind.name) field")
        }
    }
}

extension CollectionSchema {
    /// Checks a whole-record create: every required field present, none unknown, each valid,
    /// and the rules across fields (`validateRecord`).
    public func validateCreate(_ values: FieldValues, asOf today: CalendarDate, settings: PolicySettings = .standard) throws(ValidationError) {
        for (id, _) in values where field(id) == nil {
            throw ValidationError(field: "\(collection.name).#\(id)", problem: .unknownValue, message: "\(collection.name) has no field \(id)")
        }
        for spec in fields {
            try spec.validate(values[spec.id] ?? .null, in: collection, asOf: today)
        }
        try validateRecord(values, settings: settings)
    }

    /// Checks one field update: the field exists, is not immutable, and the value is valid; given
    /// the record's values as they stand, also the rules across fields that read this one.
    public func validateUpdate(_ id: FieldID, _ value: FieldValue, of record: FieldValues? = nil, asOf today: CalendarDate,
                               settings: PolicySettings = .standard) throws(ValidationError) {
        guard let spec = field(id) else {
            throw ValidationError(field: "\(collection.name).#\(id)", problem: .unknownValue, message: "\(collection.name) has no field \(id)")
        }
        guard spec.merge != .immutable else {
            throw ValidationError(field: "\(collection.name).\(spec.name)", problem: .inconsistent,
                                  message: "\(collection.name).\(spec.name) is set once at creation; record a correction instead")
        }
        try spec.validate(value, in: collection, asOf: today)
        if var values = record {
            values[id] = value
            try validateRecord(values, touching: id, settings: settings)
        }
    }
}

extension FieldValue {
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .text: "text"
        case .date: "date"
        case .id: "id"
        case .ids: "ids"
        }
    }
}

extension ValueKind {
    public var name: String {
        switch self {
        case .bool: "bool"
        case .money: "money"
        case .integer: "integer"
        case .text: "text"
        case .personName: "name"
        case .phone: "phone"
        case .date: "date"
        case .enumeration: "enumeration"
        case .idCard: "ID number"
        case .workerID: "worker id"
        case .reference: "reference"
        case .references: "references"
        }
    }
}
