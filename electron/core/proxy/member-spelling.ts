import { proxyErrors } from './proxy-error';

/**
 * The names a reader looks for in one object of a body (model places, object-id places), reduced by `looseName`, so
 * that a member it would skip can be told apart from another spelling of one it reads.
 */
export interface Spellings {
  loose: Set<string>;
  /** The shortest reduced name: a member shorter than that cannot reduce to any of them. */
  shortest: number;
  /**
   * Names already found to be no other spelling (`call_id`, `description`): bodies repeat the same few members in
   * every item, and a lookup costs less than reducing the name again. Bounded, since names come from clients.
   */
  unrelated: Set<string>;
}

const MAX_UNRELATED = 256;

/**
 * A member name reduced to lower-case letters and digits: `Model`, `mo-del` and `model\0` become `model`, and
 * `Previous_Response_Id`, `previousResponseId` and `previous-response-id` become `previousresponseid` — the spellings
 * case-insensitive, camelCase or kebab-case readers upstream would take for the same field.
 */
export function looseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** An empty set of spellings, for one object of a places tree. */
export function spellings(): Spellings {
  return { loose: new Set(), shortest: Infinity, unrelated: new Set() };
}

/** Adds a member name the reader looks for to `into`. */
export function addSpelling(into: Spellings, name: string): void {
  const loose = looseName(name);
  into.loose.add(loose);
  into.shortest = Math.min(into.shortest, loose.length);
}

/**
 * Throws 400 `ambiguous_request` when `name`, a member or field the reader does not read, is another spelling of one
 * it reads (`Previous_Response_Id` beside `previous_response_id`): a lenient reader upstream would take it for the
 * member this reader skipped, and use a model or an object that was never checked. `what` names it in the message.
 */
export function refuseOtherSpelling(known: Spellings, name: string, what = 'JSON member'): void {
  if (name.length < known.shortest || known.unrelated.has(name)) return;
  if (!known.loose.has(looseName(name))) {
    if (known.unrelated.size >= MAX_UNRELATED) known.unrelated.clear();
    known.unrelated.add(name);
    return;
  }
  const shown = name.length <= 64 ? JSON.stringify(name) : 'a long member name';
  throw proxyErrors.ambiguousRequest(`the ${what} ${shown} differs from a member Keygate reads only by case or punctuation`);
}
