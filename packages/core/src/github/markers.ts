/**
 * Hidden HTML comments in what Amelia writes on GitHub: they find its own comments and pull
 * requests again, and keep its own words from ever being read as commands.
 */
const MARKER_PREFIX = "<!-- amelia:";

/** In the body of the pull request a workflow opened. */
export function workflowMarker(workflowId: string): string {
  return `${MARKER_PREFIX}workflow ${workflowId} -->`;
}

/** In a workflow's status comment. */
export function statusMarker(workflowId: string): string {
  return `${MARKER_PREFIX}status ${workflowId} -->`;
}

/** In every reply to a person's command. */
export const REPLY_MARKER = `${MARKER_PREFIX}reply -->`;

/** The workflow a pull request's body names; checked against the workflow before it is trusted. */
export function markedWorkflowId(body: string): string | undefined {
  return /<!-- amelia:workflow ([0-9a-f-]{36}) -->/.exec(body)?.[1];
}

/** Whether Amelia wrote this text. */
export function isAmeliasText(body: string): boolean {
  return body.includes(MARKER_PREFIX);
}
