import { createHash } from "node:crypto";

const BRANCH_PREFIX = "amelia/";

/**
 * The branch a workflow's work goes on: `amelia/<issueId>`, made a valid git branch name.
 * Characters git refuses become `-`; `..`, `//`, leading or trailing `/` and `.`, and `.lock`
 * endings are folded away. When that changed the id, a short hash of it is appended so two ids
 * that fold alike ("a..b", "a.b") still get different branches.
 */
export function branchNameFor(issueId: string): string {
  const components = issueId
    .replace(/[^A-Za-z0-9._#/-]/g, "-")
    .split("/")
    .map((component) =>
      component
        .replace(/\.{2,}/g, ".")
        .replace(/^\.+|\.+$/g, "")
        .replace(/\.lock$/i, "-lock"),
    )
    .filter((component) => component !== "");
  const name = components.join("/") || "issue";
  if (name === issueId) return BRANCH_PREFIX + name;
  const hash = createHash("sha256").update(issueId).digest("hex").slice(0, 8);
  return `${BRANCH_PREFIX}${name}-${hash}`;
}
