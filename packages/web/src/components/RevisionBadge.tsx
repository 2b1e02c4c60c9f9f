/** Marks a workflow of kind `revision`: it revises an open pull request rather than an issue. */
export function RevisionBadge() {
  return <span className="badge kind-revision">Revision</span>;
}
