import { describe, expect, it } from "vitest";
import { WorkspaceRouter } from "../../../src/workspace/WorkspaceRouter";
import type {
  OpenWorkspaceRequest,
  Workspace,
  WorkspaceProvider,
} from "../../../src/workspace/Workspace";

/** A provider that says who it is, so the test sees which one was chosen. */
function provider(name: string, publishes: boolean): WorkspaceProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    resolveRepository: async (repository) => {
      calls.push(`resolve ${repository}`);
      return repository === undefined ? undefined : `${name}:${repository}`;
    },
    open: async (request: OpenWorkspaceRequest) => {
      calls.push(`open ${request.repository}`);
      return { root: name } as Workspace;
    },
    changes: async (request) => {
      calls.push(`changes ${request.repository}`);
      return { diff: name };
    },
    ...(publishes && {
      publish: async (workflow) => {
        calls.push(`publish ${workflow.repository}`);
        return { pullRequestUrl: `https://example.com/${workflow.repository}/pull/1` };
      },
    }),
  };
}

const request = (repository?: string): OpenWorkspaceRequest => ({
  workflowId: "wf",
  issueId: "I-1",
  branch: "amelia/I-1",
  ...(repository !== undefined && { repository }),
});

const workflow = (repository?: string) => ({
  id: "wf-1",
  issueId: "I-1",
  branch: "amelia/I-1",
  iteration: { plan: 1, review: 1 },
  ...(repository !== undefined && { repository }),
});

describe("choosing a workspace provider by the repository's form", () => {
  it("sends owner/name to GitHub, and paths and no repository to the local provider", async () => {
    const local = provider("local", false);
    const github = provider("github", true);
    const workspaces = new WorkspaceRouter(local, github);
    expect(await workspaces.resolveRepository("octo/project")).toBe("github:octo/project");
    expect(await workspaces.resolveRepository("/home/me/project")).toBe("local:/home/me/project");
    expect(await workspaces.resolveRepository("./octo/project")).toBe("local:./octo/project");
    expect(await workspaces.resolveRepository(undefined)).toBeUndefined();
    expect((await workspaces.open(request("octo/project"))).root).toBe("github");
    expect((await workspaces.open(request("/home/me/project"))).root).toBe("local");
    expect((await workspaces.open(request())).root).toBe("local");
    expect(github.calls).toEqual(["resolve octo/project", "open octo/project"]);
    expect(local.calls).toEqual([
      "resolve /home/me/project",
      "resolve ./octo/project",
      "resolve undefined",
      "open /home/me/project",
      "open undefined",
    ]);
  });

  it("publishes through GitHub, and publishes nothing for local work", async () => {
    const workspaces = new WorkspaceRouter(provider("local", false), provider("github", true));
    expect(await workspaces.publish(workflow("octo/project"))).toEqual({
      pullRequestUrl: "https://example.com/octo/project/pull/1",
    });
    expect(await workspaces.publish(workflow("/home/me/project"))).toEqual({});
    expect(await workspaces.publish(workflow())).toEqual({});
  });

  it("reads changes where the workflow's commits are", async () => {
    const workspaces = new WorkspaceRouter(provider("local", false), provider("github", true));
    const changes = (repository?: string) =>
      workspaces.changes({
        workflowId: "wf-1",
        ...(repository !== undefined && { repository }),
        baseCommit: "a".repeat(40),
        commit: "b".repeat(40),
      });
    expect(await changes("octo/project")).toEqual({ diff: "github" });
    expect(await changes("/home/me/project")).toEqual({ diff: "local" });
    expect(await changes()).toEqual({ diff: "local" });
  });
});

describe("without a local provider (Lambda has no git binary)", () => {
  const github = provider("github", true);
  const workspaces = new WorkspaceRouter(undefined, github);

  it("still serves owner/name repositories", async () => {
    await expect(workspaces.resolveRepository("octo/demo")).resolves.toBe("github:octo/demo");
  });

  it.each([[undefined], ["/home/me/project"]])(
    "refuses %j with a 400 on field repository",
    async (repository) => {
      await expect(workspaces.resolveRepository(repository)).rejects.toMatchObject({
        statusCode: 400,
        details: [{ field: "repository", message: expect.stringContaining("owner/name") }],
      });
      await expect(workspaces.open(request(repository))).rejects.toMatchObject({ statusCode: 400 });
    },
  );
});
