import FieldModel

/// A county's monthly assistance standards per person, in fen.
///
/// Yuncheng's counties set their own standards within the city's band: rural 低保 about
/// 550–600 元, urban about 700–720 元 a person-month; 特困 basic living support is at least 1.3
/// times the local 低保 standard. Derived from the county code, not the seed: a standard is a
/// fact of the county, the same in every dataset.
public struct ReliefStandards: Sendable, Hashable {
    public let ruralDibaoFen: Int64
    public let urbanDibaoFen: Int64

    public init(county: CountyCode) {
        let c = Int64(county.rawValue)
        ruralDibaoFen = 55_000 + 500 * (c % 11)
        urbanDibaoFen = 70_000 + 500 * (c % 5)
    }

    /// The standard per person for a household of `category`; 特困 follows the area it lives in.
    public func standard(for category: HouseholdCategory, urban: Bool) -> Int64 {
        switch category {
        case .ruralDibao: ruralDibaoFen
        case .urbanDibao: urbanDibaoFen
        case .extremePoverty: ReliefStandards.roundToYuan((urban ? urbanDibaoFen : ruralDibaoFen) * 13 / 10)
        }
    }

    /// Payments are made in whole yuan.
    static func roundToYuan(_ fen: Int64) -> Int64 { fen / 100 * 100 }
}
