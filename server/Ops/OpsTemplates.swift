import Mustache

/// The ops pages' templates, parsed once when first used: a layout (head, styles, the logout
/// form, the breadcrumb) and one template per view, each a Swift string under `Templates/` so
/// nothing has to be found on disk at run time. Mustache HTML-escapes every `{{value}}`, and no
/// template uses the unescaped forms, so every text a page shows is escaped.
enum OpsTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in templates {
            do { try library.register(text, named: name) } catch {
                preconditionFailure("ops template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    static let templates: [(String, String)] = [
        ("layout", layout), ("login", login), ("region", region), ("device", device), ("search", search), ("problem", problem),
        ("summary", summary), ("chart", chart), ("alerts", alerts), ("sortBar", sortBar), ("pager", pager), ("searchForm", searchForm), ("deviceTable", deviceTable),
    ]

    /// `view` (a struct whose properties the template names) rendered with the template `name`.
    static func render(_ view: Any, _ name: String) -> String {
        guard let text = library.render(view, withTemplate: name) else { preconditionFailure("no ops template named \(name)") }
        return text
    }
}
