/** Summary statistics over runs, and a latency histogram cheap enough to feed from the load loop. */

/** Median of the values (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** (max − min) / median: how far apart the runs were, as a fraction of the median. */
export function spread(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const m = median(values);
  if (m === 0) return 0;
  return (Math.max(...values) - Math.min(...values)) / m;
}

/** Buckets per doubling of the latency; 32 keeps every bucket within ~2.2% of its values. */
const BUCKETS_PER_OCTAVE = 32;
const BUCKET_COUNT = BUCKETS_PER_OCTAVE * 40;

/**
 * Log-bucketed latency histogram in microseconds. record() takes a count, so a batch of replies that
 * arrived in one read with one send time costs one call.
 */
export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKET_COUNT);
  total = 0;

  record(microseconds: number, count = 1): void {
    const us = Math.max(microseconds, 0);
    const index = Math.min(BUCKET_COUNT - 1, Math.floor(Math.log2(1 + us) * BUCKETS_PER_OCTAVE));
    this.counts[index]! += count;
    this.total += count;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKET_COUNT; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
  }

  /** Nearest-rank percentile in microseconds (the geometric middle of its bucket); NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return bucketMiddle(i);
    }
    return bucketMiddle(BUCKET_COUNT - 1);
  }

  /** Sparse form for messages between threads and processes: [bucket, count] pairs. */
  toSparse(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < BUCKET_COUNT; i++) if (this.counts[i]! > 0) out.push([i, this.counts[i]!]);
    return out;
  }

  static fromSparse(pairs: readonly (readonly [number, number])[]): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [i, c] of pairs) {
      h.counts[i]! += c;
      h.total += c;
    }
    return h;
  }
}

function bucketMiddle(index: number): number {
  const low = 2 ** (index / BUCKETS_PER_OCTAVE) - 1;
  const high = 2 ** ((index + 1) / BUCKETS_PER_OCTAVE) - 1;
  return Math.sqrt(Math.max(low, 0.5) * high);
}
