import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Stack outputs SST reads to decide that the account is bootstrapped (CDK 21, SST 7.4). */
const BOOTSTRAP_STACKS: Record<string, Record<string, string>> = {
  CDKToolkit: { BootstrapVersion: "21", BucketName: "cdk-assets-offline" },
  SSTBootstrap: { Version: "7.4", BucketName: "sst-bootstrap-offline" },
};

export const OFFLINE_ACCOUNT = "123456789012";

/**
 * The three calls `sst build` makes before it synthesises (STS GetCallerIdentity, CloudFormation
 * DescribeStacks of the two bootstrap stacks), in their query protocol, so that the real build —
 * bundling every function and the site, writing the templates — runs with no AWS account.
 */
export async function startFakeBootstrapAws(): Promise<{
  endpoint: string;
  close(): Promise<void>;
}> {
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const params = new URLSearchParams(body);
      response.setHeader("content-type", "text/xml");
      const [status, xml] = answer(params.get("Action"), params.get("StackName"));
      response.writeHead(status).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function answer(action: string | null, stackName: string | null): [number, string] {
  if (action === "GetCallerIdentity") {
    return [
      200,
      `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::${OFFLINE_ACCOUNT}:user/offline</Arn><UserId>OFFLINE</UserId><Account>${OFFLINE_ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
    ];
  }
  const outputs =
    action === "DescribeStacks" && stackName ? BOOTSTRAP_STACKS[stackName] : undefined;
  if (!outputs) {
    return [
      400,
      `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Not offline-able: ${action} ${stackName ?? ""}</Message></Error></ErrorResponse>`,
    ];
  }
  const members = Object.entries(outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
    )
    .join("");
  return [
    200,
    `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>${stackName}</StackName><StackId>${stackName}</StackId><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`,
  ];
}
