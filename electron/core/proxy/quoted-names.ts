/**
 * The cheap first look of the repeated-member checks (duplicate-members.ts, object-id-places.ts): a member given
 * twice in one object leaves one more `"name"` in a body's bytes than the parsed body has members, unless its name is
 * spelled with escapes. Only a body that fails this look is tokenized (json-repeats.ts).
 */

const ESCAPE = Buffer.from('\\u00');
/** Below this size one pass of plain JavaScript beats a few native indexOf calls per name. */
const SMALL_BODY = 1024;

/** Whether byte `digit` after `\u00` makes an escape of a lower-case letter or `_` (0x5f–0x7a). */
function escapesNameCharacter(digit: number | undefined): boolean {
  return digit === 0x35 || digit === 0x36 || digit === 0x37;
}

/** Whether the body has a `\u00XX` escape of a lower-case letter or `_`: a member name may be spelled with escapes. */
export function spellsNameWithEscapes(body: Buffer): boolean {
  if (body.indexOf(0x5c) === -1) return false;
  for (let at = body.indexOf(ESCAPE); at !== -1; at = body.indexOf(ESCAPE, at + 4)) if (escapesNameCharacter(body[at + 4])) return true;
  return false;
}

/**
 * How many times the `quoted` names (`"model"`, `"file_id"`, as JSON writes a member name) occur in the body, counted
 * up to one past `atMost`; null when a name may be spelled with escapes, which only tokenizing can tell.
 */
export function countQuotedNames(body: Buffer, quoted: readonly Buffer[], atMost: number): number | null {
  if (body.length <= SMALL_BODY) return countInOnePass(body, quoted, atMost);
  if (spellsNameWithEscapes(body)) return null;
  let count = 0;
  for (const name of quoted) {
    for (let at = body.indexOf(name); at !== -1; at = body.indexOf(name, at + name.length)) if (++count > atMost) return count;
  }
  return count;
}

/** countQuotedNames in one pass: a backslash escapes the next byte, so only real string quotes start a name. */
function countInOnePass(body: Buffer, quoted: readonly Buffer[], atMost: number): number | null {
  let count = 0;
  for (let at = 0; at < body.length; at++) {
    const byte = body[at];
    if (byte === 0x5c) {
      if (body[at + 1] === 0x75 && body[at + 2] === 0x30 && body[at + 3] === 0x30 && escapesNameCharacter(body[at + 4])) return null;
      at++;
    } else if (byte === 0x22) {
      for (const name of quoted) {
        if (!startsAt(body, at, name)) continue;
        if (++count > atMost) return count;
        break;
      }
    }
  }
  return count;
}

function startsAt(body: Buffer, at: number, name: Buffer): boolean {
  for (let index = 1; index < name.length; index++) if (body[at + index] !== name[index]) return false;
  return true;
}
