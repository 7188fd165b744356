import { getAnyTarget, inChildProcess, isTargetName, type EchoTarget } from '@wsmatrix/targets';

/**
 * The target a run starts for a name. An embedded implementation runs in a Node process of its own, as a
 * deployed server would: it gets its own core instead of sharing the runner's event loop, cases do not slow each
 * other through it, and its CPU time can be measured apart from the runner's. External targets already are
 * processes of their own.
 */
export function startableTarget(name: string): EchoTarget {
  const target = getAnyTarget(name);
  return isTargetName(name) ? inChildProcess(target) : target;
}
