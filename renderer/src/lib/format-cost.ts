/**
 * A cost in US dollars in the UI language: cents for a dollar or more, and enough digits for the fractions of a
 * cent one request costs ("$0.000059"), so that a small cost never reads as $0.00.
 */
export function formatCost(usd: number, language: string): string {
  const digits = usd === 0 || Math.abs(usd) >= 1 ? 2 : Math.min(8, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(usd))) + 1));
  return new Intl.NumberFormat(language, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: digits }).format(usd);
}
