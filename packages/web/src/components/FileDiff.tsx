import type { DiffFile } from "@amelia/client";
import { useMemo, type ReactNode } from "react";
import { Decoration, Diff, Hunk, type HunkData, type ViewType } from "react-diff-view";
import { highlightTokens } from "../diff/highlight";
import { DIFF_TYPES } from "../diff/hunks";
import type { FileComments } from "../diff/lineComments";

const STATUS_TEXT: Record<DiffFile["status"], string> = {
  added: "added",
  deleted: "deleted",
  modified: "modified",
  renamed: "renamed",
};

export interface FileDiffProps {
  file: DiffFile;
  hunks: HunkData[];
  /** The element id of the file's section, for the list of files to jump to. */
  anchor: string;
  open: boolean;
  onToggle(open: boolean): void;
  viewType: ViewType;
  comments: FileComments | undefined;
  /** How to see the lines of a cut file: the CLI command, and GitHub's comparison when there is one. */
  wholeDiff: { command: string; url?: string };
}

/** One file of the diff: its name, status and counts, and its lines once opened. */
export function FileDiff({ file, hunks, anchor, open, onToggle, ...body }: FileDiffProps) {
  const name = file.previousPath ? `${file.previousPath} → ${file.path}` : file.path;
  const bodyId = `${anchor}-lines`;
  return (
    <section className="file-diff" id={anchor} aria-labelledby={`${anchor}-name`}>
      <div className="file-head">
        <h3 id={`${anchor}-name`}>
          {file.binary ? (
            <span className="file-path">{name}</span>
          ) : (
            <button
              type="button"
              className="file-toggle"
              aria-expanded={open}
              aria-controls={bodyId}
              onClick={() => onToggle(!open)}
            >
              <span className="chevron" aria-hidden="true" />
              <span className="file-path">{name}</span>
            </button>
          )}
        </h3>
        <span className={`file-status file-${file.status}`}>{STATUS_TEXT[file.status]}</span>
        <LineCounts additions={file.additions} deletions={file.deletions} />
      </div>
      {file.binary ? (
        <p className="file-note">Binary file, not shown.</p>
      ) : (
        <div id={bodyId} hidden={!open}>
          {open && <FileLines file={file} hunks={hunks} {...body} />}
        </div>
      )}
    </section>
  );
}

export function LineCounts({ additions, deletions }: { additions: number; deletions: number }) {
  return (
    <span className="line-counts">
      <span className="additions" aria-label={`${additions} added`}>
        +{additions}
      </span>{" "}
      <span className="deletions" aria-label={`${deletions} removed`}>
        −{deletions}
      </span>
    </span>
  );
}

/** Rendered only while the file is open: a long diff costs nothing until someone reads it. */
function FileLines({
  file,
  hunks,
  viewType,
  comments,
  wholeDiff,
}: Pick<FileDiffProps, "file" | "hunks" | "viewType" | "comments" | "wholeDiff">) {
  const tokens = useMemo(() => highlightTokens(hunks, file.path), [hunks, file.path]);
  const widgets = useMemo(() => {
    const byChange: Record<string, ReactNode> = {};
    for (const [key, texts] of comments?.atChange ?? []) {
      byChange[key] = <LineComments texts={texts} />;
    }
    return byChange;
  }, [comments]);

  return (
    <>
      {comments && comments.elsewhere.length > 0 && (
        <ul className="file-comments" aria-label="Review comments on lines the diff does not show">
          {comments.elsewhere.map(({ line, comment }) => (
            <li key={`${line}:${comment}`}>
              <span className="muted">Line {line}:</span> {comment}
            </li>
          ))}
        </ul>
      )}
      {hunks.length === 0 ? (
        <p className="file-note">
          No lines to show: the file is empty, or only its name or mode changed.
        </p>
      ) : (
        <div className="diff-scroll">
          <Diff
            viewType={viewType}
            diffType={DIFF_TYPES[file.status]}
            hunks={hunks}
            tokens={tokens}
            widgets={widgets}
          >
            {(shown) =>
              shown.flatMap((hunk) => [
                <Decoration key={`header ${hunk.content}`}>
                  <span className="hunk-header">{hunk.content}</span>
                </Decoration>,
                <Hunk key={hunk.content} hunk={hunk} />,
              ])
            }
          </Diff>
        </div>
      )}
      {file.truncated && (
        <p className="cut-marker" role="note">
          <strong>
            {file.truncated.shownLines.toLocaleString("en")} of{" "}
            {file.truncated.totalLines.toLocaleString("en")} lines shown.
          </strong>{" "}
          See the rest with <code>{wholeDiff.command}</code>
          {wholeDiff.url && (
            <>
              {" "}
              or{" "}
              <a href={wholeDiff.url} target="_blank" rel="noreferrer">
                on GitHub
              </a>
            </>
          )}
          .
        </p>
      )}
    </>
  );
}

function LineComments({ texts }: { texts: string[] }) {
  return (
    <ul className="line-comments" aria-label="Review comments on this line">
      {texts.map((text) => (
        <li key={text}>
          <span className="line-comment-by">Reviewer</span> {text}
        </li>
      ))}
    </ul>
  );
}
