/**
 * The frame payload sizes a `message` step (or a fragmented echo-timing message) produces, following
 * AutobahnPython 0.10.9's sendMessage loop exactly: with L octets and fragment size F, one frame when
 * F is absent or L <= F; otherwise floor(L / F) frames of F octets (FIN clear) and one final frame of
 * L mod F octets (FIN set) -- an EMPTY final frame when F divides L.
 */
export function messageFrameSizes(length: number, fragmentSize?: number): number[] {
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`invalid message length ${length}`);
  if (fragmentSize === undefined || length <= fragmentSize) return [length];
  if (!Number.isSafeInteger(fragmentSize) || fragmentSize < 1) {
    throw new Error(`payload fragment size must be at least 1 (was ${fragmentSize})`);
  }
  const full = Math.floor(length / fragmentSize);
  const sizes = new Array<number>(full + 1).fill(fragmentSize);
  sizes[full] = length % fragmentSize;
  return sizes;
}
