import FieldModel
import Foundation
import ServerOps

/// 专项花名册: the special roster of households whose applicant is a close relative of a staff
/// member or village cadre (近亲属备案), one row per filing, withdrawn filings kept and marked.
/// County staff list their counties' rows; administrators all.
public struct SpecialRosterEntryDocument: Codable, Sendable, Hashable {
    public let filing: String
    public let village: String
    public let household: String
    /// The household's head, as the server holds it (nil when the household is gone).
    public let headName: String?
    /// The household's workflow status.
    public let status: String?
    /// The worker's id; nil for a person without an account.
    public let staff: String?
    public let staffName: String?
    /// The worker's role, or the post the filing names.
    public let position: String?
    public let relation: String
    public let filedOn: String
    public let withdrawnOn: String?

    public init(filing: RelativeFiling, household: Household?, worker: Worker?) {
        self.filing = filing.id.description
        village = filing.village.description
        self.household = filing.household.description
        headName = household?.headName
        status = household?.status.rawValue
        staff = filing.staff?.rawValue
        staffName = worker?.name ?? filing.staffName
        position = filing.staffPosition ?? worker.map { $0.role.chineseName }
        relation = filing.relation.rawValue
        filedOn = filing.filedOn.description
        withdrawnOn = filing.withdrawnOn?.description
    }
}

public enum SpecialRoster {
    /// The columns, as county sheets head them.
    public static let header = ["备案编号", "村代码", "户编号", "户主姓名", "办理状态", "工作人员账号", "姓名", "职务", "与申请人关系", "备案日期", "撤销日期"]

    /// The roster as CSV for a spreadsheet (`SpreadsheetCSV`: UTF-8 with a byte-order mark, so
    /// Excel reads the Chinese; CRLF lines; RFC 4180 quoting; formulas neutralised).
    public static func csv(_ entries: [SpecialRosterEntryDocument]) -> [UInt8] {
        var csv = SpreadsheetCSV(header: header)
        for e in entries {
            let status = e.status.flatMap(WorkflowStatus.init(rawValue:))?.chineseName ?? e.status ?? ""
            let relation = CloseRelation(rawValue: e.relation)?.chineseName ?? e.relation
            csv.append([e.filing, e.village, e.household, e.headName ?? "", status, e.staff ?? "", e.staffName ?? "", e.position ?? "",
                        relation, e.filedOn, e.withdrawnOn ?? ""])
        }
        return csv.bytes
    }
}
