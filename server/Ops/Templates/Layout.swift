extension OpsTemplates {
    /// Every ops page: plain HTML with inline styles, no script and no external asset, so it
    /// works in an old browser of a county office, prints, and holds the strict content security
    /// policy. Dark text on light tints keeps the signal colours readable (contrast above 4.5:1).
    static let layout = """
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>{{title}}</title>
        <style>
        body{font-family:sans-serif;font-size:14px;margin:1em;color:#222}
        table{border-collapse:collapse;margin-bottom:1em}th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
        th{background:#eee}.green{background:#d9f2d9}.amber{background:#ffe4a8}.red{background:#f7c1c1}
        .summary td{font-size:16px}.meta{color:#555}small{color:#444}.logout{float:right}a{color:#0645ad}
        .crumbs{list-style:none;padding:0;margin:0 0 .5em}.crumbs li{display:inline}.crumbs li+li::before{content:" › "}
        .option+.option::before{content:" · "}.failed{color:#a00}
        svg.trend{width:100%;max-width:640px;height:auto;display:block}svg.trend .grid{stroke:#ccc;stroke-width:1}
        svg.trend .axis{font-size:11px;fill:#333}svg.trend .chart-title{font-size:13px;fill:#111;font-weight:bold}
        svg.trend polyline{fill:none;stroke-width:2}svg.trend .succeeded{stroke:#1f5fa8}svg.trend .failures{stroke:#b00020}
        svg.trend .opened{stroke:#b35900}svg.trend .resolved{stroke:#2e7d32}
        .key-succeeded{border-bottom:3px solid #1f5fa8}.key-failures{border-bottom:3px solid #b00020}
        .key-opened{border-bottom:3px solid #b35900}.key-resolved{border-bottom:3px solid #2e7d32}
        svg.trend .unsynced{stroke:#6a1b9a}svg.trend .oldest{stroke:#b00020}svg.trend .within3{stroke:#1f5fa8}svg.trend .within7{stroke:#2e7d32}
        .key-unsynced{border-bottom:3px solid #6a1b9a}.key-oldest{border-bottom:3px solid #b00020}.key-within3{border-bottom:3px solid #1f5fa8}.key-within7{border-bottom:3px solid #2e7d32}
        </style></head><body>
        {{^anonymous}}<form class="logout" method="post" action="/ops/logout"><button type="submit">退出 <small>Log out</small></button></form>{{/anonymous}}
        {{#hasCrumbs}}<nav aria-label="位置 breadcrumb"><ol class="crumbs">{{#crumbs}}<li>{{#href}}<a href="{{href}}">{{label}}</a>{{/href}}{{^href}}<span aria-current="page">{{label}}</span>{{/href}}</li>{{/crumbs}}</ol></nav>{{/hasCrumbs}}
        {{$main}}{{/main}}
        </body></html>

        """
}

extension OpsTemplates {
    /// The form that opens an ops session with an administrator token (posted, never in the address).
    static let login = """
        {{<layout}}{{$main}}
        <h1>Doorstep 同步状态 <small>sync health</small></h1>{{#failed}}<p class="failed">该令牌不是管理员令牌 <small>That token is not an administrator's.</small></p>{{/failed}}
        <form method="post" action="/ops/login"><label for="token">管理员令牌 <small>Administrator token</small></label> <input id="token" name="token" type="password" size="50" autocomplete="off">
        <button type="submit">登录 <small>Open</small></button></form>
        {{/main}}{{/layout}}
        """
}
