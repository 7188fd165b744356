import type { EchoTarget, RunningTarget } from '@wsmatrix/targets';

/**
 * The options a target runs with once started: what it declares, overlaid with what the started server
 * reports (a setting resolved at start, such as the core's socket layer in effect).
 */
export function optionsInEffect(target: Pick<EchoTarget, 'options'>, running: RunningTarget): Record<string, unknown> {
  const reported = (running as { options?: unknown }).options;
  return { ...target.options, ...(reported !== null && typeof reported === 'object' ? (reported as Record<string, unknown>) : {}) };
}

/** " (socket layer: net)" when the options name one, else "". */
export function describeSocketLayer(options: Record<string, unknown>): string {
  return typeof options.socketLayer === 'string' ? ` (socket layer: ${options.socketLayer})` : '';
}
