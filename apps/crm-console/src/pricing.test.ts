// The same cases as crates/crm-orders/src/pricing/tests.rs: the preview must agree with the server.
import { describe, expect, it } from 'vitest';
import { centsToDecimal, price, PricingError, toCents, type PriceInput, type PriceLine, type VatRate } from './pricing';

const line = (quantity: string, unit_price: string, vat_rate: VatRate): PriceLine => ({ quantity, unit_price, vat_rate });
const pct = (value: string): PriceInput['discount'] => ({ type: 'percentage', value });
const fixed = (value: string): PriceInput['discount'] => ({ type: 'fixed', value });
const order = (items: PriceLine[], discount: PriceInput['discount'], gross: boolean) => price({ items, discount, prices_include_vat: gross });
const d = centsToDecimal;
const lines = (o: ReturnType<typeof price>) => o.items.map((i) => [d(i.net_amount), d(i.vat_amount)]);
const breakdown = (o: ReturnType<typeof price>) => o.vat_breakdown.map((v) => [v.rate, d(v.net), d(v.vat)]);

describe('pricing, as the server computes it', () => {
  it('net prices with two rates and a percentage discount follow the documented example', () => {
    const o = order([line('2', '12.30', 24), line('1', '10', 13)], pct('10'), false);
    expect(d(o.subtotal)).toBe('34.60');
    expect(d(o.discount_amount)).toBe('3.46');
    expect(lines(o)).toEqual([['22.14', '5.31'], ['9.00', '1.17']]);
    expect(breakdown(o)).toEqual([[24, '22.14', '5.31'], [13, '9.00', '1.17']]);
    expect(d(o.net_total)).toBe('31.14');
    expect(d(o.vat_total)).toBe('6.48');
    expect(d(o.total_price)).toBe('37.62');
  });

  it('gross prices keep what the user typed and split out the VAT', () => {
    const o = order([line('1', '124', 24), line('1', '10', 24), line('1', '5', 0)], null, true);
    expect(lines(o)).toEqual([['100.00', '24.00'], ['8.06', '1.94'], ['5.00', '0.00']]);
    expect(d(o.total_price)).toBe('139.00');
    expect(d(o.subtotal)).toBe('139.00');
    expect(breakdown(o)).toEqual([[24, '108.06', '25.94'], [0, '5.00', '0.00']]);
  });

  it('every amount rounds per line to the cent with halves away from zero', () => {
    expect(d(order([line('1', '0.125', 24)], null, false).items[0]!.line_total)).toBe('0.13');
    const o = order([line('1', '0.5', 13), line('1', '0.25', 6)], null, false);
    expect(d(o.items[0]!.vat_amount)).toBe('0.07');
    expect(d(o.items[1]!.vat_amount)).toBe('0.02');
    // three lines of 0.10 at 24 % carry 0.02 each (not 0.07 on 0.30)
    const three = order([line('1', '0.1', 24), line('1', '0.1', 24), line('1', '0.1', 24)], null, false);
    expect(d(three.vat_total)).toBe('0.06');
    expect(breakdown(three)).toEqual([[24, '0.30', '0.06']]);
    // 10 % of 25.05 = 2.505 → 2.51
    const disc = order([line('2', '12.30', 0), line('1', '0.45', 0)], pct('10'), false);
    expect(d(disc.discount_amount)).toBe('2.51');
    expect(d(disc.total_price)).toBe('22.54');
  });

  it('the discount is shared by amount and left-over cents go to the largest remainders', () => {
    const o = order([line('1', '1', 0), line('1', '1', 0), line('1', '1', 0)], fixed('1'), false);
    expect(o.items.map((i) => d(i.net_amount))).toEqual(['0.66', '0.67', '0.67']);
    const tie = order([line('1', '3', 0), line('1', '1', 0)], fixed('0.1'), false);
    expect(tie.items.map((i) => d(i.net_amount))).toEqual(['2.92', '0.98']);
    const all = order([line('1', '7.77', 24), line('1', '0', 13)], pct('100'), false);
    expect(all.total_price).toBe(0n);
    expect(d(all.discount_amount)).toBe('7.77');
  });

  it('a fixed discount above the subtotal is refused on discount.value', () => {
    let err: unknown;
    try {
      order([line('1', '10', 24)], fixed('10.01'), false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PricingError);
    expect((err as PricingError).field).toBe('discount.value');
    const o = order([line('1', '10', 24)], fixed('9.995'), false);
    expect(d(o.discount_amount)).toBe('10.00');
    expect(o.total_price).toBe(0n);
  });

  it('a line the server would refuse names its field', () => {
    expect(() => order([line('0', '1', 24)], null, false)).toThrow(/items\[0\]\.quantity/);
    expect(() => order([line('1', 'abc', 24)], null, false)).toThrow(/items\[0\]\.unit_price/);
  });

  it('lines always add up to the totals whatever the mix', () => {
    let seed = 0x9e3779b97f4a7c15n;
    const mask = (1n << 64n) - 1n;
    const next = (n: number) => {
      seed ^= (seed << 13n) & mask;
      seed ^= seed >> 7n;
      seed ^= (seed << 17n) & mask;
      return Number(seed % BigInt(n));
    };
    for (let k = 0; k < 500; k++) {
      const count = 1 + next(6);
      const items = Array.from({ length: count }, () =>
        line(`${1 + next(20)}.${next(1000)}`, `${next(5000)}.${String(next(1_000_000)).padStart(6, '0')}`, ([24, 13, 6, 0] as const)[next(4)]!),
      );
      const r = next(3);
      const discount = r === 0 ? null : r === 1 ? pct(`${next(100)}.${next(100)}`) : fixed(`0.${String(next(100)).padStart(2, '0')}`);
      const gross = next(2) === 0;
      const o = order(items, discount, gross);
      const sum = (f: (i: (typeof o.items)[number]) => bigint) => o.items.reduce((a, i) => a + f(i), 0n);
      expect(sum((i) => i.line_total)).toBe(o.subtotal);
      expect(sum((i) => i.net_amount)).toBe(o.net_total);
      expect(sum((i) => i.vat_amount)).toBe(o.vat_total);
      expect(o.net_total + o.vat_total).toBe(o.total_price);
      expect(gross ? o.total_price : o.net_total).toBe(o.subtotal - o.discount_amount);
      expect(o.vat_breakdown.reduce((a, v) => a + v.vat, 0n)).toBe(o.vat_total);
    }
  });

  it('reads the API amounts in cents', () => {
    expect(toCents('37.62')).toBe(3762n);
    expect(toCents('9')).toBe(900n);
    expect(toCents(null)).toBeNull();
  });
});
