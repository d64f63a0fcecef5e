/**
 * The few browser globals the browser tests read inside `page.evaluate` callbacks. The Node test project has no DOM
 * types, and string expressions cannot be used: the UI's CSP (rightly) forbids eval.
 */
export interface PageWindow {
  document: { documentElement: { lang: string; getAttribute(name: string): string | null }; body: { innerText: string } };
  navigator: { clipboard: { readText(): Promise<string> } };
  sessionStorage: Record<string, string>;
  localStorage: Record<string, string>;
}
