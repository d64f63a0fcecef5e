/**
 * Keeps only the models a sub-key may use in an OpenAI model list (`{ object: "list", data: [{ id, … }] }`).
 * Anything that is not such a list comes back as an empty list: a key with a policy never sees unknown content.
 */
export function filterModelList(body: Buffer, allowed: (id: string) => boolean): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { data?: unknown }).data)) {
    return Buffer.from(JSON.stringify({ object: 'list', data: [] }));
  }
  const list = parsed as { data: unknown[] };
  list.data = list.data.filter((model) => {
    const id = (model as { id?: unknown } | null)?.id;
    return typeof id === 'string' && allowed(id);
  });
  return Buffer.from(JSON.stringify(list));
}
