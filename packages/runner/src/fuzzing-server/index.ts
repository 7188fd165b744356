export {
  FuzzingServer,
  FUZZING_SERVER_NAME,
  DEFAULT_FUZZING_SERVER_TIMEOUTS,
  type FuzzingServerOptions,
  type FuzzingServerTimeouts,
} from './server.js';
