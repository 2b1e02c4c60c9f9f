/** The real AWS SDK v3 clients the handlers use, for driving the emulators in tests. */
export * as sfn from "@aws-sdk/client-sfn";
export * as eventBridge from "@aws-sdk/client-eventbridge";
export * as apiGateway from "@aws-sdk/client-apigatewaymanagementapi";

/** Settings every test client needs: the local endpoint, a region, and throwaway credentials. */
export function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  };
}
