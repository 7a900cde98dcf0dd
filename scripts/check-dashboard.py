#!/usr/bin/env python3
"""Checks the Grafana dashboard against the metrics the server exports.

    check-dashboard.py DASHBOARD.json METRICS.txt

The dashboard must be Grafana's dashboard JSON (schemaVersion 36 or later) with a Prometheus
datasource variable `datasource` that every panel and query uses, unique panel ids, a gridPos
on every panel inside the 24-column grid without overlaps, and at least one query on every
panel but rows. Every metric a PromQL `expr` names must be one the server exports: a sample name
in METRICS.txt (a scrape of /metrics; for a histogram its _bucket, _sum and _count), or a series
Prometheus itself adds (`up`); rate(), irate() and increase() apply to counters only, delta(),
idelta() and deriv() to gauges only (the kinds from the scrape's # TYPE lines). Exits 1 with a
message naming the panel and the metric otherwise.
"""
import json
import re
import sys

# Series Prometheus writes for every scrape target rather than the target exporting them.
PROMETHEUS_SERIES = {"up"}
# PromQL words that are not metric names: aggregation modifiers, set and vector-matching operators.
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"}
DATASOURCE = "${datasource}"


def fail(message):
    print(f"check-dashboard: {message}")
    sys.exit(1)


def metric_names(expr):
    """The metric names `expr` selects: identifiers left once strings, label matchers, ranges,
    grouping clauses, dashboard variables, function calls and keywords are taken out."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    text = re.sub(r"\$\{?\w+\}?", "", text)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in KEYWORDS:
            continue
        names.add(name)
    return names


def exported(metrics_path):
    names = set()
    with open(metrics_path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                names.add(re.match(r"[A-Za-z_:][\w:]*", line).group(0))
    return names


def types_of(metrics_path):
    """Each series name's kind from the scrape's # TYPE lines: a histogram's series count up."""
    kinds = {}
    with open(metrics_path, encoding="utf-8") as f:
        for line in f:
            match = re.match(r"# TYPE ([A-Za-z_:][\w:]*) (\w+)", line)
            if match:
                name, kind = match.groups()
                kinds[name] = kind
                if kind in ("histogram", "summary"):
                    for suffix in ("_bucket", "_sum", "_count"):
                        kinds[name + suffix] = "counter"
    return kinds


# rate() and increase() are only right on a counter (they treat a fall as a reset); delta() and
# deriv() only on a gauge.
COUNTER_FUNCTIONS = ("rate", "irate", "increase")
GAUGE_FUNCTIONS = ("delta", "idelta", "deriv")


def misapplied(expr, kinds):
    for function, name in re.findall(r"\b(\w+)\((?=\s*([A-Za-z_:][\w:]*))", expr):
        kind = kinds.get(name)
        if function in COUNTER_FUNCTIONS and kind not in (None, "counter"):
            yield f"{function}() over {name}, a {kind}: it counts each fall as a reset"
        if function in GAUGE_FUNCTIONS and kind not in (None, "gauge"):
            yield f"{function}() over {name}, a {kind}: use rate() or increase()"


def panels_of(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # a collapsed row keeps its panels inside


def main():
    if len(sys.argv) != 3:
        fail("usage: check-dashboard.py DASHBOARD.json METRICS.txt")
    path, metrics_path = sys.argv[1], sys.argv[2]
    try:
        with open(path, encoding="utf-8") as f:
            dashboard = json.load(f)
    except json.JSONDecodeError as error:
        fail(f"{path} is not valid JSON: {error}")
    for key in ("title", "uid", "schemaVersion", "panels", "templating"):
        if key not in dashboard:
            fail(f"{path} lacks the dashboard field \"{key}\"")
    if dashboard["schemaVersion"] < 36:
        fail(f"{path} has schemaVersion {dashboard['schemaVersion']}; Grafana 9+ writes 36 or later")
    variables = {v.get("name"): v for v in dashboard["templating"].get("list", [])}
    source = variables.get("datasource")
    if not source or source.get("type") != "datasource" or source.get("query") != "prometheus":
        fail(f"{path} needs a template variable \"datasource\" of type datasource over prometheus")
    if re.search(r"https?://", json.dumps(dashboard)):
        fail(f"{path} names an external address; the dashboard carries no external asset")

    known = exported(metrics_path)
    kinds = types_of(metrics_path)
    ids, cells, queries, used = set(), {}, 0, set()
    for panel in panels_of(dashboard):
        title = panel.get("title", "?")
        pid = panel.get("id")
        if not isinstance(pid, int) or pid in ids:
            fail(f"panel \"{title}\" has id {pid!r}, missing or taken by another panel")
        ids.add(pid)
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")) or grid["x"] + grid["w"] > 24 or grid["w"] < 1 or grid["h"] < 1:
            fail(f"panel \"{title}\" (id {pid}) has gridPos {grid}: needs integer h, w, x, y with x + w <= 24")
        for dx in range(grid["w"]):
            for dy in range(grid["h"]):
                cell = (grid["x"] + dx, grid["y"] + dy)
                if cell in cells:
                    fail(f"panel \"{title}\" (id {pid}) overlaps panel \"{cells[cell]}\" at column {cell[0]}, row {cell[1]}")
                cells[cell] = title
        if panel.get("type") == "row":
            continue
        targets = panel.get("targets") or []
        if not targets:
            fail(f"panel \"{title}\" (id {pid}) has no query")
        if panel.get("datasource", {}).get("uid") != DATASOURCE:
            fail(f"panel \"{title}\" (id {pid}) does not use the datasource variable {DATASOURCE}")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs):
            fail(f"panel \"{title}\" (id {pid}) repeats a refId: {refs}")
        for target in targets:
            expr = target.get("expr", "").strip()
            if not expr:
                fail(f"panel \"{title}\" (id {pid}) query {target.get('refId')} has no expr")
            if target.get("datasource", {}).get("uid") != DATASOURCE:
                fail(f"panel \"{title}\" (id {pid}) query {target.get('refId')} does not use {DATASOURCE}")
            names = metric_names(expr)
            if not names:
                fail(f"panel \"{title}\" (id {pid}) query {target.get('refId')} names no metric: {expr}")
            for name in sorted(names):
                if name not in known and name not in PROMETHEUS_SERIES:
                    fail(f"panel \"{title}\" (id {pid}) queries {name}, which the server does not export (not in {metrics_path})")
            for problem in misapplied(expr, kinds):
                fail(f"panel \"{title}\" (id {pid}) query {target.get('refId')}: {problem}")
            used |= names
            queries += 1
    print(f"check-dashboard: {path}: {len(ids)} panels, {queries} queries over {len(used)} metrics, every one exported, rates over counters only")


if __name__ == "__main__":
    main()
