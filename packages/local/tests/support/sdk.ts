/**
 * The real AWS SDK v3 clients, loaded from @amelia/core's dependencies: packages/local does not
 * declare them, and the root node_modules holds an older client-eventbridge (through sst) and no
 * client-apigatewaymanagementapi. Resolving from packages/core gets the versions the handlers use.
 */
import { createRequire } from "node:module";
import type * as ApiGatewayManagementApi from "../../../core/node_modules/@aws-sdk/client-apigatewaymanagementapi";
import type * as EventBridge from "../../../core/node_modules/@aws-sdk/client-eventbridge";
import type * as Sfn from "@aws-sdk/client-sfn";

const requireFromCore = createRequire(new URL("../../../core/package.json", import.meta.url));

export const sfn = requireFromCore("@aws-sdk/client-sfn") as typeof Sfn;
export const eventBridge = requireFromCore("@aws-sdk/client-eventbridge") as typeof EventBridge;
export const apiGateway = requireFromCore(
  "@aws-sdk/client-apigatewaymanagementapi",
) as typeof ApiGatewayManagementApi;

/** Settings every test client needs: the local endpoint, a region, and throwaway credentials. */
export function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  };
}
