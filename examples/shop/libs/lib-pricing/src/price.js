// Price arithmetic for the shop. All amounts are integer cents so that
// totals never pick up floating point noise.

/** Default VAT rate in percent (standard rate used by the shop). */
export const DEFAULT_VAT_PERCENT = 20;

function assertCents(value, label) {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`${label} must be a non-negative integer amount of cents, got ${value}`);
  }
}

/**
 * Price a net amount: returns net, VAT and gross cents.
 * VAT is rounded half-up to the nearest cent (the shell CGI services use the
 * same rule: vat = floor((net * percent + 50) / 100)).
 */
export function price(netCents, vatPercent = DEFAULT_VAT_PERCENT) {
  assertCents(netCents, 'netCents');
  if (typeof vatPercent !== 'number' || !Number.isFinite(vatPercent) || vatPercent < 0) {
    throw new TypeError(`vatPercent must be a non-negative number, got ${vatPercent}`);
  }
  const vatCents = Math.floor((netCents * vatPercent + 50) / 100);
  return { netCents, vatCents, grossCents: netCents + vatCents, vatPercent };
}

/** Gross total of order lines ({ netCents, quantity }), VAT applied per line. */
export function total(lines, vatPercent = DEFAULT_VAT_PERCENT) {
  let net = 0;
  let vat = 0;
  for (const line of lines) {
    const quantity = line.quantity ?? 1;
    assertCents(quantity, 'quantity');
    const p = price(line.netCents, vatPercent);
    net += p.netCents * quantity;
    vat += p.vatCents * quantity;
  }
  return { netCents: net, vatCents: vat, grossCents: net + vat, vatPercent };
}

/** Format cents for display, e.g. formatCents(1440) === "14.40". */
export function formatCents(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
