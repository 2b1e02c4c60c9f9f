import { describe, expect, it } from "vitest";
import { parseBuildspec } from "../../../../src/aws/codebuild/buildspec";
import { globPattern } from "../../../../src/aws/codebuild/artifacts";

describe("parseBuildspec", () => {
  it("reads the version 0.2 subset: bash, variables, the phases in order, artifacts", () => {
    const spec = parseBuildspec(
      [
        "version: 0.2",
        "env:",
        "  shell: bash",
        "  variables: { A: one, N: 2 }",
        "phases:",
        "  build: { commands: [make test] }",
        "  install: { commands: [npm ci] }",
        "artifacts:",
        "  base-directory: out",
        '  files: ["**/*"]',
      ].join("\n"),
    );
    expect(spec).toEqual({
      variables: { A: "one", N: "2" },
      phases: [
        { name: "install", commands: ["npm ci"] },
        { name: "build", commands: ["make test"] },
      ],
      artifacts: { baseDirectory: "out", files: ["**/*"] },
    });
  });

  it("refuses what it would not run as CodeBuild does, naming it", () => {
    const refusals: [string, RegExp][] = [
      ["version: 0.1\nphases: {}", /version 0.1/],
      ["version: 0.2\nenv: { shell: sh }\nphases: {}", /shell sh/],
      ["version: 0.2\nphases: { post_build: { commands: [ls] } }", /post_build is not emulated/],
      ["version: 0.2\nphases: { build: { commands: [ls], finally: [ls] } }", /finally/],
      ["version: 0.2\nphases: { build: { commands: ls } }", /list of strings/],
      ["version: 0.2\nphases: {}\nartifacts: { files: [a], base-directory: ../up }", /inside/],
      ["version: 0.2\nphases: {}\ncache: { paths: [a] }", /cache is not emulated/],
      ["version: 0.2\nphases: [", /not valid YAML/],
    ];
    for (const [text, message] of refusals) expect(() => parseBuildspec(text)).toThrow(message);
  });
});

describe("globPattern", () => {
  it("matches as buildspec globs do", () => {
    const all = globPattern("**/*");
    expect(["results.json", "logs/0.log", "a/b/c"].every((p) => all.test(p))).toBe(true);
    const logs = globPattern("logs/*.log");
    expect(logs.test("logs/0.log")).toBe(true);
    expect(logs.test("logs/deep/0.log")).toBe(false);
    expect(logs.test("logs/0.logx")).toBe(false);
    expect(globPattern("./a?.txt").test("ab.txt")).toBe(true);
  });
});
