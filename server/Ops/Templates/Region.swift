extension OpsTemplates {
    /// A place of the drill-down (city, county, township or village): its summary, its alerts,
    /// its children as coloured rows (places, or a village's devices), paged and sorted, and
    /// the devices assigned to the place itself.
    static let region = """
        {{<layout}}{{$main}}
        <h1>{{heading}} <small>{{levelEnglish}}</small></h1><p class="meta">{{code}} · 生成于 <small>generated</small> {{generated}} (UTC+8)</p>
        {{>searchForm}}
        {{#hasExports}}<p class="exports">导出 CSV <small>export</small>: {{#exports}}<span class="option"><a class="export" href="{{href}}">{{label}} <small>{{english}}</small></a></span>{{/exports}}</p>{{/hasExports}}
        <h2 id="summary">概况 <small>summary</small></h2>
        {{>summary}}
        {{#trend}}<h2 id="trend">近 14 天同步 <small>syncs and failures per hour, last 14 days</small></h2>
        {{>chart}}{{/trend}}
        {{#conflicts}}<h2 id="conflict-trend">近 30 天冲突 <small>conflicts opened and resolved per day, last 30 days</small></h2>
        {{>chart}}{{/conflicts}}
        {{#backlog}}<h2 id="backlog-trend">近 14 天未同步 <small>unsynced changes and the oldest one's age in days, per hour, last 14 days</small></h2>
        {{>chart}}{{/backlog}}{{#age}}{{>chart}}{{/age}}
        {{#shares}}<h2 id="share-trend">近 14 天按时同步 <small>percent of devices synced within 3 and 7 days, per hour, last 14 days</small></h2>
        {{>chart}}{{/shares}}
        {{#supervision}}<h2 id="supervision">督办 <small>supervision: the work waiting behind the sync</small></h2>
        <p class="meta">{{note}} <small>({{noteEnglish}})</small> · <a class="export" href="{{csv}}">导出 CSV <small>export</small></a></p>
        <table class="summary"><tr>{{#counts}}<td id="supervision-{{key}}" class="{{signal}}"><b>{{value}}</b><br>{{label}} <small>{{english}}</small></td>{{/counts}}</tr></table>
        {{#hasRows}}<table class="places supervision"><tr><th scope="col">{{childHeading}} <small>{{childEnglish}}</small></th>{{#columns}}<th scope="col">{{label}} <small>{{english}}</small></th>{{/columns}}</tr>
        {{#rows}}<tr class="supervision-row" id="supervision-{{code}}"><th scope="row"><a href="{{href}}">{{name}}</a><br><small>{{code}}</small></th>{{#cells}}<td data-kind="{{key}}">{{value}}</td>{{/cells}}</tr>
        {{/rows}}</table>{{/hasRows}}{{/supervision}}
        {{>alerts}}
        {{#places}}<h2 id="children">{{heading}} <small>{{headingEnglish}}</small> ({{total}})</h2>
        {{>sortBar}}
        <table class="places"><tr><th scope="col">名称 <small>name</small></th><th scope="col">设备 <small>devices</small></th><th scope="col">活跃 <small>active</small></th><th scope="col">停滞 <small>stale</small></th><th scope="col">未同步更改 <small>unsynced</small></th><th scope="col">最早未同步 <small>oldest unsynced</small></th><th scope="col">最近成功同步 <small>last successful sync</small></th><th scope="col">7 天内同步 <small>synced within 7 days</small></th><th scope="col">待审冲突 <small>conflicts</small></th><th scope="col">告警 <small>alerts</small></th></tr>
        {{#rows}}<tr class="place" id="place-{{code}}" data-signal="{{signal}}"><th scope="row"><a href="{{href}}">{{name}}</a><br><small>{{code}}</small></th><td>{{devices}}</td><td>{{active}}</td><td class="{{staleSignal}}">{{stale}}</td><td class="{{unsyncedSignal}}">{{unsynced}}</td><td>{{oldestAge}}<br><small>{{oldest}}</small></td><td class="{{signal}}">{{lastSuccess}}</td><td class="{{shareSignal}}">{{syncedShare}}</td><td class="{{conflictSignal}}">{{conflicts}}</td><td class="{{alertSignal}}">{{alerts}}</td></tr>
        {{/rows}}</table>
        {{>pager}}{{/places}}
        {{#devices}}<h2 id="devices">{{heading}} <small>{{headingEnglish}}</small> ({{total}})</h2>
        {{>sortBar}}
        {{>deviceTable}}
        {{>pager}}{{/devices}}
        {{#assigned}}<h2 id="assigned">{{heading}} <small>{{headingEnglish}}</small> ({{total}})</h2>
        {{>deviceTable}}{{#more}}<p>{{more}}</p>{{/more}}{{/assigned}}
        {{/main}}{{/layout}}
        """

    /// The summary of a place: one cell per figure, coloured where a figure signals.
    static let summary = """
        <table class="summary"><tr>{{#figures}}<td id="figure-{{key}}" class="{{signal}}"><b>{{value}}</b><br>{{label}} <small>{{english}}</small>{{#detail}}<br><small>{{detail}}</small>{{/detail}}</td>{{/figures}}</tr></table>
        """

    /// A place's alerts, the first of them when there are many.
    static let alerts = """
        <h2 id="alerts">告警 <small>alerts</small> ({{alertTotal}})</h2>
        {{^alertRows}}<p>无 <small>none</small></p>{{/alertRows}}{{#hasAlerts}}<table><tr><th scope="col">类型 <small>kind</small></th><th scope="col">对象 <small>subject</small></th><th scope="col">起始 <small>since</small></th><th scope="col">详情 <small>detail</small></th></tr>
        {{#alertRows}}<tr class="alert red"><td>{{kind}}</td><td>{{subject}}</td><td>{{since}}</td><td>{{detail}}</td></tr>
        {{/alertRows}}</table>{{#alertMore}}<p>{{alertMore}}</p>{{/alertMore}}{{/hasAlerts}}
        """

    /// The orders a list can take, the current one unlinked.
    static let sortBar = """
        <p class="sort">排序 <small>sort</small>: {{#sorts}}<span class="option">{{#href}}<a href="{{href}}">{{label}} <small>{{english}}</small></a>{{/href}}{{^href}}<b>{{label}} <small>{{english}}</small></b>{{/href}}</span>{{/sorts}}</p>
        """

    /// Which page of the list this is, with links to the neighbours.
    static let pager = """
        <p class="pager">第 {{page}} / {{pages}} 页 <small>page</small>{{#previous}} · <a href="{{previous}}" rel="prev">上一页 <small>previous</small></a>{{/previous}}{{#next}} · <a href="{{next}}" rel="next">下一页 <small>next</small></a>{{/next}}</p>
        """

    /// The search form every place page carries.
    static let searchForm = """
        <form class="search" method="get" action="/ops/search" role="search"><label for="q">搜索 <small>search: device, worker or village code</small></label> <input id="q" name="q" type="search" size="30" maxlength="64" value="{{query}}"> <button type="submit">搜索 <small>Search</small></button></form>
        """

    /// Devices as table rows, each coloured by its days since the last successful sync.
    static let deviceTable = """
        <table class="devices"><tr><th scope="col">设备 <small>device</small></th><th scope="col">人员 <small>worker</small></th><th scope="col">范围 <small>scope</small></th><th scope="col">最近成功同步 <small>last successful sync</small></th><th scope="col">最近失败 <small>last failure</small></th><th scope="col">未同步更改 <small>unsynced</small></th><th scope="col">最早未同步 <small>oldest unsynced</small></th><th scope="col">版本 <small>app / schema</small></th><th scope="col">最近耗时 <small>last exchange</small></th><th scope="col">预算 <small>budget</small></th></tr>
        {{#rows}}<tr class="device" id="device-{{id}}" data-signal="{{syncSignal}}"><th scope="row"><a href="/ops/devices/{{id}}">{{id}}</a><br><small>{{name}}</small></th><td>{{worker}}<br><small>{{role}}</small></td><td>{{#scopes}}<a href="{{href}}">{{label}}</a><br>{{/scopes}}</td><td class="{{syncSignal}}">{{lastSuccess}}</td><td>{{lastFailureTime}}<br><small>{{lastFailure}}</small></td><td class="{{unsyncedSignal}}">{{unsynced}}</td><td>{{oldestAge}}<br><small>{{oldestUnsynced}}</small></td><td>{{appVersion}} / {{schemaVersion}}</td><td class="{{durationSignal}}">{{lastDuration}}</td><td class="{{budgetSignal}}">{{budget}}</td></tr>
        {{/rows}}</table>
        """
}
