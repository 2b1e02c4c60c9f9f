import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { verify } from "@octokit/webhooks-methods";
import { dynamoClient } from "@amelia/core/aws/clients";
import { readConfig } from "@amelia/core/config";
import { ValidationError } from "@amelia/core/errors";
import { selectAction, type WebhookAction } from "@amelia/core/github/GitHubWebhooks";
import { githubWebhooks } from "@amelia/core/githubServices";
import {
  DeliveryInProgressError,
  SignatureMismatchError,
  WebhooksNotConfiguredError,
} from "@amelia/core/github/webhookErrors";
import { logger } from "@amelia/core/logger";
import { readSecret } from "@amelia/core/secrets";
import { keys } from "@amelia/core/store/table";
import { httpRoute, parseJson, type HttpResponse } from "../middleware/httpApi";

/** GitHub redelivers a delivery for up to three days; its record outlives that. */
const DELIVERY_RECORD_SECONDS = 4 * 24 * 60 * 60;

const config = readConfig();
const idempotency = new IdempotencyConfig({
  eventKeyJmesPath: "delivery",
  expiresAfterSeconds: DELIVERY_RECORD_SECONDS,
  // A redelivery is answered with what the first delivery did, marked as such.
  responseHook: (response) => ({ ...(response as object), redelivery: true }),
});
const handleOnce = makeIdempotent(
  async ({ action }: { delivery: string; action: WebhookAction }) => githubWebhooks().act(action),
  {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: config.tableName,
      awsSdkV3Client: dynamoClient(),
      keyAttr: "pk",
      sortKeyAttr: "sk",
      staticPkValue: keys.idempotency("github-webhook"),
      expiryAttr: "expiresAt",
    }),
    config: idempotency,
  },
);

/**
 * GitHub's webhook: no bearer token, the delivery's HMAC signature instead. A delivery that
 * starts or steers a workflow is acted on once per `X-GitHub-Delivery`; any other is answered
 * 202 and changes nothing.
 */
export const handler = httpRoute(
  async ({ rawBody, headers, context }): Promise<HttpResponse> => {
    const secret = await readSecret("githubWebhookSecret");
    if (secret === undefined) throw new WebhooksNotConfiguredError();
    const signature = headers["x-hub-signature-256"];
    if (signature === undefined || !(await verify(secret, rawBody, signature).catch(() => false))) {
      throw new SignatureMismatchError();
    }
    const event = required(headers, "x-github-event");
    const delivery = required(headers, "x-github-delivery");
    const selection = selectAction(event, parseJson(rawBody), config.github);
    if ("ignored" in selection) {
      logger.info("GitHub delivery ignored", { delivery, event, reason: selection.ignored });
      return { status: 202, body: { outcome: "ignored", reason: selection.ignored } };
    }
    // A delivery cut off by the function's timeout may be handled again after it.
    idempotency.registerLambdaContext(context);
    try {
      return { status: 200, body: await handleOnce({ delivery, action: selection.action }) };
    } catch (failure) {
      if (failure instanceof IdempotencyAlreadyInProgressError) {
        throw new DeliveryInProgressError(delivery);
      }
      throw failure;
    }
  },
  { parseBody: false },
);

function required(headers: Record<string, string>, name: string): string {
  const value = headers[name];
  if (!value) {
    throw new ValidationError(`The delivery has no ${name} header`, [
      { field: name, message: "is required" },
    ]);
  }
  return value;
}
