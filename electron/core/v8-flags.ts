/**
 * V8 flags for a process that runs the proxy. Flags V8 reads only at start-up: `npm run serve` puts them on node's
 * command line, `npm start` passes them to Electron as `--js-flags`.
 * - `--max-semi-space-size=8`: each request's short-lived objects live in V8's young generation, which under load
 *   grows to its 32 MB default (two 16 MB semi-spaces) and is not given back afterwards: with 8 MB semi-spaces a proxy
 *   that served a burst keeps about 25 MB less resident memory, and the bench shows no throughput cost (requests'
 *   objects die young, so a scavenge copies little however often it runs).
 * - `--heap-growing-percent=30`: what survives scavenges under load (requests still in flight, ~2–3 % of what is
 *   allocated since in-flight.ts) dies in the old generation, which V8 lets grow to several times what is live
 *   before a full collection: without the flag the bench's proxy peaked at ~190 MB resident. Growing the old
 *   generation by 30% at a time collects that garbage sooner: ~130 MB, at the same throughput within the bench's
 *   noise (a full collection of a small live set is quick; it runs on helper threads in part). A growth factor, not
 *   a limit: a store or a load that needs more heap still gets it.
 */
export const PROXY_V8_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=30'];

/** Electron's switch that hands PROXY_V8_FLAGS to the main process's V8 (it must be given at launch). */
export function electronJsFlagsSwitch(): string {
  return `--js-flags=${PROXY_V8_FLAGS.join(' ')}`;
}
