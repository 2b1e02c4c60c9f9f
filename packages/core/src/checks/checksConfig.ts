import { parse } from "yaml";
import * as z from "zod";
import { ChecksFileError } from "./ChecksFileError";

/** A command's time limit unless the file sets one, and the most it may set. */
export const DEFAULT_TIMEOUT_SECONDS = 600;
export const MAX_TIMEOUT_SECONDS = 3_600;

const command = z.string().trim().min(1, "must be a non-empty command").max(10_000);

const checksFileSchema = z.strictObject({
  setup: z.array(command).max(20).optional(),
  checks: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, "must be 1-64 letters, digits, space . _ -"),
        run: command,
      }),
    )
    .min(1, "must list at least one check")
    .max(20),
  timeoutSeconds: z.number().int().min(1).max(MAX_TIMEOUT_SECONDS).optional(),
  /** Hosts the setup commands need (a package registry): asked for, granted by the operator. */
  setupNetwork: z.array(z.string().min(1).max(253)).max(20).optional(),
});

export interface Check {
  name: string;
  run: string;
}

/** How a repository is checked. */
export interface ChecksConfig {
  setup: string[];
  checks: Check[];
  timeoutSeconds: number;
  /** Hosts the setup asks network access for (empty: none). */
  setupNetwork: string[];
}

/** The checks a workflow runs, and whether the repository's file said so or they were guessed. */
export interface ResolvedChecks {
  config: ChecksConfig;
  source: "file" | "detected";
}

/** Reads `.amelia/checks.yml`; every problem is named, with where it is in the file. */
export function parseChecksFile(text: string): ChecksConfig {
  let document: unknown;
  try {
    document = parse(text, { prettyErrors: false, maxAliasCount: 10 });
  } catch (error) {
    throw new ChecksFileError([`not valid YAML (${(error as Error).message.split("\n")[0]})`]);
  }
  const parsed = checksFileSchema.safeParse(document ?? {});
  if (!parsed.success) {
    throw new ChecksFileError(
      parsed.error.issues.map((issue) => {
        const at = issue.path.length > 0 ? issue.path.join(".") : "the file";
        return `${at}: ${issue.message}`;
      }),
    );
  }
  const names = parsed.data.checks.map((check) => check.name);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) {
    throw new ChecksFileError([`checks: the name "${repeated[0]}" is used twice`]);
  }
  return {
    setup: parsed.data.setup ?? [],
    checks: parsed.data.checks,
    timeoutSeconds: parsed.data.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    setupNetwork: parsed.data.setupNetwork ?? [],
  };
}
