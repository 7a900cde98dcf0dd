extension OpsTemplates {
    /// A trend line chart (`TrendChart`) as inline SVG (HTML gives it its namespace, so no URL): the values in data attributes for tools
    /// and tests, a title and an accessible label for screen readers, the grid with its axis
    /// values, the buckets' dates, the successful syncs and the failures as two lines.
    static let chart = """
        <svg class="trend" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="{{label}}" data-succeeded="{{succeededValues}}" data-failures="{{failureValues}}"><title>{{label}}</title>
        <text x="{{gridLeft}}" y="16" class="chart-title">{{title}}</text>
        {{#lines}}<line x1="{{gridLeft}}" x2="{{gridRight}}" y1="{{y}}" y2="{{y}}" class="grid"/><text x="{{axisX}}" y="{{y}}" dy="4" class="axis" text-anchor="end">{{label}}</text>
        {{/lines}}{{#ticks}}<text x="{{x}}" y="{{labelY}}" class="axis" text-anchor="{{anchor}}">{{label}}</text>{{/ticks}}
        <polyline class="succeeded" points="{{succeeded}}"/><polyline class="failures" points="{{failures}}"/></svg>
        <p class="legend"><span class="key-succeeded">成功 <small>succeeded</small></span> <span class="key-failures">失败 <small>failed</small></span></p>
        """
}
