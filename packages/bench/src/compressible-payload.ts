/**
 * Payloads for permessage-deflate jobs: random bytes would not compress, so a deflate figure would only
 * show the cost of failing to. These are JSON log records, the traffic people turn compression on for,
 * from a fixed seed (every run and target gets the same bytes), ASCII (valid in text messages too).
 */

import { seededRandom } from '@wsmatrix/cases';

/** What the payload of a deflate job is, for the result. */
export const COMPRESSIBLE_PAYLOAD_KIND = 'JSON log records, ASCII, generated from a fixed seed';

const LEVELS = ['info', 'info', 'info', 'debug', 'warn', 'error'] as const;
const SERVICES = ['checkout', 'catalog', 'auth', 'search', 'billing', 'inventory'] as const;
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'] as const;
const ROUTES = ['/api/v2/orders/', '/api/v2/items/', '/api/v1/users/', '/api/v2/carts/', '/search?q=item-'] as const;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'] as const;
const STATUSES = [200, 200, 200, 200, 201, 204, 304, 400, 404, 500] as const;

/** `size` bytes of log records (the last one cut off where the size ends); the same for the same seed. */
export function buildCompressiblePayload(size: number, seed = 1): Buffer {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const int = (below: number): number => Math.floor(random() * below);
  const records: string[] = [];
  let length = 0;
  let time = Date.UTC(2026, 10, 25, 12, 0, 0);
  for (let seq = 1; length < size; seq++) {
    time += int(40);
    const record =
      `{"seq":${seq},"ts":"${new Date(time).toISOString()}","level":"${pick(LEVELS)}","service":"${pick(SERVICES)}",` +
      `"method":"${pick(METHODS)}","path":"${pick(ROUTES)}${int(100000)}","status":${pick(STATUSES)},` +
      `"durationMs":${(random() * 250).toFixed(2)},"user":"u_${int(0xffffff).toString(16).padStart(6, '0')}",` +
      `"region":"${pick(REGIONS)}","bytes":${int(65536)}}\n`;
    records.push(record);
    length += record.length;
  }
  return Buffer.from(records.join(''), 'latin1').subarray(0, size);
}
