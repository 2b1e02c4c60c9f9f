/** What the API Gateway Management API reports about one WebSocket connection. */
export interface ConnectionInfo {
  connectedAt: Date;
  sourceIp: string;
  userAgent?: string;
  lastActiveAt?: Date;
}

/**
 * The live WebSocket connections, implemented by the local WebSocket server. The `@connections`
 * API delegates to it; `false`/`undefined` means the connection is unknown or closed (410 Gone).
 */
export interface ConnectionRegistry {
  /** Sends one message (PostToConnection's raw body). */
  send(connectionId: string, data: Buffer): boolean;
  /** Closes the connection (DeleteConnection). */
  close(connectionId: string): boolean;
  info(connectionId: string): ConnectionInfo | undefined;
}
