extension OpsTemplates {
    /// One device: its row as its village shows it, then its exchanges, newest first.
    static let device = """
        {{<layout}}{{$main}}
        <h1>设备 {{device}} <small>device</small></h1><p class="meta">生成于 <small>generated</small> {{generated}} (UTC+8)</p>
        {{#current}}{{>deviceTable}}{{/current}}
        <h2 id="history">同步记录 <small>sync history</small> ({{recordCount}}) <small><a class="export" href="{{historyCSV}}">CSV 导出 export</a></small></h2>
        <table class="history"><tr><th scope="col">时间 <small>time</small></th><th scope="col">耗时 <small>duration</small></th><th scope="col">结果 <small>result</small></th><th scope="col">上传 <small>pushed</small></th><th scope="col">拒绝 <small>rejected</small></th><th scope="col">下载 <small>pulled</small></th><th scope="col">字节 <small>bytes in / out</small></th><th scope="col">未同步 <small>unsynced</small></th><th scope="col">版本 <small>app</small></th></tr>
        {{#records}}<tr class="sync"><td>{{time}}</td><td class="{{durationSignal}}">{{duration}}</td><td class="{{resultSignal}}">{{result}}{{#reason}}<br><small>{{reason}}</small>{{/reason}}</td><td>{{pushed}}</td><td>{{rejected}}</td><td>{{pulled}}</td><td>{{bytesIn}} / {{bytesOut}}</td><td>{{unsynced}}</td><td>{{app}}</td></tr>
        {{/records}}</table>
        {{/main}}{{/layout}}
        """

    /// The devices and places a search found.
    static let search = """
        {{<layout}}{{$main}}
        <h1>搜索 <small>search</small></h1>
        {{>searchForm}}
        {{#hasQuery}}<h2 id="places">地区 <small>places</small> ({{placeTotal}})</h2>
        {{^placeRows}}<p>无 <small>none</small></p>{{/placeRows}}{{#hasPlaces}}<ul class="places">{{#placeRows}}<li><a href="{{href}}">{{name}}</a> <small>{{level}} {{code}}</small></li>{{/placeRows}}</ul>{{#placeMore}}<p>{{placeMore}}</p>{{/placeMore}}{{/hasPlaces}}
        {{#devices}}<h2 id="devices">设备 <small>devices</small> ({{total}})</h2>
        {{>sortBar}}
        {{>deviceTable}}
        {{>pager}}{{/devices}}{{/hasQuery}}
        {{/main}}{{/layout}}
        """

    /// A page that cannot be shown, and why.
    static let problem = """
        {{<layout}}{{$main}}
        <h1>{{heading}} <small>{{headingEnglish}}</small></h1>
        <p>{{message}}</p>
        <p><a href="/ops">返回全市 <small>back to the city</small></a></p>
        {{/main}}{{/layout}}
        """
}
