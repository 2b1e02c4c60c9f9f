import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../src/auth/authorizer";

const TOKEN = "the-api-token";
const methodArn = "arn:aws:execute-api:us-east-1:123:abc/prod/$connect";

beforeEach(() => {
  process.env.AMELIA_API_TOKEN = TOKEN;
  delete process.env.AMELIA_API_TOKEN_SECRET_ARN;
});

describe("on the HTTP API (simple responses)", () => {
  it("lets in the bearer of the token, and nobody else", async () => {
    const call = (authorization?: string) =>
      handler({ headers: authorization === undefined ? {} : { authorization } });
    expect(await call(`Bearer ${TOKEN}`)).toEqual({ isAuthorized: true });
    expect(await call(`Bearer ${TOKEN}x`)).toEqual({ isAuthorized: false });
    expect(await call(TOKEN)).toEqual({ isAuthorized: false });
    expect(await call()).toEqual({ isAuthorized: false });
  });

  it("lets nobody in when no token is configured", async () => {
    delete process.env.AMELIA_API_TOKEN;
    expect(await handler({ headers: { authorization: "Bearer " } })).toEqual({
      isAuthorized: false,
    });
  });
});

describe("on the WebSocket $connect (IAM policy responses)", () => {
  const effect = async (queryStringParameters: Record<string, string>) => {
    const result = await handler({ methodArn, headers: {}, queryStringParameters });
    expect(result.policyDocument.Statement).toHaveLength(1);
    const [statement] = result.policyDocument.Statement as Array<{
      Effect: string;
      Resource: string;
      Action: string;
    }>;
    expect(statement).toMatchObject({ Action: "execute-api:Invoke", Resource: methodArn });
    return statement!.Effect;
  };

  it("allows ?token=<token> and denies a wrong or missing one", async () => {
    expect(await effect({ token: TOKEN })).toBe("Allow");
    expect(await effect({ token: "guess" })).toBe("Deny");
    expect(await effect({})).toBe("Deny");
  });
});
