// Worker bootstrap when running from TypeScript sources: register tsx in this thread, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./share-worker.ts');
