import { createHash } from "node:crypto";

/** Tree entry modes git and GitHub use. */
export const FILE_MODE = "100644";
export const EXECUTABLE_MODE = "100755";
export const SYMLINK_MODE = "120000";
export const SUBMODULE_MODE = "160000";

/** The id git gives an object: SHA-1 of `<type> <size>\0<body>`. */
export function gitObjectSha(type: "blob" | "tree" | "commit", body: Buffer): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

/** The id of a file's content as git (and so GitHub) stores it. */
export function blobSha(content: Buffer): string {
  return gitObjectSha("blob", content);
}
