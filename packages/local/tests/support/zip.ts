import { zipSync, type Zippable } from "fflate";

/** A file of a test archive: its text, and its Unix mode (0o644 unless given). */
export type ArchiveFile = string | { content: string; mode: number };

/** A zip archive of the files, with their Unix modes, as a repository snapshot is zipped. */
export function zipOf(files: Record<string, ArchiveFile>): Buffer {
  const entries: Zippable = {};
  for (const [name, file] of Object.entries(files)) {
    const { content, mode } = typeof file === "string" ? { content: file, mode: 0o100644 } : file;
    // Unix ("made by" 3) keeps the mode in the high half of the external attributes.
    entries[name] = [Buffer.from(content), { os: 3, attrs: (mode << 16) >>> 0 }];
  }
  return Buffer.from(zipSync(entries));
}
