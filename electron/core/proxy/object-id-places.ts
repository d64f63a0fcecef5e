import type { EndpointSpec } from './endpoint-spec';
import { repeatsMember } from './json-repeats';
import { addSpelling, refuseOtherSpelling, spellings, type Spellings } from './member-spelling';
import { countQuotedNames } from './quoted-names';

/** One step of an endpoint's object-id places: the members read below an object, and whether this one is an id. */
interface IdNode {
  children: Map<string, IdNode>;
  isId: boolean;
  /** The children's names, to spot other spellings of them (the model reader's rule, member-spelling.ts). */
  spellings: Spellings;
}

/** Where one endpoint's JSON body names owned objects, and the member names those places end in. */
export interface IdPlaces {
  root: IdNode;
  /**
   * Every member name on the way to a place and the names the places end in, quoted as JSON writes them
   * (`"tools"`, `"file_id"`), for the byte count.
   */
  leaves: readonly Buffer[];
  /** The same names unquoted. */
  names: ReadonlySet<string>;
}

/** An object id a body names, and the member it was named in (the error's `param`). */
export interface NamedId {
  id: string;
  member: string;
}

function node(): IdNode {
  return { children: new Map(), isId: false, spellings: spellings() };
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
      if (!child) {
        at.children.set(name, (child = node()));
        if (name !== '*') addSpelling(at.spellings, name);
      }
      // A repeated container hides its first copy as a repeated id member does: its names are counted too.
      if (name !== '*') leaves.add(name);
      at = child;
    }
    at.isId = true;
  }
  return { root, leaves: [...leaves].map((leaf) => Buffer.from(`"${leaf}"`)), names: leaves };
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
 * answers how many members named as a place or one on the way to it were met (any value), which `mayHideIds`
 * compares with the body's bytes. Throws 400
 * `ambiguous_request` for a member spelled like a place (or one on the way to it) but not exactly
 * (`Previous_Response_Id`, `vectorStoreIds`, `Tools`), as the model reader does: a lenient reader upstream would use
 * the id this reader skipped.
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
      if (!child) {
        // Counted where it is no place too (Codex's `input[].input`): its `"name"` in the bytes is then accounted for,
        // and an ordinary body is never tokenized.
        if (places.names.has(key)) members++;
        refuseOtherSpelling(at.spellings, key);
        continue;
      }
      const member = record[key];
      members++;
      if (child.isId) collect(member, key, ids);
      if (child.children.size > 0) pending.push([member, child]);
    }
  }
  return { ids, members };
}

/**
 * Whether a multipart field names an object at `places`, its name read as a member path the way lenient form readers
 * nest one (`mask[file_id]`, `mask.file_id`; list indices and `[]` left out). Answers that path (`mask.file_id`), so
 * a caller can tell two fields naming the same place, or null when the field names none. Throws 400
 * `ambiguous_request` for a segment spelled like a place but not exactly (`File_Id`), as for a JSON member.
 */
export function formIdPath(places: IdPlaces, name: string): string | null {
  let at = places.root;
  const path: string[] = [];
  for (const segment of name.split(/[[\].]+/)) {
    if (segment === '' || /^\d+$/.test(segment)) continue;
    const child = at.children.get(segment) ?? at.children.get('*');
    if (!child) {
      refuseOtherSpelling(at.spellings, segment, 'form field');
      return null;
    }
    path.push(segment);
    at = child;
  }
  return at.isId ? path.join('.') : null;
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

/**
 * Whether the body's bytes could name an id that JSON.parse did not show: JSON.parse keeps the last of two same-named
 * members while a first-wins reader upstream keeps the first, so a repeated id member, or a repeated member on the
 * way to one (whose hidden copy may spell its id loosely, `Vector_Store_Ids`, unread), could send an id that was
 * never checked. Each hidden member of a place or on the way to one leaves one more `"name"` in the bytes than
 * `members` counted, unless its name is spelled with escapes (quoted-names.ts); either sends the body to the full
 * look, which answers true only for an object that really repeats such a member (or nests too deep to tell).
 */
export function mayHideIds(body: Buffer, places: IdPlaces, members: number): boolean {
  const count = countQuotedNames(body, places.leaves, members);
  return (count === null || count > members) && repeatsPlaceMember(body, places);
}

/**
 * The full look: whether one object repeats a member at a place or on the way to one (names compared unescaped, as
 * both readers do). Other members may repeat: neither reader takes an id from them.
 */
function repeatsPlaceMember(body: Buffer, places: IdPlaces): boolean {
  // Both copies sit in one object, at one path: whether the name is on the way is asked of the repeat alone.
  return repeatsMember(body, () => true, (name, _depth, pathOf) => onTheWay(places, pathOf(), name));
}

/** Whether member `name` of the object at `path` (array indices skipped) is an id place or on the way to one. */
function onTheWay(places: IdPlaces, path: readonly (string | number)[], name: string): boolean {
  let at: IdNode | undefined = places.root;
  for (const segment of path) {
    if (typeof segment !== 'string') continue;
    at = at.children.get(segment) ?? at.children.get('*');
    if (!at) return false;
  }
  return at.children.has(name) || at.children.has('*');
}
