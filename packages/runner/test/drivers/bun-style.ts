/**
 * A driver written the way Bun's test suite drives Autobahn's fuzzingserver: a WHATWG WebSocket with
 * binaryType "arraybuffer", the agent URL-encoded, /getCaseCount, then /getCaseInfo for every case, then
 * per case /runCase (echoing) followed by /getCaseStatus. The info and status requests resolve on their
 * message. Bun uses its own global WebSocket; here Node's global one where the running Node has it,
 * else ws's (which has the same event interface).
 */
import WsWebSocket from 'ws';

type WhatwgWebSocket = {
  binaryType: string;
  send(data: unknown): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
};
type WebSocketConstructor = new (url: string) => WhatwgWebSocket;

/** The WebSocket this driver uses on the running Node, and its name for test titles. */
export function bunStyleWebSocket(): { name: string; WebSocket: WebSocketConstructor } {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return { name: "Node's global WebSocket", WebSocket: global };
  return { name: "ws's WebSocket (this Node has no global one)", WebSocket: WsWebSocket as never };
}

export interface CaseInfo {
  id: string;
  description: string;
}

export interface BunStyleRun {
  caseCount: number;
  infos: CaseInfo[];
  statuses: Array<{ behavior: string }>;
}

function ask<T>(WebSocket: WebSocketConstructor, url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => resolve(JSON.parse(String(event.data)) as T));
    socket.addEventListener('error', () => reject(new Error(`${url} failed`)));
  });
}

function caseCount(WebSocket: WebSocketConstructor, baseUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${baseUrl}/getCaseCount`);
    let count = 0;
    socket.addEventListener('message', (event) => {
      count = Number.parseInt(String(event.data), 10);
    });
    socket.addEventListener('close', () => (count ? resolve(count) : reject(new Error('no test count received'))));
  });
}

function runCase(WebSocket: WebSocketConstructor, url: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => socket.send(event.data));
    socket.addEventListener('close', () => resolve());
    // Bun's script rejects here; a case that fails the connection on purpose must not end the run.
    socket.addEventListener('error', () => {});
  });
}

export async function driveLikeBun(
  baseUrl: string,
  agentName: string,
  WebSocket: WebSocketConstructor,
): Promise<BunStyleRun> {
  const agent = encodeURIComponent(agentName);
  const count = await caseCount(WebSocket, baseUrl);
  const infos: CaseInfo[] = [];
  for (let i = 1; i <= count; i++) infos.push(await ask<CaseInfo>(WebSocket, `${baseUrl}/getCaseInfo?case=${i}`));
  const statuses: Array<{ behavior: string }> = [];
  for (let i = 1; i <= count; i++) {
    await runCase(WebSocket, `${baseUrl}/runCase?case=${i}&agent=${agent}`);
    statuses.push(await ask(WebSocket, `${baseUrl}/getCaseStatus?case=${i}&agent=${agent}`));
  }
  return { caseCount: count, infos, statuses };
}
