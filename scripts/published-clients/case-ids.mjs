// Autobahn case ids ("6.4.1") compared part by part as numbers, so 1.1.10 follows 1.1.9.
export function compareCaseIds(a, b) {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? -1) - (right[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}
