#!/usr/bin/env python3
"""Runs axe-core (Deque's accessibility engine) on saved ops pages in headless Chromium.

    check-accessibility.py AXE_WHEEL PAGE.html...

AXE_WHEEL is the axe-playwright-python wheel from PyPI, which carries axe.min.js; only that
file is used, no Playwright. Each page is copied beside axe.min.js with a script that runs axe
for WCAG 2.0 and 2.1, levels A and AA (labels, contrast, names, structure), and writes the
violations into the page; Chromium's --dump-dom gives the page back after the script ran. The
pages carry no script of their own: the server's pages run none. Exits 1 naming each page,
rule and element that fails.
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

RUNNER = """<script src="axe.min.js"></script><script>
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(function (r) {
  var out = document.createElement('pre'); out.id = 'axe-result';
  out.textContent = JSON.stringify({passes: r.passes.length, violations: r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); })}; })});
  document.body.appendChild(out);
}, function (e) {
  var out = document.createElement('pre'); out.id = 'axe-result'; out.textContent = JSON.stringify({error: String(e)});
  document.body.appendChild(out);
});
</script>"""

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--allow-file-access-from-files", "--virtual-time-budget=30000", "--dump-dom"]


def axe_source(wheel):
    with zipfile.ZipFile(wheel) as z:
        name = next((n for n in z.namelist() if n.endswith("/axe.min.js")), None)
        if name is None:
            sys.exit(f"check-accessibility: {wheel} holds no axe.min.js")
        return z.read(name)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    wheel, pages = sys.argv[1], sys.argv[2:]
    source = axe_source(wheel)
    version = re.match(rb"/\*! axe v([\d.]+)", source)
    work = tempfile.mkdtemp(prefix="doorstep-axe-")
    failed = False
    try:
        with open(os.path.join(work, "axe.min.js"), "wb") as f:
            f.write(source)
        for page in pages:
            text = open(page, encoding="utf-8").read()
            if "</body>" not in text:
                sys.exit(f"check-accessibility: {page} has no </body>")
            target = os.path.join(work, os.path.basename(page))
            with open(target, "w", encoding="utf-8") as f:
                f.write(text.replace("</body>", RUNNER + "</body>", 1))
            dom = subprocess.run(CHROMIUM + ["file://" + target], capture_output=True, text=True, timeout=120).stdout
            match = re.search(r'<pre id="axe-result">(.*?)</pre>', dom, re.S)
            if not match:
                sys.exit(f"check-accessibility: axe gave no result for {page} (Chromium printed {len(dom)} characters)")
            result = json.loads(html.unescape(match.group(1)))
            if "error" in result:
                sys.exit(f"check-accessibility: axe failed on {page}: {result['error']}")
            for v in result["violations"]:
                failed = True
                print(f"check-accessibility: {page}: {v['id']} ({v['impact']}): {v['help']}: {', '.join(v['nodes'])}")
            print(f"check-accessibility: {os.path.basename(page)}: {result['passes']} rules pass, {len(result['violations'])} violated")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        sys.exit(1)
    print(f"check-accessibility: axe {version.group(1).decode() if version else '?'} (WCAG 2.1 A and AA) finds no violation on {len(pages)} pages")


if __name__ == "__main__":
    main()
