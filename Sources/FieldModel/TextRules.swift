/// Checks for free text, names and phone numbers: length in characters, no control characters.
public enum TextRules {
    /// Text of at most `maxLength` characters with no control character but newline and tab.
    public static func checkText(_ text: String, maxLength: Int, field: String) throws(ValidationError) {
        let count = text.count
        guard count <= maxLength else {
            throw ValidationError(field: field, problem: .tooLong, message: "\(count) characters, limit \(maxLength)")
        }
        if let bad = text.unicodeScalars.first(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) {
            throw ValidationError(field: field, problem: .controlCharacter,
                                  message: "control character U+\(String(bad.value, radix: 16, uppercase: true)) is not allowed")
        }
    }

    /// A person's name: 1–`maxLength` characters; letters, CJK, `·` and spaces; no digits or controls.
    public static func checkName(_ name: String, maxLength: Int, field: String) throws(ValidationError) {
        let trimmed = name.trimmingSpaces
        guard !trimmed.isEmpty else { throw ValidationError(field: field, problem: .empty, message: "name is empty") }
        guard name.count <= maxLength else {
            throw ValidationError(field: field, problem: .tooLong, message: "name has \(name.count) characters, limit \(maxLength)")
        }
        for s in name.unicodeScalars {
            if isControl(s) {
                throw ValidationError(field: field, problem: .controlCharacter,
                                      message: "control character U+\(String(s.value, radix: 16, uppercase: true)) in a name")
            }
            // Digits are the Unicode number categories (Nd, Nl, No). Not `numericType`: Unihan gives
            // 一 二 三 万 … a numeric value, and they are ordinary letters of Chinese names.
            if isNumber(s) || !(s.properties.isAlphabetic || s == " " || s == "·" || s == "•" || s == "-" || s == "'") {
                throw ValidationError(field: field, problem: .invalidCharacter,
                                      message: "character U+\(String(s.value, radix: 16, uppercase: true)) is not allowed in a name")
            }
        }
    }

    /// A phone number: 7–20 characters of digits, `+`, `-` and spaces, with at least 7 digits.
    public static func checkPhone(_ phone: String, field: String) throws(ValidationError) {
        guard phone.count <= 20 else {
            throw ValidationError(field: field, problem: .tooLong, message: "phone has \(phone.count) characters, limit 20")
        }
        guard phone.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x20 }) else {
            throw ValidationError(field: field, problem: .invalidCharacter, message: "phone may hold only digits, '+', '-' and spaces")
        }
        let digits = phone.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }.count
        guard digits >= 7 else {
            throw ValidationError(field: field, problem: .wrongLength, message: "phone has \(digits) digits, at least 7 expected")
        }
    }

    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.properties.generalCategory == .format && s.value != 0x200D
            || s.properties.generalCategory == .lineSeparator || s.properties.generalCategory == .paragraphSeparator
    }
}

extension String {
    /// The text without leading and trailing white space.
    public var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}
