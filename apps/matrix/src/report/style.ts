/**
 * The one stylesheet of the report (style.css), shared by every page. A backslash at the end of a line continues the
 * line (a template literal's line continuation): the CSS text holds the rule on one line.
 */
export const STYLE_CSS = `
:root { --ok: #6cc070; --non-strict: #b3da7c; --informational: #cdeacb; --unimplemented: #c9bde0; --failed: #e4605e;
  --down: repeating-linear-gradient(45deg, #f1f1f1, #f1f1f1 5px, #e2e2e2 5px, #e2e2e2 10px);
  --line: #d0d4d9; --muted: #5f6b76; --head: #f3f5f7; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 1.25rem 2rem; color: #1d232a; }
h1 { font-size: 1.35rem; margin: .6rem 0 .1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
nav.top { margin: .75rem 0; display: flex; gap: 1rem; flex-wrap: wrap; }
nav.top a { text-decoration: none; }
.meta, .note { color: var(--muted); }
p.meta { margin: 0 0 .4rem; }
table { border-collapse: collapse; margin: .25rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .2rem .45rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: .6rem; overflow-x: auto; white-space: pre-wrap; \
word-break: break-all; }
.more { color: var(--muted); font-style: italic; white-space: nowrap; }
.wide { max-width: 100%; overflow-x: auto; }

/* outcome colours (o-*: how a case counts), Autobahn's behavior (b-*) and close (c-*) words */
.o-ok, .b-ok { background: var(--ok); }
.o-non-strict, .b-non-strict { background: var(--non-strict); }
.o-informational, .b-informational { background: var(--informational); }
.o-unimplemented, .b-unimplemented { background: var(--unimplemented); }
.o-failed, .b-failed { background: var(--failed); }
.o-target-down { background: var(--down); }
.v { display: inline-block; padding: 0 .35rem; border-radius: 3px; }
.v.c-ok { background: var(--ok); }
.v.c-informational { background: var(--informational); }
.v.c-wrong-code { background: #f2a65a; }
.v.c-unclean { background: #f5c84c; }
.v.c-failed, .v.c-failed-by-client { background: var(--failed); }

/* summary lines and the legend, above the grid */
table.summary { margin: .2rem 0 .3rem; font-size: 13px; }
table.summary th, table.summary td { padding: .1rem .5rem; white-space: nowrap; }
table.summary thead th { white-space: normal; vertical-align: bottom; }
table.summary td.part.s-ok { background: var(--ok); }
table.summary td.part.s-passed { background: var(--informational); }
table.summary td.part.s-failed { background: #f6c9c8; }
table.summary td.part.s-unimplemented { background: var(--unimplemented); }
table.summary td.part.s-target-down, table.summary td.s-not-run { background: var(--down); }
table.summary td.fail.s-failed { background: var(--failed); }
table.summary td.fail.s-none { color: var(--muted); }
p.legend { font-size: 12px; margin: .2rem 0; color: #333; max-width: 80rem; }
label.filter { display: inline-block; margin: 0 0 .3rem; font-size: 12.5px; }

/* index.html: the grid fills the window below the summary and scrolls inside its own box, so its header row and
   case-id column stay put and the page never scrolls sideways */
html { height: 100%; }
body.index { height: 100%; margin: 0; display: flex; flex-direction: column; }
body.index > header { flex: none; padding: 0 1.25rem; }
body.index > .grid-box { flex: 1 1 0; min-height: 14rem; margin: 0 1.25rem .75rem; }
details.counts { font-size: 12.5px; margin: .1rem 0; }
details.counts summary { cursor: pointer; color: #1f5fa8; }
.grid-box { overflow: auto; max-width: 100%; border: 1px solid var(--line); }
/* servers and clients: the page scrolls from one part to the other, each grid in a box nearly a window high */
body.index.parts { height: auto; display: block; }
body.index.parts > header, body.index.parts > section.part { padding: 0 1.25rem; }
body.index.parts > section.part > .grid-box { height: 85vh; min-height: 14rem; margin-bottom: .75rem; }
section.part > h2 small { font-size: 12.5px; font-weight: normal; margin-left: .5rem; }
table.grid { font-size: 12.5px; border-collapse: separate; border-spacing: 0; margin: 0; }
table.grid th, table.grid td { border-width: 0 1px 1px 0; }
table.grid thead th { position: sticky; top: 0; z-index: 2; vertical-align: bottom; min-width: 7.5rem; \
background: var(--head); }
table.grid th.case { position: sticky; left: 0; z-index: 1; background: #fff; white-space: nowrap; \
font-weight: normal; min-width: 5rem; }
table.grid thead th.corner { left: 0; z-index: 3; }
table.grid th.case a { text-decoration: none; }
table.grid th small { display: block; font-weight: normal; color: var(--muted); }
table.grid th.down, table.grid th.unavailable { background: #fbeaea; }
tr.group th.case { background: #e9edf1; font-weight: 600; white-space: normal; max-width: 16rem; }
tr.group.level-2 th.case { background: var(--head); font-weight: 500; padding-left: 1.1rem; }
tr.group td.gt { font-size: 11.5px; text-align: right; font-variant-numeric: tabular-nums; }
td.gt.s-ok { background: var(--ok); }
td.gt.s-passed { background: var(--non-strict); }
td.gt.s-failed { background: var(--failed); font-weight: 600; }
td.gt.s-unimplemented { background: var(--unimplemented); }
td.gt.s-target-down { background: var(--down); }
td.cell { position: relative; padding: 0; white-space: nowrap; }
td.cell a { display: block; padding: .15rem .45rem; color: #111; text-decoration: none; }
td.cell a:hover { outline: 2px solid #1d232a; outline-offset: -2px; }
td.cell .ms { color: #333; opacity: .75; margin-left: .35rem; font-size: 11px; }
td.cell .close-mark { font-size: 10px; margin-left: .3rem; padding: 0 .2rem; border-radius: 2px; \
background: rgba(255,255,255,.6); }
td.cell::after { content: ""; position: absolute; top: 0; right: 0; border-style: solid; border-width: 0 9px 9px 0; \
border-color: transparent; }
td.cell.c-informational::after { border-right-color: #3d6fa5; }
td.cell.c-wrong-code::after { border-right-color: #d9731c; }
td.cell.c-unclean::after { border-right-color: #c99a00; }
td.cell.c-failed::after, td.cell.c-failed-by-client::after { border-right-color: #8b0000; }
td.cell.timing a { background-image: repeating-linear-gradient(135deg, transparent 0 6px, rgba(0,0,0,.07) 6px 8px); }
td.cell .timing-mark { font-weight: 700; margin-left: .1rem; }
td.cell.not-run { background: var(--down); color: var(--muted); }
td.cell.not-run a, td.cell.o-target-down a { color: var(--muted); }
body:has(#only-issues:checked) table.grid tr[data-case]:not(.has-issue) { display: none; }

/* verdict counts below the grid */
table.totals th.outcome { font-weight: normal; }

/* case page */
table.kv th { font-weight: normal; background: var(--head); }
table.mono tbody th, table.mono td { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; \
font-size: 12.5px; }
table.outcomes tbody th, table.closing tbody th, table.stats tbody th { font-weight: normal; background: var(--head); \
white-space: nowrap; }
table.outcomes th:target { outline: 3px solid #1f5fa8; outline-offset: -3px; }
h3.impl { border-top: 1px solid var(--line); padding-top: .4rem; }
h4 { font-size: .95rem; margin: .6rem 0 .3rem; }
table.wirelog { font-size: 12px; }
table.wirelog td:nth-child(1), table.wirelog td:nth-child(2) { text-align: right; font-variant-numeric: tabular-nums; }
table.wirelog tr:is([data-kind=TO], [data-kind=TF]) td:nth-child(3) { color: #1f5fa8; font-weight: 600; }
table.wirelog tr:is([data-kind=RO], [data-kind=RF]) td:nth-child(3) { color: #8a4b08; font-weight: 600; }
table.wirelog tr:not([data-kind=TO], [data-kind=TF], [data-kind=RO], [data-kind=RF]) td { color: var(--muted); }
table.wirelog tr:is([data-kind=TF], [data-kind=RF]) td { background: #fafbfc; }
table.wirelog code:not(.text) { word-break: break-all; }
table.wirelog i { color: var(--muted); white-space: nowrap; }
table.stats small { color: var(--muted); font-size: inherit; }
td.all::after { content: ' · same for all'; color: var(--muted); font-style: italic; }
table.wirelog tr.cut td { text-align: center; font-style: italic; padding: 6px; }

/* history */
tr.regression td { background: #f8d3d3; }
tr.regression td.after { color: #8b0000; font-weight: 600; }
tr.fix td { background: #d5f0d9; }
tr.fix td.after { color: #1d6b2a; font-weight: 600; }
span.regression { color: #b00000; font-weight: 600; }
span.fix { color: #1d6b2a; font-weight: 600; }
tr.timing td { background-image: repeating-linear-gradient(135deg, transparent 0 6px, rgba(0,0,0,.06) 6px 8px); }
span.timing, a.timing { color: #6a4c93; }

/* releases: a release's first column opens with a heavier line; a changed cell is framed and carries its mark */
body.index > header > nav.top { margin: .5rem 0 .2rem; }
table.releases .release-start { border-left: 2px solid #7d8791; }
table.releases th small.since { font-size: 11px; }
td.cell > span.cell-text { display: block; padding: .15rem .45rem; }
td.cell.changed { box-shadow: inset 0 0 0 2px #1d232a; }
td.cell .change-mark { font-size: 10px; margin-right: .25rem; }
td.cell.change-regression .change-mark { color: #8b0000; }
td.cell.change-fix .change-mark { color: #0b4f1a; }
span.changed-sample { outline: 2px solid #1d232a; outline-offset: -2px; padding: 0 .25rem; }
ul.release-changes { margin: .2rem 0; padding-left: 1.2rem; font-size: 12.5px; max-height: 8rem; overflow: auto; }
body:has(#only-changed:checked) table.releases tr[data-case]:not(.changed),
body:has(#only-changed:checked) table.releases tr.group:not(.has-change) { display: none; }
`;
