import FieldModel

/// A place's supervision section (督办): its five counts, and one row per place one level down
/// that has anything to count. Counts only: the households behind them are listed by the API
/// to field staff whose scope covers the village (`GET /v1/supervision/villages/{code}/households`),
/// never on the ops pages, whose administrators have no record access.
public struct SupervisionTable: Sendable, Hashable {
    public let region: OpsRegion
    public let window: SupervisionWindow
    public let total: SupervisionCounts
    /// The places one level down with their counts, by code; empty for a village.
    public let children: [Place]

    public struct Place: Sendable, Hashable {
        public let region: OpsRegion
        public let counts: SupervisionCounts
    }

    /// The table of `region` from the counts grouped by `placeDivisor(of:)`, as the store reads them.
    public init(region: OpsRegion, window: SupervisionWindow, grouped: [Int64: SupervisionCounts]) {
        self.region = region
        self.window = window
        total = grouped.values.reduce(SupervisionCounts(), +)
        children = grouped.keys.sorted().compactMap { code in Self.child(of: region, code: code).map { Place(region: $0, counts: grouped[code]!) } }
    }

    /// What a village code is divided by to name the place one level down of `region`
    /// (a village names itself).
    public static func placeDivisor(of region: OpsRegion) -> Int64 {
        switch region {
        case .city: 1_000_000
        case .county: 1_000
        case .township, .village: 1
        }
    }

    static func child(of region: OpsRegion, code: Int64) -> OpsRegion? {
        switch region {
        case .city: .county(CountyCode(uncheckedRawValue: UInt32(code)))
        case .county: .township(TownshipCode(rawValue: UInt32(code)))
        case .township: .village(VillageCode(uncheckedRawValue: UInt64(code)))
        case .village: nil
        }
    }

    var view: OpsPage.SupervisionView {
        let (chinese, english) = OpsPage.childLevel(region)
        return OpsPage.SupervisionView(
            note: "按 \(window.today) 计 (UTC+8)；应复核指今天起 \(SupervisionWindow.dueDays) 天内到期；此处只列数字，户清单由辖区工作人员经 API 查看",
            noteEnglish: "as of \(window.today), China Standard Time; due = falls due today or within the next \(SupervisionWindow.dueDays) days; counts only: households are listed through the API to staff whose scope covers the village",
            counts: SupervisionKind.allCases.map { k in
                OpsPage.Figure(key: k.rawValue, value: OpsFormat.count(total[k]), label: k.label.chinese, english: k.label.english, detail: nil,
                               signal: total[k] > 0 && (k == .overdue || k == .leads) ? "amber" : "")
            },
            hasRows: !children.isEmpty, childHeading: chinese, childEnglish: english,
            columns: SupervisionKind.allCases.map { OpsPage.LabelledLink(href: nil, label: $0.label.chinese, english: $0.label.english) },
            rows: children.map { c in
                OpsPage.SupervisionRow(href: c.region.path, name: c.region.name, code: c.region.code,
                                       cells: SupervisionKind.allCases.map { OpsPage.SupervisionCell(key: $0.rawValue, value: OpsFormat.count(c.counts[$0])) })
            }, csv: csvPath)
    }

    /// Where the table downloads as CSV: `/ops/supervision.csv`, `/ops/counties/140821/supervision.csv`.
    public var csvPath: String { region == .city ? "/ops/supervision.csv" : "\(region.path)/supervision.csv" }

    /// `doorstep-supervision-140821-2026-11-30.csv`: the place and the day counted.
    public var filename: String { "doorstep-supervision-\(region == .city ? "city" : region.code)-\(window.today).csv" }

    /// The table as a spreadsheet: the place's row, then its children's, counts as plain numbers.
    public var csv: SpreadsheetCSV {
        var csv = SpreadsheetCSV(header: ["地区 place", "代码 code"] + SupervisionKind.allCases.map { "\($0.label.chinese) \($0.label.english)" })
        for place in [Place(region: region, counts: total)] + children {
            csv.append([place.region.name, place.region.code] + SupervisionKind.allCases.map { String(place.counts[$0]) })
        }
        return csv
    }
}
