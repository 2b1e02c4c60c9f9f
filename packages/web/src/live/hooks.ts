import { useCallback, useEffect, useRef, useSyncExternalStore } from "react";
import type { ConnectionState, FeedSnapshot, LiveConnection, WorkflowEvent } from "@amelia/client";

/** At most one refetch per workflow this often, however busy its agent is. */
const REFRESH_COALESCE_MS = 150;

export function useConnectionState(live: LiveConnection): ConnectionState {
  return useSyncExternalStore(
    useCallback((onChange) => live.onStateChange(onChange), [live]),
    () => live.state,
  );
}

/** A workflow's events from its first, live, each once and in order. */
export function useWorkflowEvents(live: LiveConnection, workflowId: string): FeedSnapshot {
  return useSyncExternalStore(
    useCallback((onChange) => live.follow(workflowId, onChange), [live, workflowId]),
    useCallback(() => live.snapshot(workflowId), [live, workflowId]),
  );
}

/**
 * Keeps fetched state fresh: `changed(id)` shortly after events for a workflow arrive,
 * `reopened()` after the connection was lost and is back (anything may have changed).
 */
export function useLiveRefresh(
  live: LiveConnection,
  changed: (workflowId: string) => void,
  reopened: () => void,
): void {
  const handlers = useRef({ changed, reopened });
  useEffect(() => {
    handlers.current = { changed, reopened };
  });
  useEffect(() => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const onEvent = ({ workflowId }: WorkflowEvent) => {
      if (timers.has(workflowId)) return;
      timers.set(
        workflowId,
        setTimeout(() => {
          timers.delete(workflowId);
          handlers.current.changed(workflowId);
        }, REFRESH_COALESCE_MS),
      );
    };
    const stopEvents = live.onEvent(onEvent);
    const stopReopen = live.onReopen(() => handlers.current.reopened());
    return () => {
      stopEvents();
      stopReopen();
      for (const timer of timers.values()) clearTimeout(timer);
    };
  }, [live]);
}
