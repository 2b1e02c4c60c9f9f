import { useEffect, useState, useSyncExternalStore } from "react";
import type { Health } from "@amelia/client";
import { ConnectionIndicator } from "./components/ConnectionIndicator";
import { ErrorMessage } from "./components/ErrorMessage";
import { TokenDialog } from "./components/TokenDialog";
import { WorkflowPage } from "./components/WorkflowPage";
import { WorkflowsPage } from "./components/WorkflowsPage";
import { useConnectionState } from "./live/hooks";
import { Link, usePath, workflowIdOf } from "./router";
import { useServices } from "./services";

export function App() {
  const { api, live, tokens } = useServices();
  const path = usePath();
  const connection = useConnectionState(live);
  const token = useSyncExternalStore(
    (onChange) => tokens.subscribe(onChange),
    () => (tokens.asking ? "asking" : tokens.needed ? "needed" : "none"),
  );
  const [health, setHealth] = useState<Health>();
  const [healthError, setHealthError] = useState<unknown>(null);

  useEffect(() => {
    api.health().then(setHealth, setHealthError);
  }, [api]);

  const workflowId = workflowIdOf(path);
  const model = health?.checks.model;

  return (
    <>
      <header className="top">
        <Link href="/" className="brand">
          Amelia
        </Link>
        {model?.demo && (
          <span
            className="badge demo"
            title="No ANTHROPIC_API_KEY on the server: agents are simulated"
          >
            Offline demo model
          </span>
        )}
        {model && !model.demo && <span className="muted">Model {model.name}</span>}
        <span className="spacer" />
        <ConnectionIndicator state={connection} />
        {token !== "none" && (
          <button type="button" className="link" onClick={() => tokens.ask(true)}>
            API token
          </button>
        )}
      </header>
      {healthError !== null && <ErrorMessage error={healthError} />}
      {token === "asking" && <TokenDialog tokens={tokens} />}
      {workflowId !== undefined ? (
        <WorkflowPage key={workflowId} id={workflowId} />
      ) : path === "/" ? (
        <WorkflowsPage />
      ) : (
        <main className="page">
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{path}</code>. <Link href="/">See all workflows</Link>.
          </p>
        </main>
      )}
    </>
  );
}
