import { refractor } from "refractor/core";
import bash from "refractor/bash";
import css from "refractor/css";
import go from "refractor/go";
import java from "refractor/java";
import json from "refractor/json";
import markdown from "refractor/markdown";
import python from "refractor/python";
import rust from "refractor/rust";
import tsx from "refractor/tsx";
import yaml from "refractor/yaml";
import { tokenize, type HunkData, type HunkTokens } from "react-diff-view";

// The languages of most repositories Amelia works on; tsx brings jsx, typescript, javascript and markup.
for (const language of [bash, css, go, java, json, markdown, python, rust, tsx, yaml]) {
  refractor.register(language);
}

const LANGUAGES: Record<string, string> = {
  bash: "bash",
  sh: "bash",
  css: "css",
  go: "go",
  java: "java",
  json: "json",
  md: "markdown",
  py: "python",
  rs: "rust",
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  tsx: "tsx",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "jsx",
  html: "markup",
  svg: "markup",
  xml: "markup",
  yaml: "yaml",
  yml: "yaml",
};

/** The highlighting language of a file, by its extension; undefined: shown as plain text. */
export function languageOf(path: string): string | undefined {
  const extension = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : LANGUAGES[extension];
}

/**
 * Syntax tokens of the hunks' lines for react-diff-view, or null for plain text. react-diff-view
 * expects refractor 3's `highlight`, which answered the nodes that refractor 5 wraps in a root.
 */
export function highlightTokens(hunks: HunkData[], path: string): HunkTokens | null {
  const language = languageOf(path);
  if (language === undefined) return null;
  return tokenize(hunks, {
    highlight: true,
    language,
    refractor: {
      highlight: (text: string, name: string) => refractor.highlight(text, name).children,
    },
  });
}
