import { memo, useLayoutEffect, useMemo, useRef, useState, type UIEvent } from "react";
import { decidedBy, type Agent, type Level, type WorkflowEvent } from "@amelia/client";
import { actorText, AGENT_LABELS, formatTime, LEVEL_LABELS } from "../format";
import { Choice } from "./Choice";

/** Within this many pixels of the bottom counts as "at the bottom": the timeline follows. */
const FOLLOW_SLACK_PX = 32;

export interface TimelineProps {
  events: readonly WorkflowEvent[];
  /** False while the server is still sending stored events (after a (re)subscription). */
  caughtUp: boolean;
}

/**
 * The live event log. It stays scrolled to the newest event, unless the person has scrolled up
 * to read: then it stays put and offers a button to jump to the new events.
 */
export function Timeline({ events, caughtUp }: TimelineProps) {
  const [agent, setAgent] = useState<Agent | "">("");
  const [level, setLevel] = useState<Level | "">("");
  const [following, setFollowing] = useState(true);
  const [seenCount, setSeenCount] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);

  const shown = useMemo(
    () => events.filter((e) => (!agent || e.agent === agent) && (!level || e.level === level)),
    [events, agent, level],
  );

  useLayoutEffect(() => {
    const element = scroller.current;
    if (following && element) element.scrollTop = element.scrollHeight;
  }, [shown, following]);

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const { scrollHeight, scrollTop, clientHeight } = event.currentTarget;
    const atBottom = scrollHeight - scrollTop - clientHeight <= FOLLOW_SLACK_PX;
    if (atBottom === following) return;
    setFollowing(atBottom);
    if (!atBottom) setSeenCount(shown.length);
  };

  const unseen = following ? 0 : shown.length - seenCount;

  return (
    <section className="card timeline" aria-labelledby="timeline-title">
      <div className="timeline-head">
        <h2 id="timeline-title">Events</h2>
        <span className="muted" aria-live="polite">
          {shown.length === events.length
            ? `${events.length} events`
            : `${shown.length} of ${events.length} events`}
          {!caughtUp && " · catching up…"}
        </span>
      </div>
      <div className="filters">
        <Choice
          label="Agent"
          value={agent}
          options={{ "": "All agents", ...AGENT_LABELS }}
          onChange={setAgent}
        />
        <Choice
          label="Level"
          value={level}
          options={{ "": "All levels", ...LEVEL_LABELS }}
          onChange={setLevel}
        />
      </div>
      <div
        className="timeline-scroll"
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        role="region"
        aria-label="Event timeline"
      >
        <ol className="events">
          {shown.map((event) => (
            <EventItem key={event.sequence} event={event} />
          ))}
        </ol>
        {shown.length === 0 && (
          <p className="muted empty">{events.length ? "No event matches." : "No events yet."}</p>
        )}
      </div>
      {unseen > 0 && (
        <button type="button" className="jump" onClick={() => setFollowing(true)}>
          {unseen === 1 ? "1 new event" : `${unseen} new events`} ↓
        </button>
      )}
    </section>
  );
}

const EventItem = memo(function EventItem({ event }: { event: WorkflowEvent }) {
  const by = decidedBy(event);
  return (
    <li className={`event level-${event.level}`} data-sequence={event.sequence}>
      <div className="event-meta">
        <span className="sequence">#{event.sequence}</span>
        <time dateTime={event.timestamp}>{formatTime(event.timestamp)}</time>
        <span className={`agent agent-${event.agent}`}>{AGENT_LABELS[event.agent]}</span>
        <span className="level-name">{LEVEL_LABELS[event.level]}</span>
        <span className="type">{event.type}</span>
      </div>
      <p className="event-message">{event.message}</p>
      {by && <p className="event-by">{actorText(by)}</p>}
      {event.data !== undefined && (
        <details>
          <summary>Data</summary>
          <pre>{JSON.stringify(event.data, null, 2)}</pre>
        </details>
      )}
    </li>
  );
});
