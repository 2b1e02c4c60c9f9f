import type { ConnectionState } from "@amelia/client";

const TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
  closed: "Offline",
};

export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  return (
    <span className={`connection connection-${state}`} role="status" data-state={state}>
      <span className="dot" aria-hidden="true" />
      {TEXT[state]}
    </span>
  );
}
