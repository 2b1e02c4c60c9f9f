import { randomInt } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

/**
 * A `sleep` duration no other process on the machine has in its arguments: long enough never to
 * end by itself, unique enough to find the sleeps (and the shells that started them) by it.
 */
export function sleepMarker(): string {
  return `1000.${randomInt(100_000_000, 999_999_999)}`;
}

/** The pids of the running processes whose command line contains `marker`. */
export function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      // A zombie's command line is empty: it is gone but for its exit status.
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) pids.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}
