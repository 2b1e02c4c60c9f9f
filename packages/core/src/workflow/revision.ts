import type { LineComment, RevisionRequest } from "../events/types";

/** A comment on a line, as an agent reads it: `path:line (@author): body`. */
export function lineCommentText(comment: LineComment): string {
  const where = comment.line !== undefined ? `${comment.path}:${comment.line}` : comment.path;
  const who = comment.author !== undefined ? ` (@${comment.author})` : "";
  return `${where}${who}: ${comment.body}`;
}

/** What a revision is asked, as its description: the request, then each comment on a line. */
export function revisionDescription(request: RevisionRequest): string {
  const comments = request.comments.map((comment) => `- ${lineCommentText(comment)}`);
  return [
    request.text,
    ...(comments.length > 0 ? ["", "Comments on the pull request's lines:", ...comments] : []),
  ]
    .join("\n")
    .trim();
}
