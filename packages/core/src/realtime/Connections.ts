import {
  GoneException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { ServerMessage } from "./messages";

/** Sends messages to WebSocket clients through the API Gateway `@connections` API. */
export class Connections {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  /** False when the client has gone (410): the caller forgets the connection. */
  async send(connectionId: string, message: ServerMessage): Promise<boolean> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: Buffer.from(JSON.stringify(message)),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof GoneException) return false;
      throw error;
    }
  }
}
