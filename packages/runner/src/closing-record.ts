/** Autobahn's closing-behaviour record, field for field. */
export interface ClosingRecord {
  /** The runner played the server (the peer is a client under test). */
  isServer: boolean;
  closedByMe: boolean;
  failedByMe: boolean;
  droppedByMe: boolean;
  wasClean: boolean;
  wasNotCleanReason: string | null;
  wasServerConnectionDropTimeout: boolean;
  wasOpenHandshakeTimeout: boolean;
  wasCloseHandshakeTimeout: boolean;
  localCloseCode: number | null;
  localCloseReason: string | null;
  remoteCloseCode: number | null;
  remoteCloseReason: string | null;
}

/** The record of a connection before anything happened on it (the client role's, as most cases are). */
export function freshClosingRecord(): ClosingRecord {
  return {
    isServer: false,
    closedByMe: false,
    failedByMe: false,
    droppedByMe: false,
    wasClean: false,
    wasNotCleanReason: null,
    wasServerConnectionDropTimeout: false,
    wasOpenHandshakeTimeout: false,
    wasCloseHandshakeTimeout: false,
    localCloseCode: null,
    localCloseReason: null,
    remoteCloseCode: null,
    remoteCloseReason: null,
  };
}
