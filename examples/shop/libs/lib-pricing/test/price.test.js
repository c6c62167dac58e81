import { test } from 'node:test';
import assert from 'node:assert/strict';
import { price, total, formatCents } from '../src/price.js';

test('adds 20% VAT by default', () => {
  assert.deepEqual(price(1200), { netCents: 1200, vatCents: 240, grossCents: 1440, vatPercent: 20 });
});

test('rounds VAT half up to the cent', () => {
  assert.equal(price(1).vatCents, 0); // 0.2 cents
  assert.equal(price(3, 50).vatCents, 2); // 1.5 cents
  assert.equal(price(999, 7).grossCents, 1069); // 69.93 cents -> 70
});

test('supports reduced rates', () => {
  assert.equal(price(1000, 5).grossCents, 1050);
  assert.equal(price(1000, 0).grossCents, 1000);
});

test('rejects fractional or negative cents', () => {
  assert.throws(() => price(12.5), TypeError);
  assert.throws(() => price(-1), TypeError);
});

test('totals order lines with quantities', () => {
  const t = total([{ netCents: 1200, quantity: 2 }, { netCents: 450 }]);
  assert.deepEqual(t, { netCents: 2850, vatCents: 570, grossCents: 3420, vatPercent: 20 });
});

test('formats cents', () => {
  assert.equal(formatCents(1440), '14.40');
  assert.equal(formatCents(5), '0.05');
  assert.equal(formatCents(-250), '-2.50');
});
