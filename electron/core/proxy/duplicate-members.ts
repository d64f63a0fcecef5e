import { visit } from 'jsonc-parser';
import { leadsToModel, type ModelPlaces } from './model-places';

const ESCAPE = Buffer.from('\\u00');

/**
 * Whether a JSON body could name one of the members on the way to a model twice in one object, judged from its bytes
 * alone: a name appearing twice as a JSON string, or a `\u00XX` escape of a lower-case letter or `_` (the characters
 * of those names, 0x5f–0x7a), which could spell one of them differently. Ordinary bodies pass with a few
 * `indexOf`s and are never tokenized.
 */
function mayRepeat(body: Buffer, places: ModelPlaces): boolean {
  if (places.names === null) return true;
  for (let at = body.indexOf(ESCAPE); at !== -1; at = body.indexOf(ESCAPE, at + 4)) {
    const digit = body[at + 4];
    if (digit === 0x35 || digit === 0x36 || digit === 0x37) return true;
  }
  for (const name of places.quotedNames) {
    const first = body.indexOf(name);
    if (first !== -1 && body.indexOf(name, first + name.length) !== -1) return true;
  }
  return false;
}

class Found extends Error {}

/**
 * Whether one object of a JSON body (already accepted by JSON.parse) has the same member twice, where that member is
 * a model or on the way to one. JSON.parse keeps the last of two members while first-wins readers keep the first, so
 * the proxy would check one model and upstream use another. Names are compared after unescaping (`"mod\u0065l"` is
 * `model`), as both readers do.
 */
export function repeatsModelMember(body: Buffer, places: ModelPlaces): boolean {
  if (!mayRepeat(body, places)) return false;
  // One set of names per open object, made when the object has a first name worth remembering.
  const seen: (Set<string> | null)[] = [];
  try {
    visit(body.toString('utf8'), {
      onObjectBegin: () => void seen.push(null),
      onObjectEnd: () => void seen.pop(),
      onObjectProperty: (name, _offset, _length, _line, _column, pathOf) => {
        if (places.names && !places.names.has(name)) return;
        const top = seen.length - 1;
        const names = seen[top] ?? (seen[top] = new Set());
        if (!names.has(name)) {
          names.add(name);
          return;
        }
        const path = pathOf().filter((segment): segment is string => typeof segment === 'string');
        if (leadsToModel(places, path, name)) throw new Found();
      },
    });
  } catch (error) {
    if (error instanceof Found) return true;
    throw error;
  }
  return false;
}
