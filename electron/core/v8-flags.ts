/**
 * V8 flags for a process that runs the proxy. Each request's short-lived objects live in V8's young generation,
 * which under load grows to its 32 MB default (two 16 MB semi-spaces) and is not given back afterwards: with 8 MB
 * semi-spaces a proxy that served a burst keeps about 25 MB less resident memory, and the bench shows no throughput
 * cost (requests' objects die young, so a scavenge copies little however often it runs). Flags V8 reads only at
 * start-up: `npm run serve` puts them on node's command line, `npm start` passes them to Electron as `--js-flags`.
 */
export const PROXY_V8_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** Electron's switch that hands PROXY_V8_FLAGS to the main process's V8 (it must be given at launch). */
export function electronJsFlagsSwitch(): string {
  return `--js-flags=${PROXY_V8_FLAGS.join(' ')}`;
}
