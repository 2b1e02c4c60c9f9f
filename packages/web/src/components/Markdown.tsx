import DOMPurify, { type Config } from "dompurify";
import { Marked } from "marked";
import { useMemo } from "react";

/**
 * Agent text is untrusted (it may quote a prompt-injected issue), so nothing it renders may make
 * the browser fetch anything: an image becomes a link to its address, raw HTML is shown as text,
 * and the sanitizer keeps only markup that loads nothing (no img, media, SVG, style or forms).
 */
const markdown = new Marked({
  gfm: true,
  async: false,
  renderer: {
    image({ href, text }) {
      return `<a href="${escapeHtml(href)}" class="image-link">Image: ${escapeHtml(text || href)}</a>`;
    },
    html({ text }) {
      return escapeHtml(text);
    },
  },
});

const SANITIZE: Config = {
  ALLOWED_TAGS: [
    "a",
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
  ],
  ALLOWED_ATTR: ["href", "title", "start", "align", "class"],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
};

/** Markdown from an agent, rendered and then sanitized: it is untrusted text. */
export function Markdown({ text, label }: { text: string; label: string }) {
  const html = useMemo(() => DOMPurify.sanitize(markdown.parse(text) as string, SANITIZE), [text]);
  return <div className="markdown" aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
