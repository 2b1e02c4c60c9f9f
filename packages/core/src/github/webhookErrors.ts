import { AmeliaError } from "../errors";

/** A delivery whose signature is missing or does not match its body: not GitHub's, or altered. */
export class SignatureMismatchError extends AmeliaError {
  constructor() {
    super("UNAUTHORIZED", 401, "The delivery's X-Hub-Signature-256 does not match its body");
  }
}

/** No webhook secret is set, so no delivery can be checked. */
export class WebhooksNotConfiguredError extends AmeliaError {
  constructor() {
    super("NOT_CONFIGURED", 503, "GitHub webhooks are not configured: set GITHUB_WEBHOOK_SECRET");
  }
}

/** The same delivery is being handled by another invocation; GitHub may deliver it again later. */
export class DeliveryInProgressError extends AmeliaError {
  constructor(readonly deliveryId: string) {
    super("DELIVERY_IN_PROGRESS", 409, `Delivery ${deliveryId} is being handled`, { deliveryId });
  }
}
