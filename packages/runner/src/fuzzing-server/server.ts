/**
 * Autobahn's fuzzingserver: the server that tests WebSocket clients. A driver asks /getCaseCount, opens
 * /runCase?case=N&agent=A for each case (the case is played from the server's side on that connection, by
 * the same engine and verdict rules as the fuzzingclient) and echoes what it receives, then opens
 * /updateReports?agent=A, which writes Autobahn's client reports. /getCaseInfo, /getCaseStatus and
 * /stopServer as in AutobahnPython's FuzzingServerProtocol; /getCasePlan is ours (case-plan.ts). Every
 * connection has a deadline; a request the server cannot serve gets an HTTP error whose body is one line
 * saying why.
 *
 * An HTTP/1.1 client that pools connections may send its next request on the connection of a client
 * handshake case that refused the upgrade (the case answered with a 200, a 3xx, a 4xx...). That request is
 * served as a fresh connection's would be, so the case it asks for is played, not lost; its result says on
 * which case's connection it came.
 */
import { once } from 'node:events';
import net, { type Socket } from 'node:net';
import { agentCaseExcluded, type CaseDef, isClientHandshakeCase } from '@wsmatrix/cases';
import { buildErrorResponse, buildUpgradeResponse, CloseCode, validateUpgradeRequest } from '@wsmatrix/protocol';
import { caseHardLimitMs } from '../case-player.js';
import { playClientHandshakeCase } from '../client-handshake/index.js';
import { DEFAULT_TIMEOUTS } from '../fuzzing-connection.js';
import { writeReportFiles } from '../report-files.js';
import type { AutobahnIndex, CaseResult } from '../result.js';
import { playCaseAsServer } from '../serve-case.js';
import { RUNNER_VERSION } from '../user-agent.js';
import { casePlan } from './case-plan.js';
import { CaseRecords } from './case-records.js';
import { CommandSocket } from './command-socket.js';
import { readRequestHead, type ReceivedRequest } from './request-head.js';
import { routeRequest, type Route } from './routes.js';

/** The Server header of the command endpoints' 101, naming the tool as Autobahn's names itself. */
export const FUZZING_SERVER_NAME = `wsmatrix-fuzzingserver/${RUNNER_VERSION}`;

export interface FuzzingServerTimeouts {
  /** From the TCP accept to the end of the request head. */
  requestHeadMs: number;
  /** From our Close (or HTTP error) to the end of TCP; after that the socket is destroyed. */
  closeMs: number;
  /**
   * How long /getCaseStatus waits for a run of its case still in play. Default: that case's own hard limit
   * (the engine's watchdog ends the run by then) plus a margin.
   */
  statusWaitMs?: number;
}

export const DEFAULT_FUZZING_SERVER_TIMEOUTS: FuzzingServerTimeouts = {
  requestHeadMs: 10_000,
  closeMs: 5_000,
};

/** The case on whose connection a request came, when it was not the connection's first. */
interface EarlierCase {
  caseId: string;
  caseNumber: number;
}

/** Added to a case's hard limit for /getCaseStatus: the run's result is built after its watchdog fired. */
const STATUS_WAIT_MARGIN_MS = 30_000;

export interface FuzzingServerOptions {
  /** The selected cases, in selection order: /runCase?case=N plays cases[N - 1]. */
  cases: readonly CaseDef[];
  /** Autobahn's exclude-agent-cases: such a case is not played for a matching agent. */
  excludeAgentCases?: Readonly<Record<string, readonly string[]>>;
  /** Where /updateReports writes index.json and one JSON file per agent and case. */
  outdir: string;
  /** Interface to bind (default 127.0.0.1) and port (default 9001, as Autobahn's spec; 0 picks one). */
  host?: string;
  port?: number;
  /** AutobahnPython's failByDrop for the played cases (default false, as its fuzzingserver). */
  failByDrop?: boolean;
  timeouts?: Partial<FuzzingServerTimeouts>;
  /**
   * Writes further report files after the JSON ones (the CLI writes index.html here: the HTML report
   * belongs to the CLI, which owns the pass rules). A failure is reported to the driver like a JSON one.
   */
  writeExtraReports?: (outdir: string, index: AutobahnIndex) => Promise<void>;
  /** Each /runCase whose case is played, as it starts (the agent, and the case's id). */
  onCaseStarted?: (agent: string, caseId: string) => void;
  /** Each finished case (for a progress line). */
  onCaseFinished?: (result: CaseResult) => void;
  /** Each /updateReports after its files are written. */
  onReportsWritten?: (agent: string, index: AutobahnIndex) => void;
}

export class FuzzingServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<Socket>();
  private readonly records = new CaseRecords();
  private readonly timeouts: FuzzingServerTimeouts;
  /** Cases being played and report writes: close() waits for them. */
  private readonly pending = new Set<Promise<unknown>>();
  /** Report writes one at a time, so two /updateReports never interleave their files. */
  private writing: Promise<unknown> = Promise.resolve();
  private resolveStop: (why: string) => void = () => {};
  /** Resolves with the endpoint that asked the server to stop (/stopServer, or shutdownOnComplete). */
  readonly stopRequested: Promise<string>;

  constructor(private readonly options: FuzzingServerOptions) {
    this.timeouts = { ...DEFAULT_FUZZING_SERVER_TIMEOUTS, ...options.timeouts };
    this.stopRequested = new Promise((resolve) => {
      this.resolveStop = resolve;
    });
    this.server = net.createServer((socket) => this.onConnection(socket));
  }

  /** Starts listening; resolves with the ws:// base URL drivers use. */
  async listen(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    this.server.listen(this.options.port ?? 9001, host);
    await once(this.server, 'listening');
    const { port } = this.server.address() as net.AddressInfo;
    return `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** Results kept so far, by agent (what the next /updateReports writes). */
  results(): Map<string, CaseResult[]> {
    return this.records.snapshot();
  }

  /** Stops listening, drops every connection (cases in play end as the engine records a dropped case). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await Promise.allSettled([...this.pending]);
    await closed;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const done = () => this.pending.delete(work);
    work.then(done, done);
    return work;
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    this.readRequest(socket);
  }

  /**
   * Reads a request on the connection and serves it: a fresh connection's, or the next one a client sent on
   * the connection of `earlier` (`initial`: the bytes of it received so far).
   */
  private readRequest(socket: Socket, initial?: Buffer, earlier?: EarlierCase): void {
    // Whoever owns the socket handles its errors; this one only keeps a stray error from ending the process.
    socket.on('error', () => socket.destroy());
    void readRequestHead(socket, this.timeouts.requestHeadMs, initial).then((outcome) => {
      if (outcome.kind === 'gone') socket.destroy();
      else if (outcome.kind === 'refused') this.refuse(socket, outcome.status, outcome.reason);
      else this.serve(socket, outcome.request, earlier);
    });
  }

  /** An HTTP error response, then TCP ends (bounded: a peer that never closes is dropped). */
  private refuse(socket: Socket, status: number, reason: string, headers: Array<[string, string]> = []): void {
    socket.resume();
    socket.end(buildErrorResponse(status, reason, headers));
    setTimeout(() => socket.destroy(), this.timeouts.closeMs).unref();
  }

  private serve(socket: Socket, request: ReceivedRequest, earlier?: EarlierCase): void {
    const decision = routeRequest(request.head.target, this.options.cases);
    if (!decision.ok) {
      this.refuse(socket, decision.status, decision.reason);
      return;
    }
    const route = decision.route;
    if (route.endpoint === '/runCase') {
      // The engine checks the upgrade itself: a client's bad request is that client's FAILED case, reported.
      if (!agentCaseExcluded(this.options.excludeAgentCases ?? {}, route.agent, route.def.id)) {
        this.runCase(socket, request, route, earlier);
        return;
      }
    }
    const upgrade = validateUpgradeRequest(request.head);
    if (!upgrade.ok) {
      const reason = `${route.endpoint} is a WebSocket endpoint: ${upgrade.message}`;
      this.refuse(socket, upgrade.status, reason, upgrade.headers);
      return;
    }
    if (route.endpoint === '/getCaseStatus' && !this.records.known(route.agent, route.def.id)) {
      const reason = `case ${route.def.id} (case=${route.caseNumber}) has not been run for agent "${route.agent}"`;
      this.refuse(socket, 404, reason);
      return;
    }
    socket.write(buildUpgradeResponse({ key: upgrade.key, headers: [['Server', FUZZING_SERVER_NAME]] }));
    const command = new CommandSocket(socket, request.rest, this.timeouts.closeMs);
    void this.track(this.answer(command, route));
  }

  private runCase(
    socket: Socket,
    request: ReceivedRequest,
    route: Route & { endpoint: '/runCase' },
    earlier: EarlierCase | undefined,
  ): void {
    const { agent, def, caseNumber } = route;
    this.records.start(agent, def.id);
    this.options.onCaseStarted?.(agent, def.id);
    // Autobahn's fuzzingserver numbers a case by its place in the selection, the number the driver asked for.
    const failByDrop = this.options.failByDrop ?? false;
    const options = { agent, caseNumber, failByDrop, serverName: FUZZING_SERVER_NAME };
    // The engine takes a socket with no listener of ours on it.
    socket.removeAllListeners('error');
    // A client handshake case's connection may carry the client's next request: it is read and served here.
    const onNextRequest = (bytes: Buffer): void => this.readRequest(socket, bytes, { caseId: def.id, caseNumber });
    const play = isClientHandshakeCase(def)
      ? playClientHandshakeCase(socket, request, def, { agent, caseNumber, onNextRequest })
      : playCaseAsServer(socket, request, def, options);
    const played = play.then(
      (played) => {
        const result = earlier ? withEarlierCaseNote(played, earlier) : played;
        this.records.finish(agent, def.id, result);
        this.options.onCaseFinished?.(result);
      },
      () => {
        // The engine resolves on every outcome it can observe; a throw is a bug: the run leaves no result.
        this.records.finish(agent, def.id, null);
        socket.destroy();
      },
    );
    void this.track(played);
  }

  /** What each command endpoint sends on its WebSocket before closing it. */
  private async answer(command: CommandSocket, route: Route): Promise<void> {
    switch (route.endpoint) {
      case '/getCaseCount':
        command.sendText(JSON.stringify(this.options.cases.length));
        return command.close();
      case '/getCasePlan':
        command.sendText(JSON.stringify(casePlan(this.options.cases)));
        return command.close();
      case '/getCaseInfo':
        command.sendText(JSON.stringify({ id: route.def.id, description: prettyDescription(route.def) }));
        return command.close();
      case '/getCaseStatus':
        return this.answerStatus(command, route);
      case '/updateReports':
        return this.updateReports(command, route.agent, route.shutdownOnComplete);
      case '/stopServer':
        await command.close(CloseCode.GoingAway, 'server stopping');
        this.resolveStop('/stopServer');
        return;
      case '/runCase':
        // Only an agent-excluded case gets here: Autobahn opens the connection and closes it unplayed.
        return command.close(
          CloseCode.Normal,
          `case ${route.def.id} is excluded for agent "${route.agent}" (exclude-agent-cases)`,
        );
    }
  }

  private async answerStatus(command: CommandSocket, route: Route & { endpoint: '/getCaseStatus' }): Promise<void> {
    const status = this.records.status(route.agent, route.def.id);
    let result: CaseResult | null = null;
    if (status.state === 'finished') result = status.result;
    else if (status.state === 'running') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        const wait = this.timeouts.statusWaitMs ?? caseHardLimitMs(route.def, DEFAULT_TIMEOUTS) + STATUS_WAIT_MARGIN_MS;
        timer = setTimeout(() => resolve(null), wait);
      });
      result = await Promise.race([status.result, timeout, command.gone.then(() => null)]);
      clearTimeout(timer);
    }
    if (result === null) {
      return command.close(CloseCode.InternalError, `case ${route.def.id} ended without a result`);
    }
    command.sendText(JSON.stringify({ behavior: result.behavior }));
    return command.close();
  }

  private async updateReports(command: CommandSocket, agent: string, shutdownOnComplete: boolean): Promise<void> {
    const write = this.writing.then(() => this.writeReports());
    this.writing = write.catch(() => {});
    let index: AutobahnIndex;
    try {
      index = await write;
    } catch (err) {
      const why = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
      return command.close(CloseCode.InternalError, `could not write the reports: ${why}`);
    }
    this.options.onReportsWritten?.(agent, index);
    // The files are complete before the Close: drivers read index.json as soon as this socket closes.
    await command.close();
    if (shutdownOnComplete) this.resolveStop('/updateReports?shutdownOnComplete=true');
  }

  /** Every agent's results, as Autobahn's createReports writes them all whichever agent asked. */
  private async writeReports(): Promise<AutobahnIndex> {
    const { outdir, writeExtraReports } = this.options;
    const index = await writeReportFiles(outdir, this.records.snapshot(), 'autobahn');
    await writeExtraReports?.(outdir, index);
    return index;
  }
}

/** The result, its text saying that its request came on the connection of an earlier case. */
function withEarlierCaseNote(result: CaseResult, earlier: EarlierCase): CaseResult {
  const note =
    `This case's request came on the connection of case ${earlier.caseId} (case=${earlier.caseNumber}), ` +
    "after that case's response: the client kept that connection for its next request.";
  return { ...result, result: `${result.result} ${note}` };
}

/** Autobahn's caseClassToPrettyDescription: the description up to its first HTML tag, whitespace collapsed. */
export function prettyDescription(def: CaseDef): string {
  return (def.description.split('<')[0] ?? '').split(/\s+/).filter(Boolean).join(' ');
}
