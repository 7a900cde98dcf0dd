extension OpsTemplates {
    /// The whole fleet on one page: summary, alerts, devices, village coverage, conflicts, budget.
    static let overview = """
        {{<layout}}{{$main}}
        <h1>同步状态 Sync health</h1><p class="meta">generated {{generated}} (UTC+8)</p>
        <table class="summary"><tr>{{#summary}}<td><b>{{value}}</b><br><small>{{label}}</small></td>{{/summary}}</tr></table>
        <h2 id="alerts">Alerts 告警 ({{alertCount}})</h2>
        {{^alerts}}<p>None.</p>{{/alerts}}{{#hasAlerts}}<table><tr><th scope="col">kind</th><th scope="col">subject</th><th scope="col">since</th><th scope="col">detail</th></tr>
        {{#alerts}}<tr class="red"><td>{{kind}}</td><td>{{subject}}</td><td>{{since}}</td><td>{{detail}}</td></tr>
        {{/alerts}}</table>{{/hasAlerts}}
        <h2 id="devices">Devices 设备 ({{deviceCount}})</h2>
        <table><tr><th scope="col">device</th><th scope="col">worker</th><th scope="col">scope</th><th scope="col">last successful sync</th><th scope="col">last failure</th><th scope="col">unsynced</th><th scope="col">oldest unsynced</th><th scope="col">app / schema</th><th scope="col">last exchange</th><th scope="col">budget</th></tr>
        {{#devices}}{{>deviceRow}}
        {{/devices}}</table>
        <h2 id="villages">Coverage by village 村覆盖 ({{villageCount}})</h2>
        <table><tr><th scope="col">village</th><th scope="col">devices</th><th scope="col">synced ≤ 3 days</th><th scope="col">≤ 7 days</th><th scope="col">≤ 30 days</th><th scope="col">last successful sync</th></tr>
        {{#villages}}<tr class="village" id="village-{{village}}"><td>{{village}}</td><td>{{devices}}</td><td>{{synced3}}</td><td>{{synced7}}</td><td>{{synced30}}</td><td class="{{signal}}">{{lastSuccess}}</td></tr>
        {{/villages}}</table>
        <h2 id="conflicts">Conflicts waiting by township 待审冲突</h2>
        {{^townships}}<p>None.</p>{{/townships}}{{#hasTownships}}<table><tr><th scope="col">township</th><th scope="col">waiting</th><th scope="col">oldest since</th></tr>
        {{#townships}}<tr class="township" id="township-{{township}}"><td>{{township}}</td><td>{{waiting}}</td><td>{{oldest}}</td></tr>
        {{/townships}}</table>{{/hasTownships}}
        <h2 id="budget">Devices over their scope budget ({{overBudgetCount}})</h2>
        {{^overBudget}}<p>None.</p>{{/overBudget}}{{#hasOverBudget}}<ul>{{#overBudget}}<li>{{id}} — {{worker}}, {{scope}}</li>{{/overBudget}}</ul>{{/hasOverBudget}}
        {{/main}}{{/layout}}
        """

    /// One device of the fleet as a table row, its colour its days since the last successful sync.
    static let deviceRow = """
        <tr class="device" id="device-{{id}}" data-signal="{{syncSignal}}"><td><a href="/ops/devices/{{id}}">{{id}}</a><br><small>{{name}}</small></td><td>{{worker}}<br><small>{{role}}</small></td><td>{{scope}}</td><td class="{{syncSignal}}">{{lastSuccess}}</td><td>{{lastFailureTime}}<br><small>{{lastFailure}}</small></td><td class="{{unsyncedSignal}}">{{unsynced}}</td><td>{{oldestUnsynced}}</td><td>{{appVersion}} / {{schemaVersion}}</td><td class="{{durationSignal}}">{{lastDuration}}</td><td class="{{budgetSignal}}">{{budget}}</td></tr>
        """

    /// One device's exchanges, newest first.
    static let history = """
        {{<layout}}{{$main}}
        <p><a href="/ops">← all devices</a></p><h1>Sync history of {{device}}</h1>
        <table><tr><th scope="col">time</th><th scope="col">duration</th><th scope="col">result</th><th scope="col">pushed</th><th scope="col">rejected</th><th scope="col">pulled</th><th scope="col">bytes in / out</th><th scope="col">unsynced</th><th scope="col">app</th></tr>
        {{#records}}<tr class="sync"><td>{{time}}</td><td class="{{durationSignal}}">{{duration}}</td><td class="{{resultSignal}}">{{result}}{{#reason}}<br><small>{{reason}}</small>{{/reason}}</td><td>{{pushed}}</td><td>{{rejected}}</td><td>{{pulled}}</td><td>{{bytesIn}} / {{bytesOut}}</td><td>{{unsynced}}</td><td>{{app}}</td></tr>
        {{/records}}</table>
        {{/main}}{{/layout}}
        """
}
