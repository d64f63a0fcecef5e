import { visit, type JSONPath } from 'jsonc-parser';

class Found extends Error {}

/**
 * Whether one object of a JSON text gives a member twice where that matters. JSON.parse keeps the last of two
 * members and first-wins readers the first, and the parsed value no longer shows the repeat: so the text is
 * tokenized, names compared unescaped as both readers do. `tracked(name, depth)` picks the names worth remembering
 * (depth 1: the top-level object's members); a repeat of one counts when `matters(name, depth, pathOf)` says so, and
 * its path (member names and array indices from the top) is worked out only then. Nesting too deep for the
 * tokenizer's recursion (JSON.parse took it) cannot be shown to be unambiguous: it counts as a repeat.
 */
export function repeatsMember(
  text: Buffer,
  tracked: (name: string, depth: number) => boolean,
  matters: (name: string, depth: number, pathOf: () => JSONPath) => boolean = () => true,
): boolean {
  // One set of names per open object, made when the object has a first name worth remembering.
  const seen: (Set<string> | null)[] = [];
  try {
    visit(text.toString('utf8'), {
      onObjectBegin: () => void seen.push(null),
      onObjectEnd: () => void seen.pop(),
      onObjectProperty: (name, _offset, _length, _line, _column, pathOf) => {
        const depth = seen.length;
        if (!tracked(name, depth)) return;
        const names = seen[depth - 1] ?? (seen[depth - 1] = new Set());
        if (!names.has(name)) names.add(name);
        else if (matters(name, depth, pathOf)) throw new Found();
      },
    });
  } catch (error) {
    if (error instanceof Found || error instanceof RangeError) return true;
    throw error;
  }
  return false;
}

/** The member names of a tokenizer path, array indices left out. */
export function memberNames(path: JSONPath): string[] {
  return path.filter((segment): segment is string => typeof segment === 'string');
}
