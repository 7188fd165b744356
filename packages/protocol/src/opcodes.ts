/** RFC 6455 §5.2 opcodes. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

export type KnownOpcode = (typeof Opcode)[keyof typeof Opcode];

/** Control frames have the high bit of the opcode set (0x8–0xF). */
export function opcodeIsControl(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** Opcodes defined by RFC 6455; 0x3–0x7 and 0xB–0xF are reserved. */
export function opcodeIsKnown(opcode: number): boolean {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
}

export function opcodeName(opcode: number): string {
  switch (opcode) {
    case 0x0:
      return 'continuation';
    case 0x1:
      return 'text';
    case 0x2:
      return 'binary';
    case 0x8:
      return 'close';
    case 0x9:
      return 'ping';
    case 0xa:
      return 'pong';
    default:
      return `reserved-${opcode.toString(16)}`;
  }
}
