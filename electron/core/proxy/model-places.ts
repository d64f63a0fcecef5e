import type { EndpointSpec } from './endpoint-spec';
import { addSpelling, refuseOtherSpelling, spellings, type Spellings } from './member-spelling';
import { proxyErrors } from './proxy-error';

/** One step of the places tree: the members read below an object, and whether this member is itself a model. */
interface PlaceNode {
  children: Map<string, PlaceNode>;
  isModel: boolean;
  /** The children's names, to spot other spellings of them. */
  spellings: Spellings;
}

/** Where a JSON body of one endpoint names models: its top-level `model` plus the spec's nested places. */
export interface ModelPlaces {
  root: PlaceNode;
  /**
   * Every member name on the way to a place, all of lower-case letters and `_`; null when a map place (`*`) makes any
   * name matter, or a name has other characters (then every body is scanned for duplicates).
   */
  names: ReadonlySet<string> | null;
}

function node(): PlaceNode {
  return { children: new Map(), isModel: false, spellings: spellings() };
}

function compile(nested: readonly string[]): ModelPlaces {
  const root = node();
  const names = new Set<string>();
  let anyName = false;
  for (const path of ['model', ...nested]) {
    let at = root;
    for (const segment of path.split('.')) {
      // `[]` only says an array is expected there; arrays are looked into wherever they appear.
      const name = segment.replace(/(?:\[\])+$/, '');
      let child = at.children.get(name);
      if (!child) {
        at.children.set(name, (child = node()));
        if (name === '*' || !/^[a-z_]+$/.test(name)) anyName = true;
        if (name !== '*') {
          addSpelling(at.spellings, name);
          names.add(name);
        }
      }
      at = child;
    }
    at.isModel = true;
  }
  return { root, names: anyName ? null : names };
}

const compiled = new WeakMap<EndpointSpec, ModelPlaces>();
const topLevelOnly = compile([]);

/** The model places of an endpoint (only the top-level `model` for an unknown one), compiled once per endpoint. */
export function modelPlacesOf(spec: EndpointSpec | null | undefined): ModelPlaces {
  if (!spec?.nestedModels || spec.nestedModels.length === 0) return topLevelOnly;
  let places = compiled.get(spec);
  if (!places) compiled.set(spec, (places = compile(spec.nestedModels)));
  return places;
}

/**
 * Whether a member `name` of an object at `path` (member names from the top, array indices left out) is a model
 * place or on the way to one: a duplicate of such a member changes which model a first-wins reader sees.
 */
export function leadsToModel(places: ModelPlaces, path: readonly string[], name: string): boolean {
  let at: PlaceNode | undefined = places.root;
  for (const segment of [...path, name]) {
    at = at.children.get(segment) ?? at.children.get('*');
    if (!at) return false;
  }
  return true;
}

/** The models a parsed JSON body names: its own top-level `model` and those at the endpoint's nested places. */
export interface NamedModels {
  top: string | null;
  nested: string[];
  /**
   * How many members named as a model place or one on the way to it were met (null ones too): the duplicate pre-check
   * compares the bytes with it.
   */
  members: number;
}

/**
 * Reads the models at `places` in a parsed JSON body. Arrays are looked into at any depth wherever they appear (a
 * reader that takes one object where the spec says a list, or the reverse, still sees every model). A `null` model
 * counts as absent, like an omitted one. Throws 400 `invalid_model` for any other non-string model, and 400
 * `ambiguous_request` for a member spelled like a place but not exactly (`Model`, `mo-del`; member-spelling.ts): case-insensitive or
 * lenient readers upstream would take it for the place this reader skips.
 */
export function readModels(json: unknown, places: ModelPlaces): NamedModels {
  const found: NamedModels = { top: null, nested: [], members: 0 };
  // An explicit stack: a body can nest arrays deeper than the call stack allows.
  const pending: [unknown, PlaceNode][] = [[json, places.root]];
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
        if (places.names?.has(key)) found.members++;
        refuseOtherSpelling(at.spellings, key);
        continue;
      }
      const member = record[key];
      found.members++;
      if (child.isModel && member !== null) {
        if (typeof member !== 'string') throw proxyErrors.invalidModel(`must be a string (the JSON member "${key}" holds ${Array.isArray(member) ? 'an array' : typeof member})`);
        if (at === places.root && key === 'model' && value === json) found.top = member;
        else found.nested.push(member);
      }
      if (child.children.size > 0) pending.push([member, child]);
    }
  }
  return found;
}
