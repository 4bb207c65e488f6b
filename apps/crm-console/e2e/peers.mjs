// Scripted peers for the end-to-end tests, speaking the same wire formats as the Rust test
// peers, so the gateway cannot tell them from the ones its integration tests use:
//   - startGraphPeer: the WhatsApp Graph API as crates/wa-bridge/src/testing.rs (GraphPeer)
//     answers it — same access token, phone number id, media ids, Meta-shaped errors; sends
//     are recorded and answered with `wamid.sent.N`, uploads with UPLOADED_MEDIA_ID.
//   - startAmiPeer: Asterisk's AMI as apps/crm-gateway/tests/it/calls.rs serves it — the
//     banner, CRLF lines, `Response: Success` + ActionID first for every action (Login checks
//     the user and secret; Originate is recorded), and the call event sequences of the
//     ami-bridge fixtures (crates/ami-bridge/tests/fixtures, `#` comment lines dropped) replayed
//     on request.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { repoDir } from './lib.mjs';

export const GRAPH_TOKEN = 'graph-test-token';
export const PHONE_NUMBER_ID = '106540352242922';
export const MEDIA_ID = '1037543291543636';
export const UPLOADED_MEDIA_ID = '4490709327384033';
export const UNDELIVERABLE = '306900000000';
const PHOTO = Buffer.from('\xFF\xD8\xFF\xE0 a jpeg of a bell tower', 'latin1');

function metaError(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: message }, fbtrace_id: 'AbCdEf' } }));
}
const ok = (res, body) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };

/** The Graph API peer on 127.0.0.1:0. `sends` and `uploads` list what it got. */
export function startGraphPeer() {
  const state = { sends: [], uploads: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url, 'http://x');
      const authorized = req.headers.authorization === `Bearer ${GRAPH_TOKEN}`;
      const parts = url.pathname.split('/').filter(Boolean);
      if (url.pathname === '/whatsapp_business/attachments/' && req.method === 'GET') {
        if (!authorized) return metaError(res, 401, 190, 'Invalid OAuth access token');
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        return res.end(PHOTO);
      }
      if (req.method === 'POST' && parts.length === 3 && parts[1] === PHONE_NUMBER_ID && parts[2] === 'messages') {
        if (!authorized) return metaError(res, 401, 190, 'Invalid OAuth access token');
        const msg = JSON.parse(body.toString('utf8'));
        if (msg.to === UNDELIVERABLE) return metaError(res, 400, 131026, 'Message undeliverable');
        state.sends.push(msg);
        return ok(res, { messaging_product: 'whatsapp', contacts: [{ input: msg.to, wa_id: msg.to }], messages: [{ id: `wamid.sent.${state.sends.length}` }] });
      }
      if (req.method === 'POST' && parts.length === 3 && parts[1] === PHONE_NUMBER_ID && parts[2] === 'media') {
        state.uploads.push(body.toString('latin1'));
        return ok(res, { id: UPLOADED_MEDIA_ID });
      }
      if (req.method === 'GET' && parts.length === 2) {
        if (!authorized) return metaError(res, 401, 190, 'Invalid OAuth access token');
        if (parts[1] !== MEDIA_ID) return metaError(res, 404, 100, 'Unsupported get request. Object does not exist');
        return ok(res, { messaging_product: 'whatsapp', url: `http://${req.headers.host}/whatsapp_business/attachments/?mid=${MEDIA_ID}`, mime_type: 'image/jpeg', sha256: 'x', file_size: PHOTO.length, id: MEDIA_ID });
      }
      metaError(res, 404, 100, 'Unknown path');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, state, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** The `X-Hub-Signature-256` header Meta puts on a webhook body. */
export function signWebhook(appSecret, body) {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** A webhook body as Meta posts it: messages and/or statuses for the peer's number. */
export function webhookBody({ messages = [], statuses = [], contacts = [] }) {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '302101234567', phone_number_id: PHONE_NUMBER_ID },
      contacts, messages, statuses,
    } }] }],
  });
}

/** A fixture as it goes on the wire: `#` comment lines dropped, CRLF line ends. */
export function amiFixture(name) {
  const text = readFileSync(join(repoDir, 'crates/ami-bridge/tests/fixtures', name), 'utf8');
  const lines = text.split('\n');
  while (lines.length && lines[0].startsWith('#')) lines.shift();
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return Buffer.from(lines.map((l) => `${l.replace(/\r$/, '')}\r\n`).join(''), 'utf8');
}

/**
 * The AMI peer on 127.0.0.1:0 for one user and secret. `actions` lists every action received
 * (as objects of its headers); `replay(name)` writes a fixture's events to the connected gateway.
 */
export function startAmiPeer({ user = 'crm', secret = 'ami-secret-for-tests' } = {}) {
  const actions = [];
  const sockets = new Set();
  const server = createTcpServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.write('Asterisk Call Manager/7.0.3\r\n');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      let at;
      while ((at = buf.indexOf('\r\n\r\n')) >= 0) {
        const frame = buf.slice(0, at);
        buf = buf.slice(at + 4);
        const action = {};
        for (const line of frame.split('\r\n')) {
          const i = line.indexOf(':');
          if (i > 0) action[line.slice(0, i).trim()] = line.slice(i + 1).trim();
        }
        if (!action.Action) continue;
        actions.push(action);
        const answer = [['Response', 'Success'], ['ActionID', action.ActionID ?? '']];
        if (action.Action === 'Login') {
          if (action.Username !== user || action.Secret !== secret) answer[0] = ['Response', 'Error'];
          answer.push(['Message', answer[0][1] === 'Success' ? 'Authentication accepted' : 'Authentication failed']);
        } else if (action.Action === 'Originate') answer.push(['Message', 'Originate successfully queued']);
        else if (action.Action === 'Ping') answer.push(['Ping', 'Pong']);
        sock.write(answer.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        actions,
        connected: () => sockets.size > 0,
        replay: (name) => { for (const s of sockets) s.write(amiFixture(name)); },
        close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
      });
    });
  });
}
