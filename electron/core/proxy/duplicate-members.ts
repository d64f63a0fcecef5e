import { memberNames, repeatsMember } from './json-repeats';
import { leadsToModel, type ModelPlaces } from './model-places';
import { countQuotedNames, spellsNameWithEscapes } from './quoted-names';

/**
 * Whether a JSON body could hide a model member from JSON.parse, judged from its bytes and from `members`, the members
 * at a model place or on the way to one that the parsed body showed. A repeated model member, or a repeated member on
 * the way to one (whose hidden copy may hold a model, or spell one loosely, `Model`, where no reader looks), leaves
 * more `"name"` strings of those names in the bytes than the parsed body has members; unless a name is spelled with
 * escapes (quoted-names.ts). Ordinary bodies pass with one pass or a few `indexOf`s and are never tokenized.
 */
function mayRepeat(body: Buffer, places: ModelPlaces, members: number): boolean {
  if (places.names === null) return true;
  const count = countQuotedNames(body, quotedNames(places.names), members);
  return count === null || count > members;
}

const quoted = new WeakMap<ReadonlySet<string>, readonly Buffer[]>();

/** The names of a places tree quoted as JSON writes them (`"model"`, `"tools"`), made once per tree. */
function quotedNames(names: ReadonlySet<string>): readonly Buffer[] {
  let found = quoted.get(names);
  if (!found) quoted.set(names, (found = [...names].map((name) => Buffer.from(`"${name}"`))));
  return found;
}

/**
 * Whether one object of a JSON body (already accepted by JSON.parse) has the same member twice, where that member is
 * a model or on the way to one. JSON.parse keeps the last of two members while first-wins readers keep the first, so
 * the proxy would check one model and upstream use another. Names are compared after unescaping (`"mod\u0065l"` is
 * `model`), as both readers do. `members` is how many members at a model place or on the way to one the parsed body
 * showed (`readModels`); the body is tokenized only when its bytes could hold more. A body nested too deep to tokenize counts as repeating.
 */
export function repeatsModelMember(body: Buffer, places: ModelPlaces, members: number): boolean {
  return mayRepeat(body, places, members) && hasRepeatedModelMember(body, places);
}

/** The members of a batch input line's envelope that decide what it asks for: a repeat of any is read two ways. */
const ENVELOPE_MEMBERS = new Set(['body', 'url', 'method']);
const QUOTED_ENVELOPE_MEMBERS = [...ENVELOPE_MEMBERS].map((name) => Buffer.from(`"${name}"`));

/**
 * `repeatsModelMember` for a batch input line (`{"custom_id": …, "method": …, "url": …, "body": {…}}`), whose body
 * is a request of the endpoint whose model `places` are given: whether the envelope gives `body`, `url` or `method`
 * twice, or the body repeats a member at or on the way to a model place, or a top-level member its spending is
 * bounded by (SPEND_MEMBERS: `max_tokens`, `n`…). `members` is counted in the parsed body.
 */
export function repeatsBatchLineMember(line: Buffer, places: ModelPlaces, members: number): boolean {
  const suspect =
    spellsNameWithEscapes(line) || appearsTwice(line, QUOTED_ENVELOPE_MEMBERS) || appearsTwice(line, QUOTED_SPEND_MEMBERS) || mayRepeat(line, places, members);
  return suspect && hasRepeatedModelMember(line, places, 'body');
}

/** Whether one of `quoted` appears twice in `bytes` (a cheap sign that a member may be given twice). */
function appearsTwice(bytes: Buffer, quoted: readonly Buffer[]): boolean {
  return quoted.some((name) => {
    const first = bytes.indexOf(name);
    return first !== -1 && bytes.indexOf(name, first + name.length) !== -1;
  });
}

/**
 * The full look: whether one object repeats a name on the way to a model. With `under`, the JSON is an envelope whose
 * member `under` holds the body: a repeated envelope member (ENVELOPE_MEMBERS), or a spending member at the body's
 * top level (SPEND_MEMBERS), counts too.
 */
function hasRepeatedModelMember(body: Buffer, places: ModelPlaces, under?: string): boolean {
  const enveloped = under !== undefined;
  return repeatsMember(
    body,
    (name, depth) => {
      if (enveloped && depth === 1) return ENVELOPE_MEMBERS.has(name);
      return (enveloped && depth === 2 && SPEND_MEMBER_NAMES.has(name)) || places.names === null || places.names.has(name);
    },
    (name, depth, pathOf) => {
      if (enveloped && depth === 1) return true;
      let path = memberNames(pathOf());
      if (enveloped) {
        if (path[0] !== under) return false;
        path = path.slice(1);
      }
      return (enveloped && depth === 2 && path.length === 0 && SPEND_MEMBER_NAMES.has(name)) || leadsToModel(places, path, name);
    },
  );
}

/**
 * Top-level members a request's spending is worked out from (spend-amounts.ts, estimate.ts, per-call-tools.ts,
 * response-contexts.ts): read one way, as for the model, so that what is reserved is what upstream is asked for.
 */
const SPEND_MEMBERS: readonly string[] = [
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'n',
  'best_of',
  'prompt',
  'tools',
  'web_search_options',
  'previous_response_id',
  'conversation',
  'background',
  'stream',
];
const QUOTED_SPEND_MEMBERS = SPEND_MEMBERS.map((name) => Buffer.from(`"${name}"`));
const SPEND_MEMBER_NAMES = new Set(SPEND_MEMBERS);

/**
 * Whether a JSON object body gives a spending member twice at its top level (or nests too deep to tell). JSON.parse
 * keeps the last copy and a first-wins reader the first: `{"max_tokens": 100000, "max_tokens": 10}` would be reserved
 * as 10 tokens and run as 100,000. Cheap for ordinary bodies: a member that appears once in the parsed body and once
 * as a quoted name in the bytes (and no name spelled with escapes) cannot repeat; only other bodies are tokenized.
 */
export function repeatsSpendMember(body: Buffer, json: Record<string, unknown>): boolean {
  let suspect = spellsNameWithEscapes(body);
  for (let index = 0; index < SPEND_MEMBERS.length && !suspect; index++) {
    if (!(SPEND_MEMBERS[index]! in json)) continue;
    const quoted = QUOTED_SPEND_MEMBERS[index]!;
    const first = body.indexOf(quoted);
    suspect = first === -1 || body.indexOf(quoted, first + quoted.length) !== -1;
  }
  return suspect && repeatsTopLevelMember(body, SPEND_MEMBERS);
}

/** The full look: whether the body's top-level object has one of `names` twice (or is too deep to tell). */
function repeatsTopLevelMember(body: Buffer, names: readonly string[]): boolean {
  return repeatsMember(body, (name, depth) => depth === 1 && names.includes(name));
}
