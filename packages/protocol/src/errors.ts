/**
 * A violation of the protocol by the peer. `closeCode` is the code to send when failing the connection
 * (RFC 6455 §7.1.7): 1002 protocol error, 1007 invalid payload, 1008 policy, 1009 too big.
 */
export class ProtocolError extends Error {
  readonly closeCode: number;
  constructor(closeCode: number, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.closeCode = closeCode;
  }
}
