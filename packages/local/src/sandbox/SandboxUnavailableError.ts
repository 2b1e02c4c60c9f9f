/** The end of every SandboxUnavailableError's message: the way out without a sandbox. */
export const UNSAFE_HOST_HINT =
  "or, knowingly, set AMELIA_SANDBOX=unsafe-host to run commands on this machine without isolation.";

/** No sandbox can be had on this machine; the message says how to get one. */
export class SandboxUnavailableError extends Error {
  override readonly name = "SandboxUnavailableError";
}
