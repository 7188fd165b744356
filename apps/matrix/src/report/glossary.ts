/** glossary.html: the words of the report, explained once instead of on every case page. */
import { CLOSING_FIELDS } from './case-tables.js';
import { CLOSE_MARKS, TIMING_MARK } from './grid.js';
import { esc, page } from './html.js';
import { OUTCOME_LABEL, type Outcome } from './outcome.js';
import { verdictClass } from './verdicts.js';
import { HEX_PREVIEW_OCTETS, WIRELOG_HEAD_ROWS, WIRELOG_TAIL_ROWS } from './wirelog-render.js';

const OUTCOME_MEANING: Record<Outcome, string> = {
  ok: 'The implementation did what the case expects, and the close was OK or INFORMATIONAL. Passed.',
  'non-strict':
    'Accepted, but the implementation did not follow the specification strictly ' +
    '(e.g. it failed later than it could have). Passed.',
  informational: 'The case only records what happened; Autobahn rates it INFORMATIONAL by construction. Passed.',
  unimplemented:
    'The implementation does not implement the feature the case needs (e.g. permessage-deflate). ' +
    'Neither passed nor failed.',
  failed:
    'The behavior is FAILED, or the close behavior is other than OK and INFORMATIONAL, ' +
    'or the connection never opened (shown as NOT OPENED) whatever the behavior field holds.',
  'target-down':
    'Not played: the server could not be reached. Neither passed nor failed; the case keeps no page. ' +
    'A client column whose driver played no case says “driver failed” instead, with the driver’s exit and output.',
};

export function renderGlossaryPage(title: string): string {
  const outcomes = (Object.keys(OUTCOME_MEANING) as Outcome[])
    .map(
      (o) =>
        `<tr><th><span class="v o-${o}">${esc(OUTCOME_LABEL[o])}</span></th><td>${esc(OUTCOME_MEANING[o])}</td></tr>`,
    )
    .join('');
  const marks = Object.entries(CLOSE_MARKS)
    .map(
      ([close, mark]) =>
        `<tr><th><span class="v c-${verdictClass(close)}">${esc(mark)}</span></th>` +
        `<td>close behavior ${esc(close)}</td></tr>`,
    )
    .join('');
  const closing = CLOSING_FIELDS.map(
    ([key, why]) => `<tr id="field-${esc(key)}"><th><code>${esc(key)}</code></th><td>${esc(why)}</td></tr>`,
  ).join('');
  const wirelogRows = WIRELOG_HEAD_ROWS + WIRELOG_TAIL_ROWS;
  const body = [
    `<h1>${esc(title)} · glossary</h1>`,
    '<h2 id="roles">Servers and clients</h2>',
    '<p>The <strong>Servers</strong> part tests WebSocket servers: wsmatrix plays each case as the client ' +
      '(Autobahn’s fuzzingclient mode), masking what it sends. The <strong>Clients</strong> part tests clients: ' +
      'wsmatrix plays each case as the server (Autobahn’s fuzzingserver mode), sending unmasked frames, ' +
      'and each client’s driver asks for the cases one by one and echoes what it receives. ' +
      'The verdict rules are the same; the same case id is a different exchange in each part, so each part has ' +
      'its own grid, totals, case pages (<code>cases/</code>, <code>client-cases/</code>) and history, ' +
      'and results are stored apart (<code>&lt;results&gt;/clients/</code> for clients).</p>',
    '<p>Group 0 is wsmatrix’s own opening-handshake cases: requests a server must refuse or answer, and, ' +
      'for clients, responses a client must refuse or handle.</p>',
    '<p id="group-14">Group 14 is wsmatrix’s own permessage-deflate edge cases, not part of Autobahn|Testsuite: ' +
      'compressed frames Autobahn never sends, each case checking one rule of RFC 7692 (with RFC 6455 §5.2 ' +
      'and §5.5 for RSV1 on continuation and control frames) and stating it in its description. ' +
      'Its sub-groups: RSV1 on a continuation or control frame (14.1), the block structure of a compressed ' +
      'message: stored, final, empty and missing empty blocks (14.2), back-references to the edge of the ' +
      'window and uncompressed messages between compressed ones (14.3), the peer’s own compressor held to ' +
      'the agreed window and context takeover (14.4), invalid compressed data (14.5). ' +
      'The same cases are played in both roles: against servers with wsmatrix as the client, against clients ' +
      'with wsmatrix as the server. An implementation that does not negotiate permessage-deflate, or whose ' +
      'agreement rules out what a case relies on, gets UNIMPLEMENTED.</p>',
    '<h2 id="outcomes">How a case counts</h2>',
    "<p>Each case has Autobahn's two verdicts, <code>behavior</code> and <code>behaviorClose</code>. " +
      'The report colours a case, a group and a summary line by the one rule below ' +
      '(the same rule JUnit and the CLI use).</p>',
    `<table class="kv">${outcomes}</table>`,
    '<p>Summary lines keep the Autobahn catalogue (groups 1–13) apart from the cases written for wsmatrix, ' +
      'each counted on its own: group 0, the opening-handshake cases, and group 14, the permessage-deflate ' +
      'edge cases, so a FAILED says where it comes from. ' +
      '“Without NON-STRICT” counts only OK and INFORMATIONAL as passed.</p>',
    '<h2 id="close-marks">Close markers in the grid</h2>',
    `<table class="kv">${marks}</table>`,
    '<h2 id="timing-dependent">Timing-dependent verdicts</h2>',
    `<p>A case played more than once (<code>--repeat N</code>) whose verdict differed across its runs is ` +
      `timing-dependent: a hatched cell marked <span class="timing-mark">${esc(TIMING_MARK)}</span> ` +
      '(“OK~”), its tooltip and case page giving the counts (“OK 3/5, NON-STRICT 2/5”). ' +
      'Some verdicts depend on how the server’s reads fall against the runner’s writes, not on its code: ' +
      'in 3.3, 3.4, 4.1.5 and 4.2.5 whether the echo of a good message gets out before the server fails the ' +
      'connection on the bad frame that follows. Such a case passes when any of its runs passed (as in JUnit ' +
      'and the pass rule); the cell shows the worst verdict among the runs that passed, and ' +
      '<code>index.json</code> keeps the worst verdict seen with the counts in its own <code>repeats</code> ' +
      'field. The history, <code>wsmatrix diff</code> and <code>--expected</code> treat a change between two ' +
      'verdicts that one side’s repeats both saw as a timing-dependent flip, not as a regression or a fix.</p>',
    '<h2 id="times">Times</h2>',
    '<table class="kv">',
    '<tr><th>Case time</th><td>One case, from its connection opening to the end of the case ' +
      '(Autobahn’s duration). The small number in each grid cell.</td></tr>',
    '<tr><th>Summed case time</th><td>Every case time of an implementation added up. ' +
      'Cases run side by side, so it is more than the wall time.</td></tr>',
    '<tr><th>Wall time</th><td>What a clock on the wall shows for a whole run; ' +
      'the CLI prints it when a run ends. The report does not show it.</td></tr>',
    '<tr><th>Wire log time</th><td>Each wire log entry’s time in ms, ' +
      'counted from the start of the case’s connection attempt.</td></tr>',
    '</table>',
    '<h2 id="closing">Closing behaviour fields</h2>',
    `<table class="kv">${closing}</table>`,
    '<h2 id="wirelog">Wire log</h2>',
    '<p>TX is what wsmatrix sent, RX what the implementation under test sent (the server, or the client). ' +
      `Octet rows show the first ${HEX_PREVIEW_OCTETS} octets of each write or read in hex with the total length; ` +
      'frame rows decode each frame and show the start of its payload. ' +
      `A log longer than ${wirelogRows} rows shows its first ${WIRELOG_HEAD_ROWS} and last ${WIRELOG_TAIL_ROWS}; ` +
      'the row between them counts the others and links to the whole log in <code>servers/</code> ' +
      '(<code>clients/</code> for a client), ' +
      'where each implementation’s case reports (Autobahn’s per-case records, keyed by case id) ' +
      'are one gzip-compressed JSON file.</p>',
    '<p>On a case page, a value every implementation shares is shown once across their columns, ' +
      'and implementations that observed the same events share one table.</p>',
  ].join('\n');
  return page({
    title: `${title} · glossary`,
    root: '',
    nav: '<nav class="top"><a href="index.html">← Matrix</a><a href="history.html">History</a></nav>',
    body,
  });
}
