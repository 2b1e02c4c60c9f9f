import { mkdir, mkdtemp, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createGitRepository } from "../../../../tests/support/git";
import { repositoryFor } from "../../src/repository";

describe("repositoryFor", () => {
  it("without --repo: the top of the git work tree the command runs in, from any subdirectory", async () => {
    const repository = await createGitRepository();
    const nested = path.join(repository, "src", "deep");
    await mkdir(nested, { recursive: true });
    expect(await repositoryFor(undefined, nested)).toBe(await realpath(repository));
  });

  it("without --repo outside any git work tree: none (the server's scratch repository)", async () => {
    const outside = await mkdtemp(path.join(tmpdir(), "amelia-no-git-"));
    expect(await repositoryFor(undefined, outside)).toBeUndefined();
  });

  it("--no-repo: none, even inside a work tree", async () => {
    expect(await repositoryFor(false, await createGitRepository())).toBeUndefined();
  });

  it("--repo with a path: made absolute against the current directory", async () => {
    expect(await repositoryFor("../other", "/home/me/work")).toBe("/home/me/other");
    expect(await repositoryFor("/srv/repo", "/home/me")).toBe("/srv/repo");
  });

  it("--repo with a URL or an scp-like address: passed on as written", async () => {
    for (const remote of ["https://github.com/org/repo.git", "git@github.com:org/repo.git"]) {
      expect(await repositoryFor(remote, "/home/me")).toBe(remote);
    }
  });

  it("--repo owner/name: a GitHub repository, passed on as written; ./owner/name is local", async () => {
    expect(await repositoryFor("octo-org/app", "/home/me")).toBe("octo-org/app");
    expect(await repositoryFor("./octo-org/app", "/home/me")).toBe("/home/me/octo-org/app");
  });
});
