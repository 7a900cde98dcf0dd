extension OpsTemplates {
    /// A trend (`ChartView`) as inline SVG (HTML gives it its namespace, so no URL): an
    /// accessible label and title, the grid with its axis values, the buckets' dates, one line
    /// per series with its counts in `data-values` for tools and tests, and the legend below.
    static let chart = """
        <svg class="trend" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="{{label}}"><title>{{label}}</title>
        <text x="{{gridLeft}}" y="16" class="chart-title">{{title}}</text>
        {{#lines}}<line x1="{{gridLeft}}" x2="{{gridRight}}" y1="{{y}}" y2="{{y}}" class="grid"/><text x="{{axisX}}" y="{{y}}" dy="4" class="axis" text-anchor="end">{{label}}</text>
        {{/lines}}{{#ticks}}<text x="{{x}}" y="{{labelY}}" class="axis" text-anchor="{{anchor}}">{{label}}</text>{{/ticks}}
        {{#series}}<polyline class="{{key}}" data-values="{{values}}" points="{{points}}"/>{{/series}}</svg>
        <p class="legend">{{#series}}<span class="option key-{{key}}">{{name}} <small>{{english}}</small></span>{{/series}}</p>
        """
}
