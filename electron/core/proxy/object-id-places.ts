import { visit } from 'jsonc-parser';
import type { EndpointSpec } from './endpoint-spec';

/** One step of an endpoint's object-id places: the members read below an object, and whether this one is an id. */
interface IdNode {
  children: Map<string, IdNode>;
  isId: boolean;
}

/** Where one endpoint's JSON body names owned objects, and the member names those places end in. */
export interface IdPlaces {
  root: IdNode;
  /** The member names the places end in, quoted as JSON writes them (`"file_id"`), for the byte count. */
  leaves: readonly Buffer[];
}

/** An object id a body names, and the member it was named in (the error's `param`). */
export interface NamedId {
  id: string;
  member: string;
}

function node(): IdNode {
  return { children: new Map(), isId: false };
}

function compile(paths: readonly string[]): IdPlaces {
  const root = node();
  const leaves = new Set<string>();
  for (const path of paths) {
    let at = root;
    const segments = path.split('.');
    for (const segment of segments) {
      // `[]` only says an array is expected there; arrays are looked into wherever they appear.
      const name = segment.replace(/(?:\[\])+$/, '');
      let child = at.children.get(name);
      if (!child) at.children.set(name, (child = node()));
      at = child;
    }
    at.isId = true;
    leaves.add(segments[segments.length - 1]!.replace(/(?:\[\])+$/, ''));
  }
  return { root, leaves: [...leaves].map((leaf) => Buffer.from(`"${leaf}"`)) };
}

const compiled = new WeakMap<EndpointSpec, IdPlaces>();

/** The object-id places of an endpoint (from `EndpointSpec.objectIds`, generated from OpenAI's spec), or null. */
export function idPlacesOf(spec: EndpointSpec | null | undefined): IdPlaces | null {
  if (!spec?.objectIds || spec.objectIds.length === 0) return null;
  let places = compiled.get(spec);
  if (!places) compiled.set(spec, (places = compile(spec.objectIds)));
  return places;
}

/**
 * The ids a parsed JSON body names at `places`: a string, each string of a list (`file_ids`), or a `conversation`
 * given as `{ id }`. Nothing else in the body is read, so a UUID elsewhere is never taken for an object id. Also
 * answers how many id members were met (any value), which `mayHideIds` compares with the body's bytes.
 */
export function readObjectIds(json: unknown, places: IdPlaces): { ids: NamedId[]; members: number } {
  const ids: NamedId[] = [];
  let members = 0;
  // An explicit stack: a body can nest arrays deeper than the call stack allows.
  const pending: [unknown, IdNode][] = [[json, places.root]];
  while (pending.length > 0) {
    const [value, at] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) pending.push([item, at]);
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const child = at.children.get(key) ?? at.children.get('*');
      if (!child) continue;
      const member = record[key];
      if (child.isId) {
        members++;
        collect(member, key, ids);
      }
      if (child.children.size > 0) pending.push([member, child]);
    }
  }
  return { ids, members };
}

function collect(value: unknown, member: string, ids: NamedId[]): void {
  if (typeof value === 'string') ids.push({ id: value, member });
  else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'string') ids.push({ id: item, member });
  } else if (member === 'conversation' && typeof value === 'object' && value !== null) {
    const id = (value as { id?: unknown }).id;
    if (typeof id === 'string') ids.push({ id, member });
  }
}

const ESCAPE = Buffer.from('\\u00');

/**
 * Whether the body's bytes could name an id that JSON.parse did not show: JSON.parse keeps the last of two same-named
 * members while a first-wins reader upstream keeps the first, so a repeated id member (or a repeated member on the
 * way to one) could send an id that was never checked. Each hidden id member leaves one more `"name"` in the bytes
 * than `members` counted, unless its name is spelled with escapes; either sends the body to the full look, which
 * answers true only for an object that really repeats a member (or nests too deep to tell).
 */
export function mayHideIds(body: Buffer, places: IdPlaces, members: number): boolean {
  let strings = 0;
  for (const quoted of places.leaves) {
    for (let at = body.indexOf(quoted); at !== -1; at = body.indexOf(quoted, at + quoted.length)) strings++;
  }
  let escaped = false;
  // Most bodies have no backslash at all: one scan for it spares the escape search.
  if (body.indexOf(0x5c) === -1) return strings > members && repeatsAnyMember(body);
  for (let at = body.indexOf(ESCAPE); at !== -1 && !escaped; at = body.indexOf(ESCAPE, at + 4)) {
    const digit = body[at + 4];
    // `\u005f`–`\u007a`: an escaped lower-case letter or `_`, as a member name could be spelled.
    escaped = digit === 0x35 || digit === 0x36 || digit === 0x37;
  }
  return (strings > members || escaped) && repeatsAnyMember(body);
}

class Found extends Error {}

function repeatsAnyMember(body: Buffer): boolean {
  const seen: Set<string>[] = [];
  try {
    visit(body.toString('utf8'), {
      onObjectBegin: () => void seen.push(new Set()),
      onObjectEnd: () => void seen.pop(),
      onObjectProperty: (name) => {
        const names = seen[seen.length - 1]!;
        if (names.has(name)) throw new Found();
        names.add(name);
      },
    });
  } catch (error) {
    // Nesting too deep for the tokenizer's recursion (JSON.parse took it) cannot be shown to be unambiguous.
    if (error instanceof Found || error instanceof RangeError) return true;
    throw error;
  }
  return false;
}
