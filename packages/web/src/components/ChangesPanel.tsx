import type { WorkflowDiff } from "@amelia/client";
import { useEffect, useMemo, useState } from "react";
import type { ViewType } from "react-diff-view";
import "react-diff-view/style/index.css";
import { filesToOpen } from "../diff/files";
import { toHunkData } from "../diff/hunks";
import { placeComments } from "../diff/lineComments";
import type { ChangeRounds } from "../diff/rounds";
import { useServices } from "../services";
import { ErrorMessage } from "./ErrorMessage";
import { FileDiff, LineCounts } from "./FileDiff";

/** Side by side by default where both sides fit. */
const WIDE_SCREEN = "(min-width: 1200px)";

export interface ChangesPanelProps extends ChangeRounds {
  workflowId: string;
}

/**
 * A developer round's change against the workflow's base: the files with their counts, each
 * file's lines (react-diff-view, highlighted), the review's `path:line` comments at their lines.
 * The newest round unless one is chosen; a new round's commit shows that round.
 */
export default function ChangesPanel({ workflowId, latestCommit, review }: ChangesPanelProps) {
  const { api } = useServices();
  // A round chosen while another was the newest gives way to the next new round.
  const [chosen, setChosen] = useState<{ round: number; latestCommit?: string }>();
  const round = chosen && chosen.latestCommit === latestCommit ? chosen.round : undefined;
  const [diff, setDiff] = useState<WorkflowDiff>();
  const [error, setError] = useState<unknown>(null);
  const [viewType, setViewType] = useState<ViewType>(() =>
    window.matchMedia?.(WIDE_SCREEN).matches ? "split" : "unified",
  );
  const [toggled, setToggled] = useState<ReadonlyMap<string, boolean>>(new Map());

  useEffect(() => {
    let current = true;
    api.diff(workflowId, round).then(
      (loaded) => {
        if (!current) return;
        setDiff(loaded);
        setError(null);
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [api, workflowId, round, latestCommit]);

  const files = useMemo(
    () => diff?.files.map((file) => ({ file, hunks: toHunkData(file) })) ?? [],
    [diff],
  );
  const comments = useMemo(() => {
    if (!diff || !review || review.commit !== diff.commit) return new Map();
    const byPath = new Map(files.map(({ file, hunks }) => [file.path, hunks]));
    return placeComments(review.comments, (path) => byPath.get(path));
  }, [diff, files, review]);
  const openAtFirst = useMemo(
    () => new Set([...filesToOpen(diff?.files ?? []), ...comments.keys()]),
    [diff, comments],
  );

  if (!diff) {
    return error ? <ErrorMessage error={error} /> : <p className="muted">Loading the changes…</p>;
  }
  const isOpen = (path: string) => toggled.get(path) ?? openAtFirst.has(path);
  const setOpen = (path: string, open: boolean) =>
    setToggled((previous) => new Map(previous).set(path, open));
  const command = `amelia diff ${workflowId} --round ${diff.round}`;

  return (
    <div className="changes-body">
      <div className="changes-toolbar">
        {diff.rounds.length > 1 && (
          <label className="choice">
            Round
            <select
              value={diff.round}
              onChange={(event) => setChosen({ round: Number(event.target.value), latestCommit })}
            >
              {diff.rounds.map((option) => (
                <option key={option} value={option}>
                  {option}
                  {option === diff.rounds.at(-1) ? " (latest)" : ""}
                </option>
              ))}
            </select>
          </label>
        )}
        <code className="commit" title={diff.commit}>
          {diff.commit.slice(0, 12)}
        </code>
        <span className="spacer" />
        <button
          type="button"
          aria-pressed={viewType === "split"}
          onClick={() => setViewType(viewType === "split" ? "unified" : "split")}
        >
          Side by side
        </button>
      </div>
      <p className="changes-totals" aria-live="polite">
        Round {diff.round}: {plural(diff.totals.files, "file")} changed,{" "}
        <LineCounts additions={diff.totals.additions} deletions={diff.totals.deletions} />
      </p>
      <DiffLinks links={diff.links} />
      <ErrorMessage error={error} />
      {diff.files.length === 0 ? (
        <p className="muted">This round changed no file.</p>
      ) : (
        <FileList files={diff.files} totals={diff.totals} onShow={(path) => setOpen(path, true)} />
      )}
      {files.map(({ file, hunks }, index) => (
        <FileDiff
          key={file.path}
          file={file}
          hunks={hunks}
          anchor={fileAnchor(index)}
          open={isOpen(file.path)}
          onToggle={(open) => setOpen(file.path, open)}
          viewType={viewType}
          comments={comments.get(file.path)}
          wholeDiff={{ command, ...(diff.links?.compare && { url: diff.links.compare }) }}
        />
      ))}
    </div>
  );
}

const fileAnchor = (index: number) => `changed-file-${index + 1}`;

function FileList({
  files,
  totals,
  onShow,
}: Pick<WorkflowDiff, "files" | "totals"> & { onShow(path: string): void }) {
  const show = (path: string, index: number) => {
    onShow(path);
    // Once its lines are rendered: focusing the file's button scrolls the page to it.
    requestAnimationFrame(() =>
      document.getElementById(fileAnchor(index))?.querySelector("button")?.focus(),
    );
  };
  return (
    <table className="diff-files">
      <caption className="visually-hidden">Files changed</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Status</th>
          <th scope="col">Added</th>
          <th scope="col">Removed</th>
        </tr>
      </thead>
      <tbody>
        {files.map((file, index) => (
          <tr key={file.path}>
            <th scope="row">
              <button type="button" className="link" onClick={() => show(file.path, index)}>
                {file.path}
              </button>
            </th>
            <td>{file.binary ? `${file.status}, binary` : file.status}</td>
            <td className="additions">+{file.additions}</td>
            <td className="deletions">−{file.deletions}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total: {plural(totals.files, "file")}</th>
          <td />
          <td className="additions">+{totals.additions}</td>
          <td className="deletions">−{totals.deletions}</td>
        </tr>
      </tfoot>
    </table>
  );
}

function DiffLinks({ links }: Pick<WorkflowDiff, "links">) {
  const shown = [
    [links?.commit, "Commit on GitHub"],
    [links?.compare, "Comparison with the base"],
    [links?.pullRequestFiles, "Pull request files"],
  ].filter((link): link is [string, string] => link[0] !== undefined);
  if (shown.length === 0) return null;
  return (
    <ul className="diff-links" aria-label="On GitHub">
      {shown.map(([href, text]) => (
        <li key={href}>
          <a href={href} target="_blank" rel="noreferrer">
            {text}
          </a>
        </li>
      ))}
    </ul>
  );
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
