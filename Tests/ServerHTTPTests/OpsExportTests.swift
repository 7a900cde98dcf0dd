import FieldModel
import Foundation
import ServerEngine
import ServerHTTP
import ServerOps
import SyncClientHTTP
import SyncCore
import Testing

@Suite("The ops tables download as CSV a spreadsheet opens, the rows the page shows", .serialized)
struct OpsExportTests {
    let A = HTTPFixture.villageA
    let B = HTTPFixture.villageB
    static let day: Int64 = 86_400_000

    /// Names a phone may give itself: a formula in three spellings, an address, and a comma and quotes.
    static let hostileNames = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+86 cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "王五,的 \"备用\" 手机"]

    /// A township with a conflict waiting, phones named by hostile hands, a village none of
    /// whose phones ever synced; eight days later every table has rows and alerts stand.
    @Test func everyTableDownloadsWithTheRowsOfThePage() async throws {
        try await Deployment.with { d in
            let (one, _, _) = try await ConflictAPITests().concurrentIncomes(d)
            var hostile: [String: String] = [:]
            for (i, name) in Self.hostileNames.enumerated() {
                let worker = HTTPFixture.assistant(A, 10 + i)
                try await d.create(worker)
                let code = try await d.admin.issueCode(worker: worker.id.rawValue)
                let result = try await DeviceEnrolment.enrol(server: d.running.url, code: code.code, replica: ReplicaID(UInt64(0x40 + i)), deviceName: name)
                hostile[result.identity.deviceID] = name
                if i % 2 == 0 { try await FieldDevice(result, directory: d.directory, server: d.running.url, clock: d.clock).syncOK() }
            }
            _ = try await d.enrol(HTTPFixture.assistant(B, 1), replica: 0x51)
            d.clock.advance(by: 8 * Self.day)

            let cookie = try await login(d)
            // The pages the tables come from: the city (alerts, export links), the device list, the
            // county (townships with their conflicts) and the township (villages).
            func get(_ path: String) async throws -> String { String(decoding: try await d.raw("GET", path, token: nil, headers: ["Cookie": cookie]).body, as: UTF8.self) }
            let page = try await get("/ops"), list = try await get("/ops/search?q=dev-")
            let county = try await get("/ops/counties/\(A.county)"), township = try await get("/ops/townships/\(A.township)")
            let overview = try await d.admin.opsOverview()
            #expect(overview.devices.count == 8 && overview.villages.count == 2 && overview.townships.count == 1)
            #expect(Set(overview.alerts.map(\.kind)) == [.silentVillage, .conflictWaiting], "\(overview.alerts)")

            // Devices: the page's rows in the page's order, each with the page's figures.
            let devices = try await download(d, "/ops/devices.csv", cookie: cookie, filename: "doorstep-devices-2026-12-08.csv")
            #expect(devices.header == ["设备 device", "设备名称 device name", "工作人员 worker", "角色 role", "范围 scope", "同步状态 sync signal",
                                       "最近成功同步 last successful sync", "最近失败 last failure", "失败原因 failure reason", "未同步修改 unsynced changes",
                                       "最早未同步 oldest unsynced", "应用版本 app version", "数据版本 schema version", "最近交换耗时(秒) last exchange (s)",
                                       "范围预算 scope budget"])
            #expect(devices.rows.map { $0.values[0] } == matches(#"id="device-([^"]+)""#, in: list))
            for row in devices.rows {
                let v = row.values
                let onPage = try #require(segment(of: list, from: "id=\"device-\(v[0])\"", to: "</tr>"))
                #expect(v.count == devices.header.count)
                #expect(v[6] == "从未 never" ? onPage.contains(">从未 never</td>") : onPage.contains(">\(v[6])</td>"), "\(v[0]) last success \(v[6])")
                #expect(onPage.contains(">\(v[9])</td>") && onPage.contains("data-signal=\"\(v[5].split(separator: " ").last!)\""))
                #expect(v[3] == "村级协理员", "the role in Chinese: \(v[3])")
                #expect(v[6] == "从未 never" || v[6].wholeMatch(of: /\d{4}-\d\d-\d\d \d\d:\d\d/) != nil)
            }
            // Hostile names come back as written, a formula behind an apostrophe so a sheet shows it as text.
            for (id, name) in hostile {
                let cell = try #require(devices.rows.first { $0.values[0] == id }).values[1]
                #expect(cell == ("=+-@".contains(name.first!) ? "'" + name : name), "\(id): \(cell)")
                #expect(!cell.hasPrefix("=") && !cell.hasPrefix("+") && !cell.hasPrefix("-") && !cell.hasPrefix("@"))
            }
            #expect(String(decoding: devices.bytes, as: UTF8.self).contains(#""王五,的 ""备用"" 手机""#), "RFC 4180 quoting")
            // Kept for scripts/check-ops.sh, which reads it again with Python's csv module.
            try FileManager.default.createDirectory(at: OpsArtefacts.directory, withIntermediateDirectories: true)
            try Data(devices.bytes).write(to: OpsArtefacts.directory.appendingPathComponent("devices.csv"))

            // Villages: the villages of the township's page; B's phone never synced.
            let villages = try await download(d, "/ops/villages.csv", cookie: cookie, filename: "doorstep-villages-2026-12-08.csv")
            #expect(villages.header == ["村 village", "设备数 devices", "3天内同步 synced ≤ 3 days", "7天内同步 synced ≤ 7 days", "30天内同步 synced ≤ 30 days",
                                        "最近成功同步 last successful sync", "状态 signal"])
            #expect(Set(villages.rows.map { $0.values[0] }) == Set(matches(#"id="place-([^"]+)""#, in: township)))
            #expect(villages.rows.first { $0.values[0] == B.description }?.values[5] == "从未 never")
            #expect(String(decoding: villages.bytes, as: UTF8.self).contains("\r\n\"=\"\"\(A)\"\"\","),
                    "a 12-digit village code is written as text a spreadsheet shows in full")

            // Conflicts waiting by township.
            let conflicts = try await download(d, "/ops/conflicts.csv", cookie: cookie, filename: "doorstep-conflicts-2026-12-08.csv")
            #expect(conflicts.header == ["乡镇 township", "待审冲突 conflicts waiting", "最早待审自 oldest waiting since"])
            #expect(conflicts.rows.map { $0.values[0] } == [A.township.description])
            #expect(conflicts.rows.map { $0.values[1] } == ["1"])
            let row = try #require(segment(of: county, from: "id=\"place-\(A.township)\"", to: "</tr>"))
            #expect(row.contains("class=\"amber\">1</td>"), "the county page shows the township's waiting conflict")

            // Alerts, one row per alert of the page.
            let alerts = try await download(d, "/ops/alerts.csv", cookie: cookie, filename: "doorstep-alerts-2026-12-08.csv")
            #expect(alerts.header == ["类型 kind", "对象 subject", "起始 since", "详情 detail"])
            #expect(alerts.rows.count == overview.alerts.count && alerts.rows.count == page.components(separatedBy: "<tr class=\"alert red\">").count - 1)
            #expect(alerts.rows.map { $0.values[1] } == overview.alerts.map(\.subject))
            #expect(alerts.rows.map { String($0.values[0].split(separator: " ").last!) } == overview.alerts.map(\.kind.rawValue))

            // One device's history: the rows of its page.
            let historyPage = String(decoding: try await d.raw("GET", "/ops/devices/\(one.deviceID)", token: nil, headers: ["Cookie": cookie]).body, as: UTF8.self)
            #expect(historyPage.contains("href=\"/ops/devices/\(one.deviceID)/history.csv\""))
            let history = try await download(d, "/ops/devices/\(one.deviceID)/history.csv", cookie: cookie,
                                             filename: "doorstep-history-\(one.deviceID)-2026-12-08.csv")
            #expect(history.header.first == "时间 time" && history.header.count == 11)
            #expect(history.rows.count >= 2 && history.rows.count == historyPage.components(separatedBy: "<tr class=\"sync\">").count - 1)
            for row in history.rows { #expect(historyPage.contains("<td>\(row.values[0])</td>") && row.values[2] == "ok") }

            // The city page links every export.
            for table in OpsExport.Table.allCases { #expect(page.contains("href=\"\(table.path)\""), "\(table.path) linked") }
        }
    }

    @Test func anExportNeedsTheOpsPagesAuthentication() async throws {
        try await Deployment.with { d in
            let device = try await d.enrol(HTTPFixture.assistant(A), replica: 0x61)
            try await device.syncOK()
            let paths = OpsExport.Table.allCases.map(\.path) + ["/ops/devices/\(device.deviceID)/history.csv"]
            for path in paths {
                for answer in [try await d.raw("GET", path, token: nil), try await d.raw("GET", path, token: device.token),
                               try await d.raw("GET", path, token: nil, headers: ["Cookie": "doorstep_session=dst_forged"])] {
                    #expect(answer.status == 401, "\(path): \(answer.status)")
                    #expect(!String(decoding: answer.body, as: UTF8.self).contains(device.deviceID), "\(path) leaks nothing")
                }
                // An administrator's token as a bearer header, as scripts send it, is accepted.
                #expect(try await d.raw("GET", path, token: d.adminToken).status == 200)
            }
            let cookie = try await login(d)
            #expect(try await d.raw("GET", "/ops/devices/dev-000000000000/history.csv", token: nil, headers: ["Cookie": cookie]).status == 404)
            _ = try await d.raw("POST", "/ops/logout", token: nil, headers: ["Cookie": cookie])
            #expect(try await d.raw("GET", "/ops/devices.csv", token: nil, headers: ["Cookie": cookie]).status == 401, "logout ends the session")
        }
    }

    /// Every value of up to three characters drawn from the troublesome ones survives writing
    /// and reading back (the project's RFC 4180 reader), a formula start behind an apostrophe.
    @Test func hostileValuesRoundTripAndNeverStartAFormula() throws {
        let alphabet = [",", "\"", "\n", "\r", "\r\n", "=", "+", "-", "@", "\t", "a", "中", " ", "'", "140821100201"]
        var values = [""]
        for _ in 0..<3 { values += values.flatMap { v in alphabet.map { v + $0 } } }
        values = Array(Set(values)).sorted()
        var csv = SpreadsheetCSV(header: ["值 value", "尾 end"])
        for v in values { csv.append([v, "end"]) }
        #expect(csv.bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let table = try CSVTable(bytes: csv.bytes, maxRows: values.count + 1)
        #expect(table.header == ["值 value", "尾 end"] && table.rows.count == values.count)
        for (v, row) in zip(values, table.rows) {
            let longNumber = v.count >= 12 && v.allSatisfy(\.isASCII) && v.allSatisfy(\.isNumber)
            let neutral = longNumber ? "=\"\(v)\"" : v.unicodeScalars.first.map { "=+-@\t\r".unicodeScalars.contains($0) } == true ? "'" + v : v
            #expect(row.values == [neutral, "end"], "\(v.debugDescription) read back as \(row.values)")
            #expect(SpreadsheetCSV.text(of: row.values[0]) == (longNumber ? v : neutral), "\(v.debugDescription) shown as \(row.values[0])")
        }
        // A device that names itself as a wrapped code gets the apostrophe, not an unwrapping.
        #expect(SpreadsheetCSV.field("=\"140821100201\"").hasPrefix("\"'="))
        #expect(SpreadsheetCSV.text(of: "'=\"140821100201\"") == "'=\"140821100201\"")
        #expect(SpreadsheetCSV.field("14082110020") == "14082110020", "11 digits Excel shows in full")
    }

    /// A row's cells as a spreadsheet shows them (long codes unwrapped from their `="…"`).
    struct Cells { let values: [String] }

    /// Opens an ops session with the administrator's token; returns the cookie a browser sends.
    func login(_ d: Deployment) async throws -> String {
        let login = try await d.raw("POST", "/ops/login", token: nil, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                    body: Array("token=\(d.adminToken)".utf8))
        return try #require(login.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
    }

    /// Downloads one export with the session's cookie and reads it as a spreadsheet would.
    func download(_ d: Deployment, _ path: String, cookie: String, filename: String,
                  sourceLocation: SourceLocation = #_sourceLocation) async throws -> (header: [String], rows: [Cells], bytes: [UInt8]) {
        let answer = try await d.raw("GET", path, token: nil, headers: ["Cookie": cookie])
        try #require(answer.status == 200, "\(path): \(answer.status)", sourceLocation: sourceLocation)
        #expect(answer.headers["content-type"] == "text/csv; charset=utf-8", sourceLocation: sourceLocation)
        #expect(answer.headers["content-disposition"] == "attachment; filename=\"\(filename)\"", sourceLocation: sourceLocation)
        #expect(answer.body.starts(with: [0xEF, 0xBB, 0xBF]), "\(path) starts with the byte-order mark", sourceLocation: sourceLocation)
        #expect(String(validating: answer.body, as: UTF8.self) != nil, "\(path) is UTF-8", sourceLocation: sourceLocation)
        let table = try CSVTable(bytes: answer.body, maxRows: 10_000)
        return (table.header, table.rows.map { Cells(values: $0.values.map(SpreadsheetCSV.text(of:))) }, answer.body)
    }

    func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
    }

    func segment(of text: String, from start: String, to end: String) -> Substring? {
        guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
        return text[a.lowerBound..<b.upperBound]
    }
}
