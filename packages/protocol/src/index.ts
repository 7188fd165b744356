export { Opcode, opcodeIsControl, opcodeIsKnown, opcodeName, type KnownOpcode } from './opcodes.js';
export { ProtocolError } from './errors.js';
export { applyMask, randomMask } from './mask.js';
export { Utf8Validator, isValidUtf8 } from './utf8.js';
export { CloseCode, closeCodeIsValid, parseClosePayload, encodeClosePayload, type ClosePayload } from './close.js';
export { encodeFrame, encodeFrameHeader, type FrameSpec, type FrameHeaderOptions } from './frame-encoder.js';
export {
  FrameDecoder,
  FrameCollector,
  decodeFrames,
  type Frame,
  type FrameHeader,
  type FrameSink,
  type FrameDecoderOptions,
} from './frame-decoder.js';
export {
  MessageReader,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_PART_OVERHEAD,
  type MessageHandler,
  type MessageReaderOptions,
} from './message-reader.js';
