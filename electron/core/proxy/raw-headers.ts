/**
 * How many times a request carries the header `name` (lower-case), counted on `request.rawHeaders`: Node keeps only
 * the first of a repeated Host or Content-Type in `request.headers`, while the raw list (and what is forwarded) has all.
 */
export function headerCount(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const header = rawHeaders[index]!;
    if (header.length === name.length && header.toLowerCase() === name) count++;
  }
  return count;
}
