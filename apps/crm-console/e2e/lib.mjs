// Shared by the end-to-end test and the search benchmark: start the real gateway on a
// temporary data dir, create users, log in, launch Debian's Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const consoleDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(consoleDir, '../..');

export const FLAGS = (process.env.CHROMIUM_FLAGS_HEADLESS ??
  '--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-default-apps --disable-extensions --disable-quic --metrics-recording-only --mute-audio')
  .split(/\s+/)
  .filter((f) => f && f !== '--headless');

/** The crm binary: CRM_BIN, else $CARGO_TARGET_DIR/debug/crm, else target/debug/crm. */
export function crmBinary(profile = 'debug') {
  const bin = process.env.CRM_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(repoDir, 'target'), profile, 'crm');
  if (!existsSync(bin)) throw new Error(`no crm binary at ${bin}: build it (cargo build -p crm-gateway) or set CRM_BIN`);
  return bin;
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export function addUser(bin, env, name, permissions, password) {
  const r = spawnSync(bin, ['user', 'add', name, '--permissions', permissions, '--password-stdin'], {
    env: { ...process.env, ...env },
    input: `${password}\n`,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`crm user add ${name} failed: ${r.stderr}`);
}

/**
 * Starts `crm serve` on a free port. `dataDir` defaults to a new temporary one (removed by
 * stop()). Returns { url, env, stop }.
 */
export async function startGateway({ bin = crmBinary(), dataDir, env: extra = {}, users = [] } = {}) {
  const own = !dataDir;
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'crm-e2e-'));
  const port = await freePort();
  const env = {
    CRM_DATA_DIR: dir,
    CRM_BIND: `127.0.0.1:${port}`,
    CRM_JWT_SECRET: 'e2e-secret-0123456789abcdef-0123',
    CRM_LOG: process.env.CRM_LOG ?? 'warn',
    ...extra,
  };
  for (const u of users) addUser(bin, env, u.name, u.permissions, u.password);
  const log = openSync(join(dir, 'crm.log'), 'a');
  const child = spawn(bin, ['serve'], { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  let exited = null;
  child.on('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (exited !== null) throw new Error(`crm exited with ${exited} at start; see ${join(dir, 'crm.log')}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() - t0 > 30_000) throw new Error('crm did not answer /healthz within 30 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    env,
    dir,
    stop: async () => {
      if (exited === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const h = setTimeout(() => { child.kill('SIGKILL'); r(); }, 5000);
          child.once('exit', () => { clearTimeout(h); r(); });
        });
      }
      if (own && !process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function apiLogin(url, username, password) {
  const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return (await r.json()).access_token;
}

/**
 * `api(method, path, body?, headers?)` against the gateway at `url` with `token`: the parsed
 * JSON answer (null when empty), or an error naming the request, its status and the body.
 */
export function apiClient(url, token) {
  return async function api(method, path, body, headers = {}) {
    const r = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', headless: true, args: FLAGS });
}

/**
 * The steps of one end-to-end script. `step(name, fn)` runs a step and prints `ok` or `FAIL`
 * with its time; a failure is kept and saves a screenshot of `currentPage()` as
 * `FAILED-<prefix><name>.png` in `art`. `expect(cond, what)` fails a step. `finish(line)`
 * prints `<line><passed> passed, <failed> failed<suffix>` and exits 1 on any failure.
 */
export function steps({ art, prefix = '', currentPage }) {
  const results = [];
  async function step(name, fn) {
    const t0 = Date.now();
    try {
      await fn();
      results.push({ name, ok: true });
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      results.push({ name, ok: false });
      console.log(`FAIL ${name}: ${e?.stack ?? e}`);
      const path = `${art}/FAILED-${prefix}${name.replace(/\W+/g, '-')}.png`;
      await currentPage()?.screenshot({ path, fullPage: true }).catch(() => {});
    }
  }
  function expect(cond, what) {
    if (!cond) throw new Error(`expected ${what}`);
  }
  function finish(line = '', suffix = '') {
    const failed = results.filter((r) => !r.ok).length;
    console.log(`${line}${results.length - failed} passed, ${failed} failed${suffix}`);
    process.exit(failed ? 1 : 0);
  }
  return { step, expect, finish };
}
