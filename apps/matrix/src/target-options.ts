import type { EchoTarget, RunningTarget } from '@wsmatrix/targets';

/**
 * The options a target runs with: what it declares, overlaid with what the started server reports (a
 * setting resolved at start or on first use, such as the core's socket layer in effect). Read it after
 * the traffic, not right after the start, so a late fallback is what gets stored.
 */
export function optionsInEffect(
  target: Pick<EchoTarget, 'options'>,
  running: Pick<RunningTarget, 'options'>,
): Record<string, unknown> {
  return { ...target.options, ...(running.options ?? {}) };
}

/** " (socket layer: net)" when the options name one (with why, after a fallback), else "". */
export function describeSocketLayer(options: Record<string, unknown>): string {
  if (typeof options.socketLayer !== 'string') return '';
  const why = typeof options.socketLayerFallback === 'string' ? `; ${options.socketLayerFallback}` : '';
  return ` (socket layer: ${options.socketLayer}${why})`;
}
