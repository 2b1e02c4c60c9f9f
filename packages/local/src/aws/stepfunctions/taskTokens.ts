import { randomBytes } from "node:crypto";

/**
 * The interpreter takes one fixed `$$.Task.Token` for a whole execution, so the context carries
 * this placeholder and each wait swaps it for a freshly minted token.
 */
export const TASK_TOKEN_PLACEHOLDER = "__amelia_local_task_token__";

const TOKEN_BYTES = 48;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{64}$/;

/** An unguessable, URL-safe token (384 random bits). */
export function mintTaskToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** Whether a string has the shape of a token this emulator mints (else the API says InvalidToken). */
export function isWellFormedTaskToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** A copy of `value` with every string equal to `placeholder` replaced, at any depth. */
export function replaceString(value: unknown, placeholder: string, replacement: string): unknown {
  if (value === placeholder) return replacement;
  if (Array.isArray(value))
    return value.map((item) => replaceString(item, placeholder, replacement));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        replaceString(item, placeholder, replacement),
      ]),
    );
  }
  return value;
}
