/// The county-level divisions of 运城市 (Yuncheng) with their real GB/T 2260 codes: the pilot city.
public enum Yuncheng {
    public static let city = CityCode(rawValue: 1408)

    public struct County: Sendable, Hashable {
        public let code: CountyCode
        public let name: String
    }

    public static let counties: [County] = [
        (140802, "盐湖区"), (140821, "临猗县"), (140822, "万荣县"), (140823, "闻喜县"),
        (140824, "稷山县"), (140825, "新绛县"), (140826, "绛县"), (140827, "垣曲县"),
        (140828, "夏县"), (140829, "平陆县"), (140830, "芮城县"), (140881, "永济市"),
        (140882, "河津市"),
    ].map { County(code: CountyCode(uncheckedRawValue: $0.0), name: $0.1) }

    public static func county(_ code: CountyCode) -> County? { counties.first { $0.code == code } }
}
