/** The one stylesheet of the report (style.css). */
export const STYLE_CSS = `
:root { --ok: #7ccf86; --non-strict: #d9e36a; --informational: #a8c3df; --unimplemented: #bcaacb; --failed: #e46a6a;
  --missing: #eeeeee; --line: #d0d4d9; --muted: #5f6b76; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 1.5rem 3rem; color: #1d232a; }
h1 { font-size: 1.5rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
nav.top { margin: .75rem 0; display: flex; gap: 1rem; flex-wrap: wrap; }
nav.top a { text-decoration: none; }
.meta, .note { color: var(--muted); }
table { border-collapse: collapse; margin: .25rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .2rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #f3f5f7; position: sticky; top: 0; z-index: 1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.more { color: var(--muted); font-style: italic; white-space: nowrap; }

/* verdict colours: b-* for behavior, c-* for behaviorClose */
.b-ok { background: var(--ok); }
.b-non-strict { background: var(--non-strict); }
.b-informational { background: var(--informational); }
.b-unimplemented { background: var(--unimplemented); }
.b-failed { background: var(--failed); }
.v { display: inline-block; padding: 0 .35rem; border-radius: 3px; }
.c-ok .v-close, .v.c-ok { background: var(--ok); }
.c-informational .v-close, .v.c-informational { background: var(--informational); }
.c-wrong-code .v-close, .v.c-wrong-code { background: #f2a65a; }
.c-unclean .v-close, .v.c-unclean { background: #f5c84c; }
.c-failed .v-close, .v.c-failed, .c-failed-by-client .v-close, .v.c-failed-by-client { background: var(--failed); }

/* the grid */
table.grid { font-size: 12.5px; }
table.grid th.case { white-space: nowrap; font-weight: normal; }
table.grid th.case a { text-decoration: none; }
table.grid thead th { vertical-align: bottom; min-width: 7.5rem; }
table.grid th small { display: block; font-weight: normal; color: var(--muted); }
table.grid th.down, table.grid th.unavailable { background: #fbeaea; }
tr.group th { background: #e9edf1; text-align: left; font-weight: 600; }
tr.group.level-2 th { background: #f3f5f7; font-weight: 500; padding-left: 1.2rem; }
td.cell { position: relative; padding: 0; white-space: nowrap; }
td.cell a { display: block; padding: .15rem .45rem; color: #111; text-decoration: none; }
td.cell a:hover { outline: 2px solid #1d232a; outline-offset: -2px; }
td.cell .ms { color: #333; opacity: .75; margin-left: .35rem; font-size: 11px; }
td.cell .close-mark { font-size: 10px; margin-left: .3rem; padding: 0 .2rem; border-radius: 2px; background: rgba(255,255,255,.6); }
td.cell::after { content: ""; position: absolute; top: 0; right: 0; border-style: solid; border-width: 0 9px 9px 0; border-color: transparent; }
td.cell.c-informational::after { border-right-color: #3d6fa5; }
td.cell.c-wrong-code::after { border-right-color: #d9731c; }
td.cell.c-unclean::after { border-right-color: #c99a00; }
td.cell.c-failed::after, td.cell.c-failed-by-client::after { border-right-color: #8b0000; }
td.cell.not-run { background: repeating-linear-gradient(45deg, #f4f4f4, #f4f4f4 5px, #e8e8e8 5px, #e8e8e8 10px); color: var(--muted); }
td.cell.not-run a { color: var(--muted); }
label.filter { display: inline-block; margin: .5rem 0; }
body:has(#only-issues:checked) table.grid tr[data-case]:not(.has-issue) { display: none; }

/* totals */
table.totals td.all { background: var(--ok); }
table.totals td.some { background: var(--non-strict); }
table.totals td.none { background: var(--failed); }
table.totals tr.sub th { font-weight: normal; padding-left: 1.2rem; }

/* case page */
dl.outcome { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.outcome dt { font-weight: 600; }
dl.outcome dd { margin: 0; }
tr.matched td { background: #eef9ef; }
table#wirelog { font-size: 12px; }
table#wirelog tr.tx td.dir { color: #1f5fa8; font-weight: 600; }
table#wirelog tr.rx td.dir { color: #8a4b08; font-weight: 600; }
table#wirelog tr.event td { color: var(--muted); }
table#wirelog tr.frame td { background: #fafbfc; }
table#wirelog code.hex { word-break: break-all; }
.siblings a { margin-right: .6rem; }

/* history */
tr.regression td { background: #f8d3d3; }
tr.regression td.after { color: #8b0000; font-weight: 600; }
tr.fix td { background: #d5f0d9; }
tr.fix td.after { color: #1d6b2a; font-weight: 600; }
span.regression { color: #b00000; font-weight: 600; }
span.fix { color: #1d6b2a; font-weight: 600; }
`;
