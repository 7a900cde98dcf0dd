/// The ops pages, rendered from the templates of `OpsTemplates`: the city, a county, a township,
/// a village (`OpsPage+Region`), a device (`OpsPage+Device`), a search and a problem
/// (`OpsPage+Search`). Every page has the layout's logout button and breadcrumb, stays one page
/// of at most `OpsListQuery.pageSize` rows per list however large the fleet, and every text in
/// it is escaped by the template engine.
public enum OpsPage {}
