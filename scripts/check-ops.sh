#!/usr/bin/env bash
# Checks what the ops tests saved in .build-tools/ops-check (run after the tests): the metrics
# with `promtool check metrics`, and the ops pages rendered by headless Chromium: the city, a
# county and a device page each with its heading, breadcrumb and logout, and the device list
# whose DOM must show every stranded device in a red row; screenshots are kept beside them
# (ops.png, county.png, device.png, devices.png). Then the
# alert rules of server/deploy: `promtool check rules`, `promtool test rules` (each alert firing
# and not), and every metric they name is one the server exports (in the saved metrics). The Grafana dashboard of server/deploy
# likewise (scripts/check-dashboard.py: its structure, and every metric its queries name). The
# devices export (devices.csv, with hostile device names) is read again with Python's csv module.
# The county page of the supervision tests (supervision.html) is rendered with its rows of
# counts. Last, axe-core checks the same pages for WCAG 2.1 A and AA (scripts/check-accessibility.py).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.build-tools/ops-check
for f in metrics.txt ops.html devices.html stranded.txt city.html county.html device.html devices.csv supervision.html; do
  [[ -s $dir/$f ]] || { echo "check-ops: $dir/$f is missing; the ops tests write it (swift test --filter 'OpsTests|OpsDrillDownTests|OpsExportTests|SupervisionTests')"; exit 1; }
done
promtool check metrics < "$dir/metrics.txt"
echo "check-ops: promtool accepts the metrics ($(grep -c '^doorstep_' "$dir/metrics.txt") doorstep samples)"

rules=server/deploy/alerts.yml
promtool check rules "$rules"
promtool test rules server/deploy/alerts.test.yml
for name in $(grep -oE '\b(doorstep|hb)_[a-z_]*[a-z]\b' "$rules" | sort -u); do
  grep -q "^$name[{ ]" "$dir/metrics.txt" || { echo "check-ops: $rules uses $name, which the server does not export"; exit 1; }
done
echo "check-ops: promtool checks and tests the alert rules ($(grep -c '^ *- alert:' "$rules") alerts); every metric they use is exported"

# The Grafana dashboard: Grafana's JSON, and every metric its queries name is exported.
python3 scripts/check-dashboard.py server/deploy/grafana-dashboard.json "$dir/metrics.txt"

# The devices export, read by another CSV reader than the tests' (Python's): UTF-8 with a
# byte-order mark, a header in Chinese and English, rows as wide as it, no cell a spreadsheet
# would run (but a long code of digits written as ="…", so it shows in full), and the hostile
# device names the tests gave back as text.
python3 - "$dir/devices.csv" <<'PY'
import csv, io, re, sys
raw = open(sys.argv[1], "rb").read()
def fail(message): sys.exit(f"check-ops: {sys.argv[1]}: {message}")
if not raw.startswith(b"\xef\xbb\xbf"): fail("no UTF-8 byte-order mark")
rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
header, body = rows[0], rows[1:]
if header[:2] != ["设备 device", "设备名称 device name"]: fail(f"header {header[:2]}")
for row in body:
    if len(row) != len(header): fail(f"a row of {len(row)} cells under {len(header)} columns: {row}")
    for cell in row:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r'="[0-9]{12,}"', cell):
            fail(f"cell {cell!r} would start a formula")
names = {row[1] for row in body}
for name in ("'=HYPERLINK(\"http://evil.example\",\"点我\")", "'@SUM(A1:A9)", '王五,的 "备用" 手机'):
    if name not in names: fail(f"the device name {name!r} did not come back")
print(f"check-ops: Python's csv reads the devices export ({len(body)} rows of {len(header)} columns, hostile names as text)")
PY

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --no-first-run)
# Renders $1.html to $1.png and its DOM to $1.dom.html; the page must show $2 and offer a logout.
render() {
  local page="file://$PWD/$dir/$1.html"
  "${chrome[@]}" --window-size=1400,1600 --screenshot="$PWD/$dir/$1.png" "$page" >/dev/null 2>&1
  [[ -s $dir/$1.png ]] || { echo "check-ops: Chromium wrote no screenshot of $1.html"; exit 1; }
  "${chrome[@]}" --dump-dom "$page" 2>/dev/null > "$dir/$1.dom.html"
  grep -q "$2" "$dir/$1.dom.html" || { echo "check-ops: the rendered $1.html lacks \"$2\""; exit 1; }
  grep -q 'action="/ops/logout"' "$dir/$1.dom.html" || { echo "check-ops: the rendered $1.html offers no logout"; exit 1; }
}
render ops '同步状态'
render city '同步状态'
render county 'aria-label="位置 breadcrumb"'
render device '同步记录'
render devices '搜索'
render supervision 'id="supervision-overdue"'
grep -q 'class="supervision-row"' "$dir/supervision.dom.html" || { echo "check-ops: the rendered supervision.html has no supervision rows"; exit 1; }
while read -r device || [[ -n $device ]]; do
  grep -q "id=\"device-$device\" data-signal=\"red\"" "$dir/devices.dom.html" \
    || { echo "check-ops: stranded device $device is not a red row in the rendered device list"; exit 1; }
done < "$dir/stranded.txt"
echo "check-ops: Chromium rendered the city, county, device and device-list pages ($(grep -o 'class="device"' "$dir/devices.dom.html" | wc -l) device rows, $(grep -c . "$dir/stranded.txt") red as expected); screenshots $dir/{ops,county,device,devices}.png"

# Accessibility: axe-core (from PyPI's axe-playwright-python wheel, its axe.min.js only) on the
# same pages in Chromium, WCAG 2.1 A and AA; any violation fails.
axe=.build-tools/axe/axe_playwright_python-0.1.8-py3-none-any.whl
if [[ ! -s $axe ]]; then
  venv=.build-tools/venv
  [[ -x $venv/bin/pip ]] || python3 -m venv "$venv" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$venv"; }
  "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps "axe-playwright-python==0.1.8" -d .build-tools/axe
fi
python3 scripts/check-accessibility.py "$axe" "$dir"/{ops,city,county,device,devices,supervision}.html
