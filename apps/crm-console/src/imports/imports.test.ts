import { describe, expect, it } from 'vitest';
import { errorsFileName, isFinished, keyBody, keyColumns, mappingProblem, progressOf, type Field } from './logic';
import { importText, mappingProblemText } from './strings';

const SUGGESTED: Field[] = ['name', 'organization', 'phone', 'email', 'city', 'tags'];

describe('the mapping the wizard sends', () => {
  it('accepts the suggested mapping of a parish list', () => {
    expect(mappingProblem(SUGGESTED, 6)).toBeNull();
  });

  it('needs a name or an organization column, as the server does', () => {
    const noName: Field[] = ['ignore', 'ignore', 'phone', 'email', 'city', 'tags'];
    expect(mappingProblem(noName, 6)).toEqual({ kind: 'noName' });
    expect(mappingProblem(['ignore', 'organization', 'phone', 'email', 'city', 'tags'], 6)).toBeNull();
  });

  it('refuses a single field in two columns and says which, in Greek and English', () => {
    const twice: Field[] = ['name', 'organization', 'phone', 'email', 'city', 'city'];
    const p = mappingProblem(twice, 6);
    expect(p).toEqual({ kind: 'twice', field: 'city', columns: [5, 6] });
    expect(mappingProblemText(p!, importText('el'))).toBe('Το «Πόλη» μπορεί να είναι σε μία μόνο στήλη (είναι στις 5, 6).');
    expect(mappingProblemText(p!, importText('en'))).toBe('“City” can be in one column only (it is in 5, 6).');
    // contacts, tags and notes may repeat
    expect(mappingProblem(['name', 'phone', 'phone', 'tags', 'tags', 'notes'], 6)).toBeNull();
  });

  it('has one field per column', () => {
    expect(mappingProblem(['name'], 6)).toEqual({ kind: 'length', columns: 6 });
  });
});

describe('the match key', () => {
  it('is by contacts unless a match column is chosen', () => {
    expect(keyBody('contacts', SUGGESTED)).toEqual({ by: 'contacts' });
    expect(keyBody(2, SUGGESTED)).toEqual({ by: 'column', column: 2 });
  });

  it('offers only columns that can match and falls back when the column is unmapped since', () => {
    expect(keyColumns(SUGGESTED)).toEqual([0, 1, 2, 3, 4]);
    const later: Field[] = ['name', 'organization', 'ignore', 'email', 'city', 'tags'];
    expect(keyBody(2, later)).toEqual({ by: 'contacts' });
    expect(keyBody(5, later)).toEqual({ by: 'contacts' });
  });
});

describe('a running job', () => {
  it('shows rows handled of all', () => {
    const totals = { rows: 7000, create: 7000, update: 0, unchanged: 0, skip: 0, error: 0 };
    expect(progressOf({ written: 2000, totals })).toEqual({ done: 2000, total: 7000, percent: 28 });
    expect(progressOf({ written: 7000, totals })).toEqual({ done: 7000, total: 7000, percent: 100 });
    expect(progressOf({ written: 0, totals: { ...totals, rows: 0 } }).percent).toBe(100);
  });

  it('is polled until done, cancelled or failed', () => {
    expect(isFinished('running')).toBe(false);
    expect(isFinished('planned')).toBe(false);
    expect(['done', 'cancelled', 'failed'].every((s) => isFinished(s as 'done'))).toBe(true);
  });
});

it('names the error file after the upload, as the server does', () => {
  expect(errorsFileName('ενορίες.csv')).toBe('ενορίες-errors.csv');
  expect(errorsFileName('Πελάτες 2019.CSV')).toBe('Πελάτες 2019-errors.csv');
  expect(errorsFileName('export')).toBe('export-errors.csv');
});
