import { describe, expect, it } from 'vitest';
import { dictionaries, formatDateTime, formatDateTimeInput, formatMoney, formatNumber, parseDateTimeInput } from './i18n';
import { greekDecimal, parseDecimal } from './ui';

describe('numbers and money the Greek way', () => {
  it('reads what is typed in a field as the exact decimal the API takes', () => {
    const cases: [string, string][] = [
      ['1.200,50', '1200.50'], ['1200,50', '1200.50'], ['12,3', '12.3'], ['1.200', '1200'], ['1.234.567,89', '1234567.89'],
      ['150', '150'], ['12.5', '12.5'], ['0,07', '0.07'], [' 2 ', '2'], ['', ''],
    ];
    for (const [typed, exact] of cases) expect(parseDecimal(typed), typed).toBe(exact);
  });
  it('shows what the API says in a field the Greek way, digit for digit', () => {
    const cases: [string | number | null, string][] = [
      ['1200.50', '1.200,50'], ['142.2', '142,2'], ['1234567.891', '1.234.567,891'], ['999', '999'], [10, '10'], ['-1500', '-1.500'], [null, ''],
    ];
    for (const [api, shown] of cases) expect(greekDecimal(api), String(api)).toBe(shown);
    for (const [api] of cases) if (api !== null) expect(parseDecimal(greekDecimal(api))).toBe(String(api));
  });
  it('formats amounts and counts in el-GR', () => {
    expect(formatMoney('1200.50')).toBe('1.200,50\u00a0€');
    expect(formatNumber(100000)).toBe('100.000');
    expect(dictionaries.el.pageOf(1, 50, 100000)).toBe('1–50 από 100.000');
  });
});

describe('dates and times the Greek way, 24-hour', () => {
  it('shows a time of the afternoon as 15:05, not 3:05 μ.μ.', () => {
    const shown = formatDateTime(new Date(2026, 10, 28, 15, 5).toISOString());
    expect(shown).toBe('28/11/2026, 15:05');
  });
  it('reads the time field as typed and writes it back the same way', () => {
    const d = parseDateTimeInput('28/11/2026 15:05');
    expect(d && formatDateTimeInput(d)).toBe('28/11/2026 15:05');
    expect(parseDateTimeInput('1/2/2026, 9.30')?.getHours()).toBe(9);
    expect(parseDateTimeInput('31/02/2026 10:00')).toBeNull();
    expect(parseDateTimeInput('28/11/2026 25:00')).toBeNull();
    expect(parseDateTimeInput('3:05 PM')).toBeNull();
  });
});
