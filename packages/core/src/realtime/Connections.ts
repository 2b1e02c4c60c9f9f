import {
  GoneException,
  PostToConnectionCommand,
  ApiGatewayManagementApiClient,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { requireSetting } from "../config";

/**
 * Sends messages to WebSocket clients through the API Gateway `@connections` API. Only the
 * broadcaster posts, so only it needs the endpoint: the client is made on first use.
 */
export class Connections {
  private client: ApiGatewayManagementApiClient | undefined;

  constructor(private readonly endpoint: string | undefined) {}

  /**
   * One attempt with a message already serialized (a broadcast serializes once for all its
   * connections): false when the client has gone (410), the caller forgets the connection; any
   * other error is thrown. The broadcaster retries per connection, so the SDK does not.
   */
  async send(connectionId: string, frame: string): Promise<boolean> {
    try {
      this.client ??= new ApiGatewayManagementApiClient({
        endpoint: requireSetting(this.endpoint, "AMELIA_WS_MANAGEMENT_ENDPOINT"),
        maxAttempts: 1,
      });
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: Buffer.from(frame),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof GoneException) return false;
      throw error;
    }
  }
}
