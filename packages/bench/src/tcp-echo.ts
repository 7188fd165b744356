/**
 * The raw TCP echo baseline: no WebSocket work at all, so it is the ceiling for any server on Node.
 * 'write-each' writes every chunk read straight back and pauses reading while the socket is
 * backed up; 'pipe' is socket.pipe(socket), kept for comparison (its stream machinery costs more).
 */
import net from 'node:net';

export type TcpEchoStyle = 'write-each' | 'write-unpaused' | 'pipe';
export const TCP_ECHO_STYLES: readonly TcpEchoStyle[] = ['write-each', 'write-unpaused', 'pipe'];

export interface RunningTcpEcho {
  host: string;
  port: number;
  close(): Promise<void>;
}

function echoWriteEach(socket: net.Socket): void {
  socket.on('data', (chunk: Buffer) => {
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
}

export async function startTcpEcho(opts: { host: string; port: number; style?: TcpEchoStyle }): Promise<RunningTcpEcho> {
  const style = opts.style ?? 'write-each';
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (style === 'pipe') socket.pipe(socket);
    else if (style === 'write-unpaused') socket.on('data', (chunk: Buffer) => socket.write(chunk));
    else echoWriteEach(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: opts.host,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
