import { lazy, Suspense } from "react";
import type { ChangeRounds } from "../diff/rounds";

// The diff renderer and its highlighter load when the changes are first shown, not with the page.
const ChangesPanel = lazy(() => import("./ChangesPanel"));

export interface ChangesSectionProps extends ChangeRounds {
  workflowId: string;
  open: boolean;
  onToggle(open: boolean): void;
}

/** The Changes card: its heading and a button to show or hide the developer's change. */
export function ChangesSection({ open, onToggle, ...panel }: ChangesSectionProps) {
  return (
    <section className="card changes" aria-labelledby="changes-title">
      <div className="changes-head">
        <h2 id="changes-title">Changes</h2>
        <button
          type="button"
          aria-expanded={open}
          aria-controls="changes-panel"
          onClick={() => onToggle(!open)}
        >
          {open ? "Hide changes" : "Show changes"}
        </button>
      </div>
      <div id="changes-panel" hidden={!open}>
        {open && (
          <Suspense fallback={<p className="muted">Loading the changes…</p>}>
            <ChangesPanel {...panel} />
          </Suspense>
        )}
      </div>
    </section>
  );
}
