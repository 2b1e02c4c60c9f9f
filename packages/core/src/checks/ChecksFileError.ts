import { PermanentAgentError } from "../agents/errors";

/** Where a repository says how to check it. */
export const CHECKS_FILE = ".amelia/checks.yml";

/**
 * `.amelia/checks.yml` cannot be used: bad YAML, an unknown key, a check without `run`… The
 * workflow fails at its first stage with this reason; trying again cannot fix the file.
 */
export class ChecksFileError extends PermanentAgentError {
  constructor(readonly problems: string[]) {
    super(`${CHECKS_FILE} is invalid: ${problems.join("; ")}`);
  }
}
