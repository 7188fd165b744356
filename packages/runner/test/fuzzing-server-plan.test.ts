/**
 * /getCasePlan (a wsmatrix extension) over the real endpoint, and a shipped client driver playing it: the
 * ws driver of @wsmatrix/targets (packages/targets/clients/ws-client.mjs, spawned by path: the runner does
 * not depend on the targets) against the real FuzzingServer, once as ws's own script plays (one case after
 * the other) and once with --plan. Concurrency is counted from the cases the server saw start and finish.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  autobahnCaseIds,
  caseById,
  clientCaseIds,
  isClientHandshakeCase,
  selectCaseIds,
  compareCaseIds,
  type CaseDef,
} from '@wsmatrix/cases';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FuzzingServer } from '../src/fuzzing-server/index.js';
import { cpuBoundConcurrency, defaultConcurrency, isCpuBound, runsAlone } from '../src/schedule.js';

const WS_DRIVER = fileURLToPath(new URL('../../targets/clients/ws-client.mjs', import.meta.url));
/** Safety net for a driver run on a loaded machine, never a figure a test checks. */
const DRIVE_TIMEOUT_MS = 240_000;

interface CasePlan {
  phases: Array<{ cases: number[]; concurrency: number }>;
}

/** Opens a command endpoint; resolves with the text messages and the close code. */
function command(url: string): Promise<{ messages: string[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(String(data)));
    ws.on('close', (code) => resolve({ messages, code }));
    ws.on('error', reject);
  });
}

async function withServer<T>(cases: readonly CaseDef[], use: (server: FuzzingServer, url: string) => Promise<T>) {
  const root = await mkdtemp(path.join(tmpdir(), 'wsmatrix-case-plan-'));
  const server = new FuzzingServer({ cases, outdir: path.join(root, 'reports', 'clients'), port: 0 });
  try {
    return await use(server, await server.listen());
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
}

describe('/getCasePlan', () => {
  // Out of id order on purpose: case numbers are selection positions, phases are in id order.
  const handshakeId = clientCaseIds.find((id) => isClientHandshakeCase(caseById(id)!))!;
  const ids = ['9.1.2', '5.1', '12.1.1', '1.1.2', handshakeId, '13.1.1', '9.1.1', '2.1', '7.1.1', '1.1.1'];
  const selected = ids.map((id) => caseById(id)!);
  let answer: { messages: string[]; code: number };
  let plan: CasePlan;

  beforeAll(async () => {
    answer = await withServer(selected, (_, url) => command(`${url}/getCasePlan`));
    plan = JSON.parse(answer.messages[0] ?? 'null') as CasePlan;
  });

  it('is one text message, then a normal close', () => {
    expect(answer.messages).toHaveLength(1);
    expect(answer.code).toBe(1000);
  });

  it('names every selected case number exactly once', () => {
    const numbers = plan.phases.flatMap((p) => p.cases).sort((a, b) => a - b);
    expect(numbers).toEqual(ids.map((_, i) => i + 1));
  });

  it('groups them as a server run does: ordinary, CPU-bound (longest first, four per core), timing cases alone', () => {
    const phaseIds = plan.phases.map((p) => p.cases.map((n) => ids[n - 1]!));
    expect(phaseIds).toEqual([
      [handshakeId, '1.1.1', '1.1.2', '2.1', '5.1', '7.1.1'],
      ['12.1.1', '13.1.1'],
      ['9.1.1', '9.1.2'],
    ]);
    const defs = plan.phases.map((p) => p.cases.map((n) => selected[n - 1]!));
    expect(defs[0]!.every((d) => !runsAlone(d) && !isCpuBound(d))).toBe(true);
    expect(defs[1]!.every((d) => isCpuBound(d) && !runsAlone(d))).toBe(true);
    expect(defs[2]!.every(runsAlone)).toBe(true);
    expect(plan.phases.map((p) => p.concurrency)).toEqual([
      defaultConcurrency(),
      Math.min(defaultConcurrency(), cpuBoundConcurrency()),
      1,
    ]);
  });

  it('leaves out a phase with no case', async () => {
    const only = await withServer([caseById('2.1')!, caseById('1.1.1')!], (_, url) => command(`${url}/getCasePlan`));
    expect(JSON.parse(only.messages[0]!)).toEqual({ phases: [{ cases: [2, 1], concurrency: defaultConcurrency() }] });
  });
});

/** What the server saw of one agent's run. */
interface AgentRun {
  /** Times each case started. */
  starts: Map<string, number>;
  /** Ids in play when each case started (that case included), in start order. */
  inPlayAtStart: Array<{ id: string; inPlay: string[] }>;
  /** Verdicts by case id. */
  verdicts: Map<string, string>;
  exitCode: number | null;
  stderr: string;
}

/** Runs the ws driver against `url` as `agent`; resolves once it has exited. */
function runDriver(url: string, agent: string, extra: string[]): Promise<{ exitCode: number | null; stderr: string }> {
  const child = spawn(process.execPath, [WS_DRIVER, url, agent, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  const exited = new Promise<{ exitCode: number | null; stderr: string }>((resolve) =>
    child.on('close', (exitCode) => resolve({ exitCode, stderr })),
  );
  return withTimeout(exited, DRIVE_TIMEOUT_MS, `the ws driver (${agent})`).finally(() => child.kill('SIGKILL'));
}

describe('the ws driver with --plan against the fuzzingserver', () => {
  const ids = selectCaseIds(autobahnCaseIds, ['1.*', '2.*', '5.*', '7.1.*', '9.1.1', '9.1.2', '12.1.1', '12.1.2'], []);
  const cases = ids.map((id) => caseById(id)!);
  const runs = new Map<string, AgentRun>();
  const timing = (id: string) => runsAlone(caseById(id)!);

  beforeAll(
    async () => {
      const root = await mkdtemp(path.join(tmpdir(), 'wsmatrix-case-plan-driver-'));
      const inPlay = new Map<string, Set<string>>();
      const runOf = (agent: string) => runs.get(agent)!;
      const server = new FuzzingServer({
        cases,
        outdir: path.join(root, 'reports', 'clients'),
        port: 0,
        onCaseStarted(agent, id) {
          const run = runOf(agent);
          run.starts.set(id, (run.starts.get(id) ?? 0) + 1);
          const now = inPlay.get(agent) ?? new Set<string>();
          inPlay.set(agent, now.add(id));
          run.inPlayAtStart.push({ id, inPlay: [...now] });
        },
        onCaseFinished(result) {
          inPlay.get(result.agent)?.delete(result.id);
          runOf(result.agent).verdicts.set(result.id, `${result.behavior} / ${result.behaviorClose}`);
        },
      });
      try {
        const url = await server.listen();
        // One agent after the other: the timing cases of one must not share the server with the other's cases.
        for (const [agent, extra] of [
          ['sequential', []],
          ['planned', ['ws', '--plan']],
        ] as const) {
          runs.set(agent, { starts: new Map(), inPlayAtStart: [], verdicts: new Map(), exitCode: null, stderr: '' });
          Object.assign(runOf(agent), await runDriver(url, agent, [...extra]));
        }
      } finally {
        await server.close();
        await rm(root, { recursive: true, force: true });
      }
    },
    DRIVE_TIMEOUT_MS * 2 + 30_000,
  );

  it('each driver exits 0 having played every selected case exactly once', () => {
    expect(ids.length).toBe(16 + 11 + 20 + 6 + 2 + 2);
    for (const [agent, run] of runs) {
      expect(run.exitCode, `${agent}: ${run.stderr}`).toBe(0);
      expect([...run.starts.keys()].sort(compareCaseIds), agent).toEqual(ids);
      expect(
        [...run.starts.values()].every((n) => n === 1),
        agent,
      ).toBe(true);
      expect(run.verdicts.size, agent).toBe(ids.length);
    }
  });

  it('with --plan, several ordinary cases were in play at once', () => {
    const planned = runs.get('planned')!;
    const peak = Math.max(...planned.inPlayAtStart.filter((s) => !timing(s.id)).map((s) => s.inPlay.length));
    expect(peak).toBeGreaterThan(1);
  });

  it('with --plan, a timing case (9.x) was always alone in play, and played after every other case', () => {
    const planned = runs.get('planned')!;
    const withTiming = planned.inPlayAtStart.filter((s) => s.inPlay.some(timing));
    expect(withTiming.map((s) => s.id).sort(compareCaseIds)).toEqual(['9.1.1', '9.1.2']);
    for (const start of withTiming) expect(start.inPlay, start.id).toEqual([start.id]);
    expect(planned.inPlayAtStart.slice(-2).map((s) => s.id)).toEqual(['9.1.1', '9.1.2']);
  });

  it('gives the same verdict for every case as the sequential run', () => {
    const sequential = runs.get('sequential')!;
    const planned = runs.get('planned')!;
    expect(Object.fromEntries(planned.verdicts)).toEqual(Object.fromEntries(sequential.verdicts));
  });
});
