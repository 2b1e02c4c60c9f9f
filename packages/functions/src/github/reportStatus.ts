import type { EventBridgeEvent } from "aws-lambda";
import type { EventDetail } from "@amelia/core/aws/EventPublisher";
import { githubStatusComments } from "@amelia/core/githubServices";
import { lambdaHandler } from "../middleware/lambdaHandler";

/**
 * A workflow event that changes what its status comment says (the rule selects them): the
 * comment is brought up to the workflow as it is now, whichever event this is.
 */
export const handler = lambdaHandler<EventBridgeEvent<string, EventDetail>, void>(async (event) => {
  const { detail } = event;
  const workflowId = "event" in detail ? detail.event.workflowId : detail.reference.workflowId;
  await githubStatusComments().update(workflowId);
});
