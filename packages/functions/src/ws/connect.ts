import middy from "@middy/core";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { services } from "@amelia/core/services";

export const handler = middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2>().handler(
  async (event) => {
    await services().realtime.connect(event.requestContext.connectionId);
    return { statusCode: 200 };
  },
);
