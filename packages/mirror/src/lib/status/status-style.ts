/** The status pages' stylesheet, inlined so each page is one self-contained file (no JavaScript). */
export const STATUS_CSS = `
:root { color-scheme: light; --fg: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa; --head: #1f3a5a;
  --add: #1c7c3a; --rem: #b42318; --upg: #1d5fa8; --other: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { background: var(--head); color: #fff; padding: 18px 28px 14px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header p { margin: 0; color: #d4dde8; }
header a { color: #fff; }
main { padding: 8px 28px 28px; max-width: 1400px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
h2 .mode { font-size: 12px; font-weight: normal; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; padding: 1px 8px; margin-left: 6px; vertical-align: middle; }
a { color: #1d5fa8; text-decoration: none; }
a:hover { text-decoration: underline; }
p.links, nav.files { margin: 4px 0 10px; color: var(--muted); }
p.links a, nav.files a { margin-right: 10px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; white-space: nowrap; }
thead th { background: #eef2f6; font-weight: 600; font-size: 13px; color: #3e4c59; }
tbody tr:hover { background: #fafbfc; }
tr.is-latest { background: #f1faf3; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.id { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; }
.muted { color: var(--muted); }
.add { color: var(--add); font-weight: 600; }
.rem { color: var(--rem); font-weight: 600; }
.upg { color: var(--upg); font-weight: 600; }
.other { color: var(--other); }
.zero { color: #9aa5b1; font-weight: normal; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; line-height: 20px; margin-right: 4px; white-space: nowrap; }
.badge.latest { background: #d3f0da; color: #14532d; }
.badge.pinned { background: #fdebc8; color: #7a4100; white-space: normal; }
.badge.first { background: #e4e7eb; color: #3e4c59; }
td.status { white-space: normal; min-width: 10em; max-width: 26em; }
td.details { white-space: normal; }
details summary { cursor: pointer; color: #1d5fa8; }
details ul { margin: 4px 0; padding-left: 18px; }
details li { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; }
details p { margin: 4px 0; font-size: 12px; word-break: break-all; }
tr.gap td { color: var(--muted); font-style: italic; }
.empty { background: #fff; border: 1px dashed var(--line); padding: 16px; }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 12px; background: #eef2f6; padding: 1px 4px; border-radius: 3px; }
`;
