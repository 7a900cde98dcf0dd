import FieldModel

/// Renders households and their members as a county roster CSV (one row per person), the
/// format the server's roster import reads (SPEC §10.4): money in yuan, dates `YYYY-MM-DD`,
/// enumerations by their raw names, household columns repeated on every row of the household.
public enum RosterCSVWriter {
    public static let header = [
        "household_no", "village", "address", "phone", "category", "classification", "status", "monthly_standard", "monthly_amount",
        "monthly_income", "assets", "applied_on", "covered_since", "last_reviewed_on", "name", "id_number", "relation",
        "disability_kind", "disability_grade", "serious_illness", "labour_ability", "member_status",
    ]

    /// The roster of `households`, numbered from `firstNumber` in order, with each one's members.
    public static func render(_ households: [Household], members: [Member], firstNumber: Int = 1) -> String {
        let byHousehold = Dictionary(grouping: members, by: \.householdID)
        var lines = [header.joined(separator: ",")]
        for (n, h) in households.enumerated() {
            let household = [
                String(firstNumber + n), h.village.description, quoted(h.addressDetail), h.phone ?? "", h.category.rawValue,
                h.classification.rawValue, h.status.rawValue, yuan(h.monthlyStandardFen), yuan(h.monthlyAmountFen),
                yuan(h.monthlyIncomeFen), yuan(h.assetsFen), h.appliedOn.description, h.coveredSince?.description ?? "",
                h.lastReviewedOn?.description ?? "",
            ]
            for m in byHousehold[h.id] ?? [] {
                lines.append((household + [
                    quoted(m.name), m.idNumber.rawValue, m.relation.rawValue, m.disabilityKind.rawValue, String(m.disabilityGrade),
                    m.seriousIllness ? "是" : "否", m.labourAbility.rawValue, m.status.rawValue,
                ]).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Fen as yuan: 98050 → `980.50`.
    public static func yuan(_ fen: Int64) -> String {
        let cents = fen % 100
        return "\(fen / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// A value quoted when it holds a comma, a quote or a line break.
    public static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
