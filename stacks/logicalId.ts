/** `architect` → `Architect`, `$connect` → `Connect`: a readable CloudFormation logical id. */
export function logicalId(name: string): string {
  const word = name.replace(/^\$/, "");
  return word[0]!.toUpperCase() + word.slice(1);
}
