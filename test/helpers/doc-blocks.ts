import { readFileSync } from 'node:fs';

/** The fenced code blocks of one language inside the `## ` section of a Markdown file whose title starts with `heading`. */
export function sectionBlocks(file: string, heading: string, language: string): string[] {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`${file} has no "## ${heading}" section`);
  const next = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((match) => match[1]!);
}
