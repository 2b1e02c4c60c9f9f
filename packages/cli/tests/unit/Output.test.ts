import { describe, expect, it } from "vitest";
import { ServerRefusedError } from "../../src/errors";
import { Output, type Stream } from "../../src/Output";

class Capture implements Stream {
  text = "";
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

async function output(options: {
  json?: boolean;
  color?: boolean;
  tty?: boolean;
  env?: NodeJS.ProcessEnv;
}) {
  const stdout = new Capture(options.tty);
  const stderr = new Capture(false);
  const out = await Output.create({
    json: options.json ?? false,
    color: options.color ?? true,
    stdout,
    stderr,
    env: options.env ?? {},
  });
  return { out, stdout, stderr };
}

describe("Output colours", () => {
  it("are on for a terminal", async () => {
    expect((await output({ tty: true })).out.colors.isColorSupported).toBe(true);
  });

  it.each([
    ["not a terminal", { tty: false }],
    ["NO_COLOR", { tty: true, env: { NO_COLOR: "1" } }],
    ["--no-color", { tty: true, color: false }],
    ["TERM=dumb", { tty: true, env: { TERM: "dumb" } }],
    ["--json", { tty: true, json: true }],
    ["NO_COLOR beats FORCE_COLOR", { tty: false, env: { NO_COLOR: "1", FORCE_COLOR: "1" } }],
  ])("are off: %s", async (_, options) => {
    expect((await output(options)).out.colors.isColorSupported).toBe(false);
  });

  it("are forced on by FORCE_COLOR, off by FORCE_COLOR=0", async () => {
    expect((await output({ env: { FORCE_COLOR: "1" } })).out.colors.isColorSupported).toBe(true);
    expect(
      (await output({ tty: true, env: { FORCE_COLOR: "0" } })).out.colors.isColorSupported,
    ).toBe(false);
  });
});

describe("Output with --json", () => {
  it("keeps notes off stdout and stderr, and prints errors as one JSON line on stderr", async () => {
    const { out, stdout, stderr } = await output({ json: true });
    out.note("a note for people");
    out.error(new ServerRefusedError(422, "INVALID_STATE", "Not at a gate", { from: "completed" }));
    expect(stdout.text).toBe("");
    expect(JSON.parse(stderr.text)).toEqual({
      code: "INVALID_STATE",
      error: "Not at a gate",
      details: { from: "completed" },
    });
  });
});

describe("Output for people", () => {
  it("prints an error's code, message and hint on stderr", async () => {
    const { out, stdout, stderr } = await output({});
    out.error(
      new ServerRefusedError(
        401,
        "UNAUTHORIZED",
        "A valid API token is required",
        undefined,
        "Set it.",
      ),
    );
    expect(stdout.text).toBe("");
    expect(stderr.text).toBe("error UNAUTHORIZED: A valid API token is required\nSet it.\n");
  });

  it("writes text as it is, and a warning on stderr (none with --json)", async () => {
    const { out, stdout, stderr } = await output({});
    out.text("a\nb\n");
    out.warning("The patch is incomplete");
    expect(stdout.text).toBe("a\nb\n");
    expect(stderr.text).toBe("warning The patch is incomplete\n");
    const json = await output({ json: true });
    json.out.warning("The patch is incomplete");
    expect(json.stderr.text).toBe("");
  });

  it("has no spinner when stderr is not a terminal: lines go straight through", async () => {
    const { out, stdout } = await output({});
    out.spin("working");
    out.line("result");
    out.stopSpinner();
    expect(stdout.text).toBe("result\n");
  });

  it("has no spinner on a terminal of zero columns (a bare pty), where ora cannot measure lines", async () => {
    const stdout = new Capture(false);
    const stderr = new Capture(true, 0);
    const out = await Output.create({ json: false, color: false, stdout, stderr, env: {} });
    out.spin("working");
    out.stopSpinner();
    expect(stderr.text).toBe("");
  });
});
