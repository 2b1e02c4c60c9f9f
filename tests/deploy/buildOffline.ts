/**
 * `npm run verify:build`: the real `sst build` of the app — every function bundled by SST, the
 * web UI built, the CloudFormation templates written — with STS and CloudFormation answered by a
 * stand-in, since a build asks them who the account is and whether it is bootstrapped. Then
 * checks what it built. Nothing is deployed.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { workflowDefinition } from "../../packages/core/src/definitions/stateMachine";
import { FUNCTION_PLACEHOLDERS, RESOURCE_PLACEHOLDERS } from "../../stacks/Workflow";
import { LIMIT_BYTES } from "../bench/bundleSizes";
import { deployedFunctions } from "../bench/functions";
import { startFakeBootstrapAws } from "../support/fakeBootstrapAws";
import { buildWeb } from "../support/webBuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const STAGE = "offline";
const problems: string[] = [];

interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

async function sstBuild(endpoint: string): Promise<number> {
  for (const output of [".sst/dist", ".sst/artifacts"]) {
    await rm(path.join(ROOT, output), { recursive: true, force: true });
  }
  const child = spawn("npx", ["sst", "build", "--stage", STAGE], {
    cwd: ROOT,
    stdio: "inherit",
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: "offline",
      AWS_SECRET_ACCESS_KEY: "offline",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
      SST_TELEMETRY_DISABLED: "1",
    },
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

async function templates(): Promise<Map<string, Template>> {
  const dist = path.join(ROOT, ".sst/dist");
  const names = (await readdir(dist)).filter((name) => name.endsWith(".template.json"));
  const loaded = new Map<string, Template>();
  for (const name of names) {
    loaded.set(name, JSON.parse(await readFile(path.join(dist, name), "utf8")) as Template);
  }
  return loaded;
}

function checkTemplates(all: Map<string, Template>): void {
  const stacks = ["Storage", "Auth", "Events", "Workflow", "Api", "Web"];
  for (const stack of stacks) {
    if (!all.has(`${STAGE}-amelia-${stack}.template.json`)) problems.push(`no ${stack} template`);
  }
  for (const [name, template] of all) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type === "AWS::IAM::Policy") {
        const document = resource.Properties.PolicyDocument as {
          Statement: Array<{ Action: string | string[] }>;
        };
        for (const action of document.Statement.flatMap((s) => [s.Action].flat())) {
          if (action === "*" || action.endsWith(":*")) problems.push(`${name} ${id}: ${action}`);
        }
      }
      if (resource.Type === "AWS::StepFunctions::StateMachine") {
        const deployed = JSON.parse(resource.Properties.DefinitionString as string) as unknown;
        const shared = JSON.stringify(
          workflowDefinition(FUNCTION_PLACEHOLDERS, RESOURCE_PLACEHOLDERS),
        );
        if (JSON.stringify(deployed) !== shared) problems.push(`${id}: not the shared definition`);
      }
    }
  }
  console.log(`\n${all.size} templates; IAM without wildcard actions; shared state machine`);
}

/** The bundles SST wrote, by handler path, against the targets. */
async function checkBundles(): Promise<void> {
  const artifacts = path.join(ROOT, ".sst/artifacts");
  const sizes = new Map<string, number>();
  for (const entry of await readdir(artifacts, { recursive: true })) {
    const file = String(entry);
    const match = /(packages\/functions\/src\/.+)\.mjs$/.exec(file);
    if (match) sizes.set(`${match[1]}.handler`, (await stat(path.join(artifacts, file))).size);
  }
  console.log("Bundles as SST built them:");
  for (const [handler, kind] of deployedFunctions()) {
    const size = sizes.get(handler);
    if (size === undefined) {
      problems.push(`no bundle for ${handler}`);
      continue;
    }
    const within = size < LIMIT_BYTES[kind];
    if (!within) problems.push(`${handler}: ${size} bytes, over ${LIMIT_BYTES[kind]}`);
    console.log(`    ${handler.padEnd(58)} ${(size / 1024).toFixed(0).padStart(5)} KB`);
  }
}

const fake = await startFakeBootstrapAws();
try {
  const code = await sstBuild(fake.endpoint);
  if (code !== 0) problems.push(`sst build exited with ${code}`);
  else {
    checkTemplates(await templates());
    await checkBundles();
  }
} finally {
  await fake.close();
  // SST built the site with deploy-time placeholders for its URLs; put back the local build.
  await buildWeb();
}
if (problems.length > 0) {
  console.error(`\nverify:build found ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
  process.exitCode = 1;
} else {
  console.log("\nverify:build: the app builds for deployment.");
}
