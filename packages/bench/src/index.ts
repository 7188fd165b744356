export { runBenchmark, DEFAULT_TARGETS, type UrlServer } from './run-benchmark.js';
export type { BenchResult } from './result.js';
export { WORKLOAD_GROUPS, workloadIds } from './workloads.js';
export { formatBenchTable } from './table.js';
export { renderBenchmarkHtml } from './html.js';
export { saveBenchResult } from './store.js';
export { PROCESS_RUNTIMES, type ProcessRuntime } from './processes.js';
export { MALLOC_MODES, type MallocMode } from './allocator.js';
export { compareMedians, formatAgreement, COMPARED_FIGURES, type ComparedFigure } from './agreement.js';
