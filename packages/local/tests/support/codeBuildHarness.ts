import { AwsJsonServer } from "../../src/aws/protocol/AwsJsonServer";
import { CodeBuildEmulator } from "../../src/aws/codebuild/CodeBuildEmulator";
import { ObjectStore } from "../../src/aws/s3/ObjectStore";
import { sandboxFor } from "../../src/sandbox/Sandbox";
import { eventually } from "./eventually";
import { clientConfig, codeBuild, TEST_CREDENTIALS } from "./sdk";
import { zipOf, type ArchiveFile } from "./zip";

export const CHECKS_BUCKET = "amelia-checks";
export const CHECKS_PROJECT = "amelia-checks";
/** A build-timeout minute lasts this long in tests: the 5-minute minimum is half a second. */
export const TEST_MINUTE_MS = 100;

/**
 * A CodeBuild emulator over an object store holding the checks bucket, behind a real server, with
 * a real CodeBuildClient, running builds on this host (the sandbox is another part's test).
 */
export async function startCodeBuild(directory: string) {
  const objects = new ObjectStore(`${directory}/s3`);
  await objects.createBucket(CHECKS_BUCKET);
  const emulator = new CodeBuildEmulator({
    project: { name: CHECKS_PROJECT, timeoutInMinutes: 15 },
    objects,
    sandbox: sandboxFor("unsafe-host"),
    directory: `${directory}/codebuild`,
    minuteMs: TEST_MINUTE_MS,
  });
  const server = new AwsJsonServer({ services: [emulator], credentials: TEST_CREDENTIALS });
  const { endpoint } = await server.start();
  const client = new codeBuild.CodeBuildClient(clientConfig(endpoint));

  /** Puts a zip of the files in the bucket; its sourceLocationOverride. */
  const source = async (key: string, files: Record<string, ArchiveFile>) => {
    await objects.put(CHECKS_BUCKET, key, zipOf(files), "application/zip");
    return `${CHECKS_BUCKET}/${key}`;
  };
  const start = async (input: Omit<codeBuild.StartBuildCommandInput, "projectName">) => {
    const { build } = await client.send(
      new codeBuild.StartBuildCommand({ projectName: CHECKS_PROJECT, ...input }),
    );
    if (!build?.id) throw new Error("StartBuild returned no build id");
    return build;
  };
  const get = async (id: string) => {
    const { builds } = await client.send(new codeBuild.BatchGetBuildsCommand({ ids: [id] }));
    return builds?.[0];
  };
  const untilComplete = (id: string, timeoutMs = 10_000) =>
    eventually(async () => {
      const build = await get(id);
      if (!build?.buildComplete) throw new Error(`build ${id} is ${build?.buildStatus}`);
      return build;
    }, timeoutMs);
  const untilPhase = (id: string, phase: string) =>
    eventually(async () => {
      const build = await get(id);
      if (build?.currentPhase !== phase)
        throw new Error(`build ${id} is in ${build?.currentPhase}`);
      return build;
    });
  const object = async (key: string) =>
    (await objects.get(CHECKS_BUCKET, key))?.body.toString("utf8");
  const stop = async () => {
    client.destroy();
    await server.close();
    await emulator.close();
  };
  return {
    emulator,
    objects,
    endpoint,
    client,
    source,
    start,
    get,
    untilComplete,
    untilPhase,
    object,
    stop,
  };
}

export type CodeBuildHarness = Awaited<ReturnType<typeof startCodeBuild>>;
