/** A GitHub repository as `owner/name`. */
export interface RepositoryName {
  owner: string;
  repo: string;
}

/**
 * GitHub's own rules: an owner is 1–39 letters, digits and inner hyphens; a repository name is
 * 1–100 letters, digits, `.`, `_` and `-`, and never `.` or `..`.
 */
const REPOSITORY_PATTERN =
  /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?)\/([A-Za-z0-9._-]{1,100})$/;

/**
 * Whether a workflow's repository names a GitHub repository (`owner/name`) rather than a local
 * path. A local directory of that exact shape is written `./owner/name`.
 */
export function isGitHubRepository(repository: string): boolean {
  return parseRepositoryName(repository) !== undefined;
}

/** `owner/name` split in two, or undefined when it is not of that form. */
export function parseRepositoryName(repository: string): RepositoryName | undefined {
  const match = REPOSITORY_PATTERN.exec(repository);
  if (!match?.[1] || !match[2] || match[2] === "." || match[2] === "..") return undefined;
  return { owner: match[1], repo: match[2] };
}

/** An issue on GitHub: `owner/name#123`. */
export interface IssueReference {
  repository: RepositoryName;
  number: number;
}

/** `owner/name#123` taken apart, or undefined for any other issue id (e.g. `PROJ-7`). */
export function parseIssueReference(issueId: string): IssueReference | undefined {
  const hash = issueId.lastIndexOf("#");
  if (hash < 0) return undefined;
  const name = parseRepositoryName(issueId.slice(0, hash));
  const number = issueId.slice(hash + 1);
  if (!name || !/^[1-9][0-9]{0,9}$/.test(number)) return undefined;
  return { repository: name, number: Number(number) };
}
