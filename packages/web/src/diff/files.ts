import type { DiffFile } from "@amelia/client";

/** Opened at first: a few files, none so long that opening the panel would stall the page. */
const OPEN_FILES = 3;
const OPEN_FILE_MAX_LINES = 400;

/** The first few files short enough to show at once; the others open when asked for. */
export function filesToOpen(files: readonly DiffFile[]): string[] {
  return files
    .filter((file) => !file.binary && shownLines(file) <= OPEN_FILE_MAX_LINES)
    .slice(0, OPEN_FILES)
    .map((file) => file.path);
}

const shownLines = (file: DiffFile) => file.hunks.reduce((sum, hunk) => sum + hunk.lines.length, 0);
