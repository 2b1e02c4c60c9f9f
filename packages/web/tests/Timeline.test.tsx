import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { WorkflowEvent } from "@amelia/client";
import { Timeline } from "../src/components/Timeline";
import { makeEvent } from "../../client/tests/support/events";

const events = (count: number) => Array.from({ length: count }, (_, i) => makeEvent(i + 1));

const shownSequences = () =>
  within(screen.getByRole("region", { name: "Event timeline" }))
    .queryAllByRole("listitem")
    .map((item) => Number(item.dataset.sequence));

/** jsdom lays nothing out: give the scroll box a size, 40 px per event, 200 px visible. */
function layOut(box: HTMLElement, countOf: () => number) {
  let top = 0;
  const height = () => countOf() * 40;
  Object.defineProperty(box, "scrollHeight", { configurable: true, get: height });
  Object.defineProperty(box, "clientHeight", { configurable: true, get: () => 200 });
  Object.defineProperty(box, "scrollTop", {
    configurable: true,
    get: () => top,
    set: (value: number) => (top = Math.max(0, Math.min(value, height() - 200))),
  });
  return {
    scrollTo(value: number) {
      box.scrollTop = value;
      fireEvent.scroll(box);
    },
    atBottom: () => top === height() - 200,
    top: () => top,
  };
}

describe("Timeline", () => {
  it("shows each event's sequence, time, agent, level, type and message, with its data on request", async () => {
    const event = makeEvent(7, {
      agent: "reviewer",
      level: "warning",
      message: "Two TODO markers left",
      data: { comments: ["remove TODO in a.ts"] },
    });
    render(<Timeline events={[event]} caughtUp />);

    const item = screen.getByRole("listitem");
    expect(item).toHaveProperty("dataset.sequence", "7");
    for (const text of ["#7", "Reviewer", "Warning", "agent_message", "Two TODO markers left"]) {
      expect(within(item).getByText(text)).toBeTruthy();
    }
    expect(item.querySelector("time")?.getAttribute("dateTime")).toBe(event.timestamp);
    const details = item.querySelector("details")!;
    expect(details.open).toBe(false);
    await userEvent.click(within(item).getByText("Data"));
    expect(details.open).toBe(true);
    expect(within(details).getByText(/remove TODO in a\.ts/)).toBeTruthy();
  });

  it("says who took each decision: a GitHub user, the API, or nobody a log from before tells", () => {
    const decisions = [
      makeEvent(1, {
        type: "approval_granted",
        agent: "human",
        message: "Plan approved",
        data: { gate: "plan", by: { source: "github", login: "octocat" } },
      }),
      makeEvent(2, {
        type: "approval_rejected",
        agent: "human",
        message: "Review rejected: add tests",
        data: { gate: "review", feedback: "add tests", by: { source: "api" } },
      }),
      makeEvent(3, {
        type: "workflow_cancelled",
        agent: "human",
        message: "Cancelled by a person",
        data: { reason: "Cancelled by a person", by: { source: "github", login: "mona" } },
      }),
      makeEvent(4, {
        type: "approval_granted",
        agent: "human",
        message: "Plan approved",
        data: { gate: "plan" },
      }),
    ];
    render(<Timeline events={decisions} caughtUp />);

    const [github, api, cancelled, older] = screen.getAllByRole("listitem");
    expect(within(github!).getByText("by @octocat on GitHub")).toBeTruthy();
    expect(within(api!).getByText("through the API/CLI")).toBeTruthy();
    expect(within(cancelled!).getByText("by @mona on GitHub")).toBeTruthy();
    expect(within(older!).queryByText(/^by |through the API/)).toBeNull();
  });

  it("filters by agent and by level", async () => {
    const mixed: WorkflowEvent[] = [
      makeEvent(1, { agent: "architect", level: "info" }),
      makeEvent(2, { agent: "developer", level: "debug" }),
      makeEvent(3, { agent: "developer", level: "error" }),
      makeEvent(4, { agent: "reviewer", level: "error" }),
    ];
    render(<Timeline events={mixed} caughtUp />);

    await userEvent.selectOptions(screen.getByLabelText("Agent"), "developer");
    expect(shownSequences()).toEqual([2, 3]);
    await userEvent.selectOptions(screen.getByLabelText("Level"), "error");
    expect(shownSequences()).toEqual([3]);
    expect(screen.getByText("1 of 4 events")).toBeTruthy();
    await userEvent.selectOptions(screen.getByLabelText("Agent"), "");
    expect(shownSequences()).toEqual([3, 4]);
    await userEvent.selectOptions(screen.getByLabelText("Agent"), "human");
    expect(screen.getByText("No event matches.")).toBeTruthy();
  });

  it("follows new events, stays put while the person reads further up, and jumps back on request", async () => {
    let list = events(10);
    const { rerender } = render(<Timeline events={list} caughtUp />);
    const box = screen.getByRole("region", { name: "Event timeline" });
    const scroll = layOut(box, () => list.length);

    list = events(12);
    rerender(<Timeline events={list} caughtUp />);
    expect(scroll.atBottom()).toBe(true);

    scroll.scrollTo(40); // the person scrolls up to read
    list = events(15);
    rerender(<Timeline events={list} caughtUp />);
    expect(scroll.top()).toBe(40);
    const jump = screen.getByRole("button", { name: "3 new events ↓" });

    await userEvent.click(jump);
    expect(scroll.atBottom()).toBe(true);
    expect(screen.queryByRole("button", { name: /new event/ })).toBeNull();
    list = events(16);
    rerender(<Timeline events={list} caughtUp />);
    expect(scroll.atBottom()).toBe(true);
  });

  it("says when it is still catching up with stored events", () => {
    const { rerender } = render(<Timeline events={events(2)} caughtUp={false} />);
    expect(screen.getByText(/catching up/)).toBeTruthy();
    rerender(<Timeline events={events(2)} caughtUp />);
    expect(screen.queryByText(/catching up/)).toBeNull();
  });
});
