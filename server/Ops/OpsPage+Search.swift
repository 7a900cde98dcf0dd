import Foundation
import FieldModel

extension OpsPage {
    /// Devices whose id, name or worker contains `text` (any case), or whose worker is assigned a
    /// place whose code starts with `text`; and the places whose code starts with it.
    public static func search(_ tree: OpsRegionTree, text: String?, query: OpsListQuery) throws(OpsError) -> String {
        let o = tree.overview
        let q = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard q.count <= 64 else { throw OpsError(.badRequest, "the search \"\(q.prefix(20))…\" is longer than 64 characters") }
        var view = SearchView(title: "搜索 search · Doorstep", crumbs: [Crumb(href: "/ops", label: "\(OpsRegion.city.name) city"), Crumb(href: nil, label: "搜索 search")],
                              hasCrumbs: true, query: q, hasQuery: !q.isEmpty, placeTotal: "0", hasPlaces: false, placeRows: [], placeMore: nil, devices: nil)
        guard !q.isEmpty else { return OpsTemplates.render(view, "search") }
        let needle = q.lowercased()
        let isCode = q.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        let places = isCode ? tree.figures.keys.filter { $0 != .city && $0.code.hasPrefix(q) }.sorted() : []
        let shown = places.prefix(OpsListQuery.pageSize)
        view.placeTotal = OpsFormat.count(places.count)
        view.hasPlaces = !places.isEmpty
        view.placeRows = shown.map { PlaceLink(href: $0.path, name: $0.name, level: "\($0.level.chinese) \($0.level.english)", code: $0.code) }
        view.placeMore = places.count > shown.count ? "显示前 \(shown.count) 个 (first \(shown.count) shown); 请输入更长的代码 (type more digits)" : nil
        let devices = o.devices.filter { d in
            d.id.lowercased().contains(needle) || d.name.lowercased().contains(needle) || d.worker.lowercased().contains(needle)
                || (isCode && (tree.homes(ofDevice: d.id) ?? []).contains { $0.code.hasPrefix(q) })
        }
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        view.devices = try deviceList(devices, heading: ("设备", "devices"), path: "/ops/search", extra: "q=\(encoded)&", query: query, tree: tree)
        return OpsTemplates.render(view, "search")
    }

    /// A page that cannot be shown: what was asked and why not.
    public static func problem(_ error: OpsError) -> String {
        let (heading, english) = error.code == .notFound ? ("未找到", "not found") : ("请求有误", "bad request")
        return OpsTemplates.render(ProblemView(title: "\(heading) · Doorstep", crumbs: [Crumb(href: "/ops", label: "\(OpsRegion.city.name) city")], hasCrumbs: true,
                                               heading: heading, headingEnglish: english, message: error.message), "problem")
    }
}
