import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError, type EventData, type WorkflowEvent } from "@amelia/client";
import { ChecksPanel, type ChecksPanelProps } from "../src/components/ChecksPanel";
import { makeEvent } from "../../client/tests/support/events";

let sequence = 0;

function started(
  round: number,
  checks: string[],
  fields: Partial<EventData<"checks_started">> = {},
): WorkflowEvent {
  const data: EventData<"checks_started"> = {
    round,
    runId: `run-${round}`,
    checks,
    source: "file",
    sandbox: "bubblewrap",
    ...fields,
  };
  return makeEvent(++sequence, { type: "checks_started", agent: "system", data });
}

function completed(
  round: number,
  index: number,
  name: string,
  fields: Partial<EventData<"check_completed">> = {},
): WorkflowEvent {
  const data: EventData<"check_completed"> = {
    round,
    runId: `run-${round}`,
    index,
    name,
    command: `npm run ${name}`,
    exitCode: 0,
    durationMs: 1_250,
    timedOut: false,
    output: `${name}: ok\n`,
    ...fields,
  };
  return makeEvent(++sequence, { type: "check_completed", agent: "system", data });
}

function finished(round: number, results: EventData<"check_completed">[]): WorkflowEvent {
  const data: EventData<"checks_completed"> = {
    round,
    runId: `run-${round}`,
    passed: results.every((r) => r.exitCode === 0 && !r.timedOut),
    results: results.map(({ name, exitCode, durationMs, timedOut }) => ({
      name,
      exitCode,
      durationMs,
      timedOut,
    })),
  };
  return makeEvent(++sequence, { type: "checks_completed", agent: "system", data });
}

/** A round's three events: started, each check, the outcome. */
function round(number: number, ...checks: WorkflowEvent[]): WorkflowEvent[] {
  const names = checks.map((e) => (e.data as EventData<"check_completed">).name);
  return [
    started(number, names),
    ...checks,
    finished(
      number,
      checks.map((e) => e.data as EventData<"check_completed">),
    ),
  ];
}

function panel(props: Partial<ChecksPanelProps> & Pick<ChecksPanelProps, "events">) {
  const loadLog = vi.fn((_runId: string, _index: number) => Promise.resolve("the whole log\n"));
  render(<ChecksPanel active loadLog={loadLog} {...props} />);
  return { loadLog };
}

const roundSection = (round: number) => screen.getByRole("region", { name: `Round ${round}` });
const row = (section: HTMLElement, name: string) =>
  within(section).getByRole("rowheader", { name }).closest("tr")!;
const cellsOf = (tr: HTMLElement) =>
  Array.from(tr.querySelectorAll("th, td")).map((cell) => cell.textContent);

describe("ChecksPanel", () => {
  it("shows each round, newest first, with each check's result and duration, failing ones marked", () => {
    panel({
      events: [
        ...round(
          1,
          completed(1, 0, "test", { exitCode: 1, output: "1 failing\n" }),
          completed(1, 1, "lint", { durationMs: 125_400 }),
          completed(1, 2, "e2e", { exitCode: 137, timedOut: true, durationMs: 600_000 }),
        ),
        ...round(2, completed(2, 0, "test", { durationMs: 400 }), completed(2, 1, "lint")),
      ],
    });

    const rounds = screen.getAllByRole("region", { name: /^Round/ });
    expect(rounds.map((r) => r.getAttribute("aria-label"))).toEqual(["Round 2", "Round 1"]);

    const first = roundSection(1);
    expect(within(first).getByText("Failed")).toBeTruthy();
    expect(cellsOf(row(first, "test"))).toEqual(["test", "Failed (exit 1)", "1.3 s", "Output"]);
    expect(cellsOf(row(first, "lint"))).toEqual(["lint", "Passed", "2 min 5 s", "Output"]);
    expect(cellsOf(row(first, "e2e"))).toEqual(["e2e", "Timed out", "10 min 0 s", "Output"]);
    expect(row(first, "test").classList.contains("failing")).toBe(true);
    expect(row(first, "e2e").classList.contains("failing")).toBe(true);
    expect(row(first, "lint").classList.contains("failing")).toBe(false);

    const second = roundSection(2);
    expect(within(second).getByText("Passed", { selector: ".badge" })).toBeTruthy();
    expect(cellsOf(row(second, "test"))).toEqual(["test", "Passed", "0.4 s", "Output"]);
    expect(second.querySelectorAll(".failing")).toHaveLength(0);
  });

  it("shows a check's output on request, then its whole log read through the API", async () => {
    const { loadLog } = panel({
      events: round(
        3,
        completed(3, 0, "test"),
        completed(3, 1, "lint", { output: "lint: 2 errors\n" }),
      ),
    });
    const toggle = screen.getByRole("button", { name: "Output of lint" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByText(/lint: 2 errors/)).toBeNull();

    await userEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const output = document.getElementById(toggle.getAttribute("aria-controls")!)!;
    expect(within(output).getByText("lint: 2 errors", { exact: false })).toBeTruthy();
    expect(within(output).getByText("npm run lint")).toBeTruthy();
    expect(within(output).getByText(/the end of its output/)).toBeTruthy();
    expect(screen.queryByText(/test: ok/)).toBeNull();

    await userEvent.click(within(output).getByRole("button", { name: "Whole log of lint" }));
    expect(loadLog).toHaveBeenCalledExactlyOnceWith("run-3", 1);
    expect(await within(output).findByText(/its whole log/)).toBeTruthy();
    expect(output.querySelector("pre")?.textContent).toBe("the whole log\n");
    expect(within(output).queryByRole("button", { name: /Whole log/ })).toBeNull();

    await userEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByText(/the whole log/)).toBeNull();
  });

  it("says so when the whole log cannot be read, and lets the person try again", async () => {
    const loadLog = vi
      .fn<ChecksPanelProps["loadLog"]>()
      .mockRejectedValueOnce(new ApiError(404, "NOT_FOUND", "Check log run-1/0 not found"))
      .mockResolvedValueOnce("");
    panel({ events: round(1, completed(1, 0, "test")), loadLog });

    await userEvent.click(screen.getByRole("button", { name: "Output of test" }));
    await userEvent.click(screen.getByRole("button", { name: "Whole log of test" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Check log run-1/0 not found (NOT_FOUND)",
    );
    expect(screen.getByText("test: ok", { exact: false })).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Whole log of test" }));
    expect(await screen.findByText("(no output)")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(loadLog).toHaveBeenCalledTimes(2);
  });

  it("flags a round whose commands ran on the host, without a sandbox", () => {
    panel({
      events: [
        ...round(1, completed(1, 0, "test")),
        started(2, ["test"], { sandbox: "unsafe-host" }),
        completed(2, 0, "test"),
      ],
    });
    const badge = within(roundSection(2)).getByText("Not sandboxed");
    expect(badge.getAttribute("title")).toContain("AMELIA_SANDBOX=unsafe-host");
    expect(within(roundSection(1)).queryByText("Not sandboxed")).toBeNull();
  });

  it("shows the checks still running while the workflow is active, and unfinished once it is not", () => {
    const events = [started(1, ["test", "lint"], { source: "detected" }), completed(1, 0, "test")];
    const { unmount } = render(<ChecksPanel events={events} active loadLog={vi.fn()} />);
    expect(within(roundSection(1)).getByText("Running", { selector: ".badge" })).toBeTruthy();
    expect(cellsOf(row(roundSection(1), "lint"))).toEqual(["lint", "Running…", "", ""]);
    expect(cellsOf(row(roundSection(1), "test"))).toEqual(["test", "Passed", "1.3 s", "Output"]);
    expect(screen.getByText(/has no \.amelia\/checks\.yml/)).toBeTruthy();
    unmount();

    render(<ChecksPanel events={events} active={false} loadLog={vi.fn()} />);
    expect(cellsOf(row(roundSection(1), "lint"))).toEqual(["lint", "Did not finish", "", ""]);
  });

  it("shows a round that went to review unchecked, with the reason", () => {
    const message =
      "No checks: the repository has no .amelia/checks.yml and none were found; round 1 goes to review unverified";
    panel({
      events: [
        makeEvent(1, { agent: "developer", message: "Working", data: { round: 1 } }),
        makeEvent(2, {
          agent: "system",
          level: "warning",
          message,
          data: { round: 1, checks: "none" },
        }),
      ],
    });
    const section = roundSection(1);
    expect(within(section).getByText("Not checked")).toBeTruthy();
    expect(within(section).getByText(message)).toBeTruthy();
    expect(screen.getAllByRole("region", { name: /^Round/ })).toHaveLength(1);
  });

  it("renders nothing before any checks", () => {
    const { container } = render(<ChecksPanel events={[makeEvent(1)]} active loadLog={vi.fn()} />);
    expect(container.innerHTML).toBe("");
  });
});
