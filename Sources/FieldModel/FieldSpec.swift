/// A field's number within its collection: the stable id used on the wire and in storage.
public struct FieldID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (a: FieldID, b: FieldID) -> Bool { a.rawValue < b.rawValue }
}

/// What values a field accepts.
public enum ValueKind: Sendable, Hashable {
    case bool
    /// Integer fen (or a count), inclusive bounds.
    case money(max: Int64)
    case integer(ClosedRange<Int64>)
    /// Free text, at most `maxLength` characters, no control characters except newline; with
    /// `required`, not empty (or only spaces): an address, unlike a note, must say something.
    case text(maxLength: Int, required: Bool = false)
    /// A person's name: 1–`maxLength` characters, no digits or control characters.
    case personName(maxLength: Int)
    /// A mainland mobile or landline number: 7–20 digits, `+`, `-` or spaces.
    case phone
    /// A calendar date from 1900 to at most `maxDaysAhead` days after the validating device's today
    /// (one day of tolerance covers time zones and a clock slightly ahead).
    case date(maxDaysAhead: Int)
    /// One of the raw values of an enumeration.
    case enumeration([String])
    case idCard
    case workerID
    case reference(RecordCollection)
    case references(RecordCollection, maxCount: Int)
}

/// One field of a collection: its number, name, kind, merge policy, whether it may be empty,
/// and which roles may write it after creation.
public struct FieldSpec: Sendable, Hashable {
    public let id: FieldID
    public let name: String
    public let kind: ValueKind
    public let merge: MergePolicy
    public let optional: Bool
    /// Roles that may change the field on an existing record. Creation is governed by the
    /// collection's `creators`.
    public let writers: Set<Role>

    public init(_ id: UInt16, _ name: String, _ kind: ValueKind, _ merge: MergePolicy,
                optional: Bool = false, writers: Set<Role> = Schema.fieldStaff) {
        self.id = FieldID(id)
        self.name = name
        self.kind = kind
        self.merge = merge
        self.optional = optional
        self.writers = merge == .immutable ? [] : writers
    }
}
