import path from "node:path";
import { parse } from "yaml";

/** The command phases emulated, in the order they run; CodeBuild names them in upper case. */
export const COMMAND_PHASES = ["install", "pre_build", "build"] as const;
export type CommandPhaseName = (typeof COMMAND_PHASES)[number];

export interface CommandPhase {
  name: CommandPhaseName;
  commands: string[];
}

export interface BuildspecArtifacts {
  /** Relative to the source directory, inside it. */
  baseDirectory: string;
  /** Globs relative to the base directory (`**` any depth, `*` and `?` within a name). */
  files: string[];
}

/** The part of CodeBuild's buildspec version 0.2 the local emulator runs. */
export interface Buildspec {
  variables: Record<string, string>;
  /** The phases the buildspec has, in running order. */
  phases: CommandPhase[];
  artifacts?: BuildspecArtifacts;
}

/** A buildspec the emulator cannot run: CodeBuild fails such a build with YAML_FILE_ERROR. */
export class BuildspecError extends Error {
  override readonly name = "BuildspecError";
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads a buildspec, refusing what is not emulated (other versions, shells or phases,
 * runtime-versions, finally blocks, artifact options beyond base-directory and files) with a
 * message naming it, rather than running it differently from CodeBuild.
 */
export function parseBuildspec(text: string): Buildspec {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new BuildspecError(`The buildspec is not valid YAML: ${(error as Error).message}`);
  }
  const root = mapping(document, "The buildspec");
  onlyKeys(root, ["version", "env", "phases", "artifacts"], "the buildspec");
  if (String(root.version) !== "0.2") {
    throw new BuildspecError(`buildspec version ${String(root.version)} is not emulated: use 0.2`);
  }
  return {
    variables: root.env === undefined ? {} : environment(root.env),
    phases: phases(root.phases),
    ...(root.artifacts !== undefined && { artifacts: artifacts(root.artifacts) }),
  };
}

function environment(value: unknown): Record<string, string> {
  const env = mapping(value, "env");
  onlyKeys(env, ["shell", "variables"], "env");
  if (env.shell !== undefined && env.shell !== "bash") {
    throw new BuildspecError(`env.shell ${String(env.shell)} is not emulated: use bash`);
  }
  const variables: Record<string, string> = {};
  const declared = env.variables === undefined ? {} : mapping(env.variables, "env.variables");
  for (const [name, variable] of Object.entries(declared)) {
    if (!VARIABLE_NAME.test(name)) {
      throw new BuildspecError(`env.variables: ${name} is not a variable name`);
    }
    if (!["string", "number", "boolean"].includes(typeof variable)) {
      throw new BuildspecError(`env.variables.${name} must be a string`);
    }
    variables[name] = String(variable);
  }
  return variables;
}

function phases(value: unknown): CommandPhase[] {
  const declared = mapping(value, "phases");
  onlyKeys(declared, COMMAND_PHASES, "phases");
  return COMMAND_PHASES.filter((name) => declared[name] !== undefined).map((name) => {
    const phase = mapping(declared[name], `phases.${name}`);
    onlyKeys(phase, ["commands"], `phases.${name}`);
    return { name, commands: strings(phase.commands, `phases.${name}.commands`) };
  });
}

function artifacts(value: unknown): BuildspecArtifacts {
  const declared = mapping(value, "artifacts");
  onlyKeys(declared, ["base-directory", "files"], "artifacts");
  const baseDirectory = declared["base-directory"] ?? ".";
  if (typeof baseDirectory !== "string" || !isInside(baseDirectory)) {
    throw new BuildspecError("artifacts.base-directory must be a path inside the source");
  }
  const files = strings(declared.files, "artifacts.files");
  if (files.length === 0) throw new BuildspecError("artifacts.files must list at least one glob");
  return { baseDirectory, files };
}

function isInside(relative: string): boolean {
  const normalized = path.posix.normalize(relative);
  return !path.posix.isAbsolute(normalized) && normalized !== ".." && !normalized.startsWith("../");
}

function mapping(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new BuildspecError(`${what} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new BuildspecError(`${what} must be a list of strings`);
  }
  if (value.some((item: string) => item.includes("\0"))) {
    throw new BuildspecError(`${what} must not contain NUL characters`);
  }
  return value as string[];
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new BuildspecError(
      `${what}: ${unknown.join(", ")} ${unknown.length > 1 ? "are" : "is"} not emulated ` +
        `locally (only ${allowed.join(", ")})`,
    );
  }
}
