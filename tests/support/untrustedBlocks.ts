/**
 * The blocks of quoted (untrusted) data in a prompt: their kind and content, pairing each opening
 * tag with the closing tag of its own code, as a reader of the prompt does.
 */
export function quotedBlocks(prompt: string): { kind: string; content: string }[] {
  const blocks: { kind: string; content: string }[] = [];
  const opening = /<untrusted-data-([0-9a-f]{16}) kind="([^"]*)">\n/g;
  for (let match = opening.exec(prompt); match; match = opening.exec(prompt)) {
    const closing = `\n</untrusted-data-${match[1]}>`;
    const end = prompt.indexOf(closing, opening.lastIndex);
    if (end < 0) throw new Error(`Block ${match[1]} is never closed`);
    blocks.push({ kind: match[2] as string, content: prompt.slice(opening.lastIndex, end) });
    opening.lastIndex = end + closing.length;
  }
  return blocks;
}
