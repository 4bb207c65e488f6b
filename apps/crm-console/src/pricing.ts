// What an order costs, computed in the browser to show totals while the user types: the
// server's rules (crates/crm-orders/src/pricing.rs) ported exactly, in integer cents (BigInt),
// never through a float. Once an order is saved, the server's figures are the ones that
// count; the order editor shows them and marks any difference from this preview.
//
// Rules (see pricing.rs for the worked example): amounts round to the cent with halves away
// from zero; line amount = quantity × unit price, rounded per line; a percentage discount is
// value % of the subtotal, rounded; a fixed discount may not exceed the subtotal; the discount
// is shared over the lines in proportion to their amounts (rounded down, the cents left over
// to the largest remainders, the earlier line on a tie); VAT per line on what is left — net
// prices: VAT = net × rate; gross prices: net = gross × 100 / (100 + rate), VAT the rest; the
// totals are sums of the lines.

export type VatRate = 24 | 13 | 6 | 0;
export const VAT_RATES: readonly VatRate[] = [24, 13, 6, 0];

export interface PriceLine {
  /** Exact decimal strings as the API takes them ("2", "12.30"). */
  quantity: string;
  unit_price: string;
  vat_rate: VatRate;
}

export interface PriceInput {
  items: PriceLine[];
  discount: { type: 'percentage' | 'fixed'; value: string } | null;
  /** The unit prices include VAT (gross) rather than exclude it (net). */
  prices_include_vat: boolean;
}

/** Amounts in cents. */
export interface PricedLine {
  line_total: bigint;
  net_amount: bigint;
  vat_amount: bigint;
}

export interface Priced {
  items: PricedLine[];
  subtotal: bigint;
  discount_amount: bigint;
  /** Per rate present, highest first. */
  vat_breakdown: { rate: VatRate; net: bigint; vat: bigint }[];
  net_total: bigint;
  vat_total: bigint;
  /** What the customer pays: net_total + vat_total. */
  total_price: bigint;
}

/** An input the server would refuse, named by the field path it would name (`discount.value`). */
export class PricingError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'PricingError';
  }
}

interface Dec {
  mantissa: bigint;
  scale: number;
}

const TEN = 10n;
const pow10 = (n: number) => TEN ** BigInt(n);

/** A decimal literal ("12", "-3.50", ".5") as mantissa and scale; null if it is not one. */
export function parseDec(s: string): Dec | null {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(s);
  if (!m) return null;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const mantissa = BigInt(`${int || '0'}${frac}`);
  return { mantissa: m[1] === '-' ? -mantissa : mantissa, scale: frac.length };
}

/** `n / d` rounded to the nearest integer, halves away from zero (`d > 0`). */
function divRound(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let q = a / d;
  if (2n * (a % d) >= d) q += 1n;
  return neg ? -q : q;
}

/** A decimal of `mantissa × 10^-scale` rounded to cents, in cents. */
function roundCents(mantissa: bigint, scale: number): bigint {
  return scale <= 2 ? mantissa * pow10(2 - scale) : divRound(mantissa, pow10(scale - 2));
}

/** Cents as the API writes amounts: "22.14", "-0.05", "9.00". */
export function centsToDecimal(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  const s = a.toString().padStart(3, '0');
  return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** An amount from the API ("37.62", "9") in cents, rounded; null if it is not a decimal. */
export function toCents(v: string | number | null | undefined): bigint | null {
  if (v === null || v === undefined) return null;
  const d = parseDec(String(v));
  return d ? roundCents(d.mantissa, d.scale) : null;
}

/** `quantity × unit_price` rounded to cents (rule 1). */
export function lineTotal(quantity: string, unitPrice: string): bigint | null {
  const q = parseDec(quantity);
  const p = parseDec(unitPrice);
  if (!q || !p) return null;
  return roundCents(q.mantissa * p.mantissa, q.scale + p.scale);
}

/** Every derived amount of an order (see the rules above); throws PricingError as the server would refuse. */
export function price(input: PriceInput): Priced {
  const amounts = input.items.map((item, i) => {
    const q = parseDec(item.quantity);
    if (!q || q.mantissa <= 0n) throw new PricingError(`items[${i}].quantity`, 'must be above 0');
    const p = parseDec(item.unit_price);
    if (!p || p.mantissa < 0n) throw new PricingError(`items[${i}].unit_price`, 'must not be negative');
    return roundCents(q.mantissa * p.mantissa, q.scale + p.scale);
  });
  const subtotal = amounts.reduce((a, b) => a + b, 0n);
  const discount = discountCents(input.discount, subtotal);
  const shares = share(discount, subtotal, amounts);

  const byRate = new Map<VatRate, { net: bigint; vat: bigint }>();
  let netTotal = 0n;
  let vatTotal = 0n;
  const items = input.items.map((item, i) => {
    const amount = (amounts[i] as bigint) - (shares[i] as bigint);
    const [net, vat] = vatOf(amount, item.vat_rate, input.prices_include_vat);
    const sums = byRate.get(item.vat_rate) ?? { net: 0n, vat: 0n };
    byRate.set(item.vat_rate, { net: sums.net + net, vat: sums.vat + vat });
    netTotal += net;
    vatTotal += vat;
    return { line_total: amounts[i] as bigint, net_amount: net, vat_amount: vat };
  });
  return {
    items,
    subtotal,
    discount_amount: discount,
    vat_breakdown: [...byRate.entries()].sort(([a], [b]) => b - a).map(([rate, s]) => ({ rate, ...s })),
    net_total: netTotal,
    vat_total: vatTotal,
    total_price: netTotal + vatTotal,
  };
}

/** The discount in cents, in the prices' basis (rule 3). */
function discountCents(d: PriceInput['discount'], subtotal: bigint): bigint {
  if (!d) return 0n;
  const v = parseDec(d.value);
  if (!v || v.mantissa < 0n) throw new PricingError('discount.value', 'must not be negative');
  let off: bigint;
  if (d.type === 'percentage') {
    // subtotal (scale 2) × value / 100
    off = roundCents(subtotal * v.mantissa, v.scale + 4);
  } else {
    if (v.mantissa * 100n > subtotal * pow10(v.scale)) {
      throw new PricingError('discount.value', `a fixed discount cannot exceed the subtotal (${centsToDecimal(subtotal)})`);
    }
    off = roundCents(v.mantissa, v.scale);
  }
  return off < subtotal ? off : subtotal;
}

/** Each line's share of `discount` (rule 4); `total` is Σ `amounts`. */
function share(discount: bigint, total: bigint, amounts: bigint[]): bigint[] {
  if (discount === 0n || total === 0n) return amounts.map(() => 0n);
  const shares = amounts.map((a) => (discount * a) / total);
  const order = amounts
    .map((a, i) => ({ rem: (discount * a) % total, i }))
    .sort((x, y) => (x.rem === y.rem ? x.i - y.i : x.rem > y.rem ? -1 : 1));
  let left = discount - shares.reduce((a, b) => a + b, 0n);
  for (const { i } of order) {
    if (left <= 0n) break;
    shares[i] = (shares[i] as bigint) + 1n;
    left -= 1n;
  }
  return shares;
}

/** The net and VAT, in cents, of a line amount (rule 5). */
function vatOf(amount: bigint, rate: VatRate, gross: boolean): [bigint, bigint] {
  const r = BigInt(rate);
  if (gross) {
    const net = divRound(amount * 100n, 100n + r);
    return [net, amount - net];
  }
  return [amount, divRound(amount * r, 100n)];
}
