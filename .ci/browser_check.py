#!/usr/bin/env python3
"""Renders Perceptron's HTML reports and SVG figures in headless Chromium and checks what a
person would see: each figure's marks where they belong, no text outside the page, no two
texts overlapping.

Usage: browser_check.py [--firefox FIREFOX] CHROMIUM OUT_DIR PAGE.html [PAGE.html ...]

For each page it (1) loads a copy with a small measuring script appended (the report itself
has none) and reads the boxes of figures, plot areas, heatmap cells and texts from
`--dump-dom`, at 1280 px and at 390 px (a phone: the body is set 390 px wide, as
Chromium's headless window is at least 500 px), (2) takes a 1280 px wide screenshot of the
whole page, and (3) checks, in the screenshot's pixels:
  - boundary figures: both class colours (Okabe-Ito blue #0072B2, vermillion #D55E00)
    inside the plot area;
  - loss figures: the training curve's colour (#0072B2) inside the plot area;
  - confusion heatmaps (counts): the darkest cell is one with the largest count;
and in the boxes: every text inside the page width at both widths, no page wider than the
window, and no two texts of one figure overlapping.

With --firefox, the loss, confusion, ROC, boundary and network figures of every page are
drawn once more, stacked on one 640 px page, by both Chromium and Firefox, and the two
screenshots must match: at most 1% of the pixels may differ by more than 64 in a channel
(text antialiasing differs between the engines; a misplaced or missing mark differs far more).
"""
import html
import json
import os
import re
import signal
import subprocess
import sys

from PIL import Image

MEASURE = r"""
<script>
(function () {
  function box(e) { var r = e.getBoundingClientRect();
    return [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY]; }
  var out = {width: document.body.clientWidth, scrollWidth: document.body.scrollWidth,
             height: document.documentElement.scrollHeight, figures: [], texts: []};
  document.querySelectorAll('svg[id]').forEach(function (svg) {
    var f = {id: svg.id, box: box(svg), plot: null, cells: [], texts: []};
    var area = svg.querySelector('.plot-area'); if (area) f.plot = box(area);
    svg.querySelectorAll('rect.cell').forEach(function (c) {
      f.cells.push({box: box(c), count: +c.getAttribute('data-count')}); });
    svg.querySelectorAll('text').forEach(function (t) {
      if (t.textContent.trim()) f.texts.push({text: t.textContent, box: box(t)}); });
    out.figures.push(f);
  });
  // A text inside a scrolling box (a wide table on a phone) is seen through that box: clip to it.
  function visible(e) { var b = box(e);
    for (var a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      var o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') { var c = box(a); b[0] = Math.max(b[0], c[0]); b[2] = Math.min(b[2], c[2]); }
    }
    return b; }
  document.querySelectorAll('h1,h2,h3,p,td,th,figcaption,pre,li,text').forEach(function (e) {
    if (e.textContent.trim()) out.texts.push({tag: e.tagName, text: e.textContent.slice(0, 60), box: visible(e)}); });
  var pre = document.createElement('pre'); pre.id = 'measurements'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""

BLUE = (0x00, 0x72, 0xB2)
VERMILLION = (0xD5, 0x5E, 0x00)
failures = []


# A headless browser renders one of these pages in 2-5 s, but now and then (seen once in a
# fresh-clone CI run on a loaded 2-core machine, never by hand in 13 tries) Chromium stops at
# ~3 % CPU and never exits. Each run is its own process group, killed whole when it overruns,
# and tried again: a page that hangs three times in a row is reported as a failure.
ENGINE_TIMEOUT_SECONDS = 90
ENGINE_TRIES = 3


def run_engine(command, what, output=None):
    """Runs a headless browser command and returns its stdout; kills and retries a hung one.

    `output`, where given, is a file the command must write (a screenshot): it is removed
    before each try, so a half-written file of a killed try is never read."""
    for attempt in range(1, ENGINE_TRIES + 1):
        if output and os.path.exists(output):
            os.remove(output)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        try:
            stdout, _ = process.communicate(timeout=ENGINE_TIMEOUT_SECONDS)
            return stdout
        except subprocess.TimeoutExpired:
            # The browser's helpers (renderer, GPU, zygote) share its process group.
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.communicate()
            print(f"  retry {what}: no exit after {ENGINE_TIMEOUT_SECONDS} s (try {attempt} of {ENGINE_TRIES}), killed")
    fail(f"{what}: the browser hung {ENGINE_TRIES} times in a row ({ENGINE_TIMEOUT_SECONDS} s each)")
    return ""


def chromium(binary, *args, output=None):
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--force-device-scale-factor=1", "--no-first-run", "--disable-extensions",
               "--run-all-compositor-stages-before-draw", *args]
    return run_engine(command, "Chromium " + " ".join(a for a in args if a.startswith("file://") or a == "--dump-dom"), output)


def measure(binary, page, width, out_dir):
    with open(page, encoding="utf-8") as f:
        text = f.read()
    probe = os.path.join(out_dir, os.path.basename(page) + f".probe{width}.html")
    with open(probe, "w", encoding="utf-8") as f:
        # Chromium's headless window is at least 500 px wide: a phone's width is set on the body.
        probe_text = text.replace("</body>", MEASURE + "</body>") if "</body>" in text else text + MEASURE
        if width < 500:
            probe_text = probe_text.replace("</head>", f"<style>body{{width:{width}px !important;margin:0}}</style></head>", 1)
        f.write(probe_text)
    dom = chromium(binary, f"--window-size={max(width, 500)},900", "--virtual-time-budget=10000", "--dump-dom",
                   "file://" + os.path.abspath(probe))
    found = re.search(r'<pre id="measurements">(.*?)</pre>', dom, re.S)
    if not found:
        raise SystemExit(f"{page}: Chromium returned no measurements (is JavaScript off?)")
    return json.loads(html.unescape(found.group(1)))


def fail(message):
    failures.append(message)
    print("  FAIL " + message)


def pixels(image):
    """The pixels of `image` as (r, g, b) tuples (Pillow 12 renamed getdata)."""
    return getattr(image, "get_flattened_data", image.getdata)()


def near(pixel, color, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], color))


def count_color(image, box, color, tolerance=40):
    left, top, right, bottom = (int(round(v)) for v in box)
    region = image.crop((max(left, 0), max(top, 0), min(right, image.width), min(bottom, image.height)))
    return sum(1 for p in pixels(region) if near(p, color, tolerance))


def overlap(a, b):
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width > 1 and height > 1


def check_page(binary, page, out_dir):
    name = os.path.splitext(os.path.basename(page))[0]
    print(f"== {name}")
    wide = measure(binary, page, 1280, out_dir)
    phone = measure(binary, page, 390, out_dir)
    for label, m in (("1280 px", wide), ("390 px", phone)):
        if m["scrollWidth"] > m["width"] + 1:
            fail(f"{name} at {label}: the page is {m['scrollWidth']} px wide in a {m['width']} px window")
        for t in m["texts"]:
            if t["box"][2] > m["width"] + 1 or t["box"][0] < -1:
                fail(f"{name} at {label}: text {t['text']!r} runs outside the page ({t['box'][0]:.0f}–{t['box'][2]:.0f} px)")
    height = min(wide["height"], 16000)
    shot = os.path.join(out_dir, name + ".png")
    chromium(binary, f"--window-size=1280,{height}", "--virtual-time-budget=10000", f"--screenshot={shot}",
             "file://" + os.path.abspath(page), output=shot)
    if not os.path.exists(shot):
        fail(f"{name}: Chromium wrote no screenshot")
        return []
    image = Image.open(shot).convert("RGB")
    print(f"  screenshot {shot}: {image.width}×{image.height}")
    checked = []
    for f in wide["figures"]:
        fid = f["id"]
        # Each figure's own picture, to look at (and for the docs).
        l, t, r, b = (int(round(v)) for v in f["box"])
        image.crop((max(l, 0), max(t, 0), min(r, image.width), min(b, image.height))).save(
            os.path.join(out_dir, f"{name}-{fid}.png"))
        texts = f["texts"]
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                if overlap(texts[i]["box"], texts[j]["box"]):
                    fail(f"{name} #{fid}: texts {texts[i]['text']!r} and {texts[j]['text']!r} overlap")
        if "boundary" in fid and f["plot"]:
            blue, red = count_color(image, f["plot"], BLUE, 30), count_color(image, f["plot"], VERMILLION, 30)
            if blue < 20 or red < 20:
                fail(f"{name} #{fid}: class colours missing in the plot area (blue {blue}, vermillion {red} pixels)")
            else:
                checked.append(f"{fid}: {blue} blue and {red} vermillion pixels in the plot area")
        if fid == "svg-loss" and f["plot"]:
            curve = count_color(image, f["plot"], BLUE, 40)
            if curve < 20:
                fail(f"{name} #{fid}: no training curve (#0072B2) inside the plot area ({curve} pixels)")
            else:
                checked.append(f"{fid}: {curve} curve-coloured pixels inside the axes")
        if fid == "svg-confusion" and f["cells"]:
            def darkness(cell):
                l, t, r, b = cell["box"]
                patch = image.crop((int(l) + 2, int(t) + 2, int(l) + 6, int(t) + 6))
                values = [0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2] for p in pixels(patch)]
                return -sum(values) / len(values)
            darkest = max(f["cells"], key=darkness)
            largest = max(c["count"] for c in f["cells"])
            if darkest["count"] != largest:
                fail(f"{name} #{fid}: the darkest cell holds {darkest['count']}, but the largest count is {largest}")
            else:
                checked.append(f"{fid}: the darkest cell holds the largest count, {largest}")
    for line in checked:
        print("  ok   " + line)
    print(f"  ok   {len(wide['figures'])} figures, {len(wide['texts'])} texts measured at 1280 and 390 px")
    return checked


COMPARED = ("svg-loss", "svg-confusion", "svg-roc", "svg-boundary", "svg-network")


def compare_engines(chromium_binary, firefox_binary, pages, out_dir):
    """Chromium and Firefox draw the same figures the same."""
    print("== Chromium against Firefox")
    figures = []
    for page in pages:
        with open(page, encoding="utf-8") as f:
            text = f.read()
        for fid in COMPARED:
            found = re.search(r'<svg [^>]*\bid="%s".*?</svg>' % fid, text, re.S)
            if found:
                figures.append(found.group(0))
    if not figures:
        fail("no figures to compare between Chromium and Firefox")
        return
    height = 0
    for svg in figures:
        width_box, height_box = (float(v) for v in re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', svg).groups())
        height += round(min(640, width_box) * height_box / width_box)
    page = os.path.join(out_dir, "engines.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write('<!doctype html><html lang="en"><head><meta charset="utf-8"><style>body{margin:0;width:640px;background:#fff}'
                'svg{display:block}</style></head><body>' + "".join(figures) + "</body></html>")
    shots = {}
    for engine, binary in (("chromium", chromium_binary), ("firefox", firefox_binary)):
        shot = os.path.abspath(os.path.join(out_dir, f"engines-{engine}.png"))
        if engine == "chromium":
            chromium(binary, f"--window-size=640,{height}", f"--screenshot={shot}", "file://" + os.path.abspath(page),
                     output=shot)
        else:
            # Firefox needs an absolute profile path (a relative one makes it write nothing).
            profile = os.path.abspath(os.path.join(out_dir, "firefox-profile"))
            os.makedirs(profile, exist_ok=True)
            run_engine([binary, "--headless", "--no-remote", "--profile", profile, f"--window-size=640,{height}",
                        "--screenshot", shot, "file://" + os.path.abspath(page)], "Firefox screenshot", output=shot)
        if not os.path.exists(shot):
            fail(f"{engine} wrote no screenshot of {page}")
            return
        shots[engine] = Image.open(shot).convert("RGB")
    a, b = shots["chromium"], shots["firefox"]
    if a.size != b.size:
        fail(f"Chromium drew the figures {a.size}, Firefox {b.size}")
        return
    differing = sum(1 for p, q in zip(pixels(a), pixels(b)) if max(abs(x - y) for x, y in zip(p, q)) > 64)
    share = differing / (a.width * a.height)
    message = f"{len(figures)} figures, {a.width}×{a.height} px: {100 * share:.3f}% of the pixels differ by more than 64"
    if share > 0.01:
        fail("Chromium and Firefox differ: " + message)
    else:
        print("  ok   " + message)


def main():
    arguments = sys.argv[1:]
    firefox = None
    if arguments[:1] == ["--firefox"]:
        firefox, arguments = arguments[1], arguments[2:]
    binary, out_dir, pages = arguments[0], arguments[1], arguments[2:]
    os.makedirs(out_dir, exist_ok=True)
    for page in pages:
        check_page(binary, page, out_dir)
    if firefox:
        compare_engines(binary, firefox, pages, out_dir)
    if failures:
        print(f"browser check: {len(failures)} problem(s)")
        sys.exit(1)
    print("browser check: every page passed")


if __name__ == "__main__":
    main()
