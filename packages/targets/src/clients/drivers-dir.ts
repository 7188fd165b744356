import { fileURLToPath } from 'node:url';

/**
 * The folder of the driver scripts (packages/targets/clients), shipped as they are: plain JavaScript and
 * Python that node and python3 run without a build, the same files from src/ (tests) and dist/ (published).
 */
export const DRIVERS_DIR = fileURLToPath(new URL('../../clients/', import.meta.url));
