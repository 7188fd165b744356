export { Opcode, opcodeIsControl, opcodeIsKnown, opcodeName, type KnownOpcode } from './opcodes.js';
export { ProtocolError, PROTOCOL_ERROR_CLOSE_CODES, type ProtocolErrorCode } from './errors.js';
export { applyMask, randomMask } from './mask.js';
export { MaskArena } from './mask-arena.js';
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
  type FrameObserver,
} from './message-reader.js';
export {
  HttpHeadParser,
  HttpHeadError,
  HeaderList,
  isToken,
  type HttpRequestHead,
  type HttpResponseHead,
  type HttpHeadLimits,
} from './http-head.js';
export {
  WEBSOCKET_GUID,
  computeAcceptKey,
  generateKey,
  headerHasToken,
  validateUpgradeRequest,
  buildUpgradeResponse,
  buildErrorResponse,
  buildUpgradeRequest,
  validateUpgradeResponse,
  type UpgradeRequestCheck,
  type UpgradeRequestLike,
  type UpgradeResponseCheck,
} from './handshake.js';
export { parseExtensions, formatExtensions, ExtensionHeaderError, type ExtensionOffer } from './extensions.js';
export {
  PERMESSAGE_DEFLATE,
  MIN_WINDOW_BITS,
  MAX_WINDOW_BITS,
  parseWindowBits,
  negotiateDeflate,
  deflateOfferElement,
  validateDeflateResponse,
  type DeflateParams,
  type DeflateOffer,
  type DeflatePolicy,
  type DeflateNegotiation,
  type DeflateResponseCheck,
} from './permessage-deflate.js';
export { DeflateCodec, ZlibLimiter, type DeflateCodecOptions, type DeflateCounters } from './deflate-codec.js';
