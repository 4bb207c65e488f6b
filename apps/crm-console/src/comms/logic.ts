// Pure pieces of the comms actions, tested on their own: the WhatsApp service window in
// words, the delivery tick of a sent message, the headers of a reply, the addresses an e-mail
// entry carries, and the words of a search hit to highlight.
import type { Entry, Schemas } from '../api/client';
import type { CommsDict } from './text';

// --- the WhatsApp service window ---------------------------------------------------------

export interface ServiceWindow {
  open: boolean;
  last_inbound_at?: string | null;
  closes_at?: string | null;
}

const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

/**
 * Which kind of message can go out and why: «Ο πελάτης έγραψε πριν από 3 ώρες — μπορείτε να
 * στείλετε κείμενο έως 18:05», or «Πέρασαν 24 ώρες — μόνο εγκεκριμένο πρότυπο».
 */
export function windowWording(w: ServiceWindow, now: Date, t: CommsDict): string {
  const last = w.last_inbound_at ? new Date(w.last_inbound_at) : null;
  if (!last || Number.isNaN(last.getTime())) return t.windowNever;
  const closes = w.closes_at ? new Date(w.closes_at) : new Date(last.getTime() + 24 * 3600_000);
  if (!w.open || closes.getTime() <= now.getTime()) return t.windowClosed;
  const minutes = Math.max(0, Math.floor((now.getTime() - last.getTime()) / 60_000));
  const ago = minutes < 60 ? t.agoMinutes(minutes) : t.agoHours(Math.floor(minutes / 60));
  const sameDay = closes.toDateString() === now.toDateString();
  return t.windowOpen(ago, sameDay ? hhmm(closes) : `${t.tomorrow} ${hhmm(closes)}`);
}

// --- delivery ticks -----------------------------------------------------------------------

export type TickState = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Tick {
  state: TickState;
  /** What is shown: ✓, ✓✓ (blue when read), ✗. */
  symbol: string;
  /** The failure's reason, as Meta gave it. */
  reason: string | null;
}

const SYMBOL: Record<TickState, string> = { pending: '…', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '✗' };

/** The delivery tick of an outbound WhatsApp entry, from `meta.delivery`. */
export function tickOf(e: Pick<Entry, 'meta'>): Tick {
  const d = (e.meta as { delivery?: { status?: unknown; errors?: unknown } } | null | undefined)?.delivery;
  const status = typeof d?.status === 'string' ? d.status : '';
  const state: TickState = (['sent', 'delivered', 'read', 'failed'] as const).find((s) => s === status) ?? 'pending';
  let reason: string | null = null;
  if (state === 'failed') {
    const errors = Array.isArray(d?.errors) ? (d.errors as Record<string, unknown>[]) : [];
    reason =
      errors
        .map((x) => {
          const details = (x.error_data as { details?: unknown } | undefined)?.details;
          return [x.title ?? x.message, typeof details === 'string' ? details : null].filter((s) => typeof s === 'string' && s).join(': ');
        })
        .filter(Boolean)
        .join('; ') || null;
  }
  return { state, symbol: SYMBOL[state], reason };
}

// --- e-mail addresses and replies ------------------------------------------------------------

/** Addresses from a meta field: `[{name, address}]`, `["a@b"]`, `"a@b"` or `"Name <a@b>"`. */
export function addressesOf(v: unknown): string[] {
  const one = (x: unknown): string | null => {
    if (typeof x === 'string') {
      const m = /<([^>]+)>/.exec(x);
      return (m ? m[1] : x)?.trim() || null;
    }
    if (x && typeof x === 'object' && typeof (x as { address?: unknown }).address === 'string') return (x as { address: string }).address;
    return null;
  };
  const list = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
  return list.map(one).filter((s): s is string => !!s);
}

/** Who wrote an e-mail entry: a name if known, else the address. */
export function senderOf(e: Pick<Entry, 'meta' | 'sender'>): string {
  const from = (e.meta as { from?: unknown } | null)?.from;
  const first = Array.isArray(from) ? from[0] : from;
  if (first && typeof first === 'object') {
    const { name, address } = first as { name?: unknown; address?: unknown };
    if (typeof name === 'string' && name) return name;
    if (typeof address === 'string') return address;
  }
  return addressesOf(from)[0] ?? e.sender ?? '';
}

/** The Message-ID of an e-mail entry, without angle brackets. */
export function messageIdOf(e: Pick<Entry, 'meta' | 'ext_message_id'>): string | null {
  const m = (e.meta as { message_id?: unknown } | null)?.message_id;
  const id = typeof m === 'string' && m ? m : null;
  return id ? id.replace(/^<|>$/g, '').trim() : null;
}

export interface ReplyDraft {
  to: string[];
  cc: string[];
  subject: string;
  /** The Message-ID replied to, without brackets (the API's `in_reply_to`). */
  in_reply_to: string | null;
  /** The text to start from: an empty line, then the quoted original. */
  text: string;
}

const lower = (s: string) => s.toLowerCase();

/**
 * The headers and quoted text of a reply (or reply-all) to an e-mail entry. An inbound mail is
 * answered to its sender; one of ours to whom it went. Reply-all copies every other recipient,
 * leaving out the office's own addresses (`own`) and duplicates.
 */
export function replyDraft(e: Entry, mode: 'reply' | 'replyAll', own: string[], quoteHead: string): ReplyDraft {
  const meta = (e.meta ?? {}) as Record<string, unknown>;
  const from = addressesOf(meta.from);
  const to = addressesOf(meta.to);
  const cc = addressesOf(meta.cc);
  const mine = new Set(own.map(lower));
  const replyTo = addressesOf(meta.reply_to);
  let target = e.direction === 'outbound' ? to : replyTo.length ? replyTo : from.length ? from : e.sender ? [e.sender] : [];
  target = [...new Map(target.map((a) => [lower(a), a])).values()];
  const seen = new Set(target.map(lower));
  const copies: string[] = [];
  if (mode === 'replyAll') {
    const others = e.direction === 'outbound' ? cc : [...to, ...cc];
    for (const a of others) {
      if (mine.has(lower(a)) || seen.has(lower(a))) continue;
      seen.add(lower(a));
      copies.push(a);
    }
  }
  const subject = e.subject ?? '';
  const re = /^\s*(re|απ|σχετ)\s*:/i.test(subject) ? subject.trim() : `Re: ${subject.trim()}`.trim();
  const quoted = (e.body ?? '')
    .split('\n')
    .map((l) => (l ? `> ${l}` : '>'))
    .join('\n');
  return { to: target, cc: copies, subject: re, in_reply_to: messageIdOf(e), text: `\n\n${quoteHead}\n${quoted}\n` };
}

/** The text with the signature under it («-- » line, as mail clients expect), once. */
export function withSignature(text: string, signature: string | null | undefined): string {
  const sig = signature?.trim();
  if (!sig || text.includes(`-- \n${sig}`)) return text;
  return `${text.replace(/\s+$/, '')}\n\n-- \n${sig}`;
}

// --- search highlighting ------------------------------------------------------------------------

/** Folds case and Greek accents, so «καμπάνα» matches «ΚΑΜΠΑΝΑ». */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Splits `text` into parts, marking those that match one of the query's words (accent-blind). */
export function highlight(text: string, query: string): { text: string; hit: boolean }[] {
  const words = query
    .split(/[\s"'*()+-]+/)
    .map((w) => fold(w))
    .filter((w) => w.length > 0 && !/^(and|or|not)$/i.test(w));
  if (!words.length || !text) return [{ text, hit: false }];
  // Fold character by character so positions in the folded text map back to the original.
  const map: number[] = [];
  let folded = '';
  for (let i = 0; i < text.length; i++) {
    const f = fold(text[i] as string);
    for (let k = 0; k < f.length; k++) map.push(i);
    folded += f;
  }
  const marks = new Array<boolean>(text.length).fill(false);
  for (const w of words) {
    let at = folded.indexOf(w);
    while (at >= 0) {
      for (let k = at; k < at + w.length; k++) marks[map[k] as number] = true;
      at = folded.indexOf(w, at + w.length);
    }
  }
  const parts: { text: string; hit: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const hit = marks[i] as boolean;
    const last = parts[parts.length - 1];
    if (last && last.hit === hit) last.text += text[i];
    else parts.push({ text: text[i] as string, hit });
  }
  return parts;
}

/** Entries people logged by hand (not a channel's: no external id, not the PBX's), which they may edit and delete. */
export function isManual(e: Pick<Entry, 'type' | 'ext_message_id' | 'logged_by'>): boolean {
  const kind = e.type === 'note' || e.type === 'call' || e.type === 'sms' || e.type === 'in_person';
  return kind && !e.ext_message_id && e.logged_by !== 'pbx';
}

/** An HTML body as one line of plain text, for the timeline's preview (never rendered as HTML). */
export function plainPreview(body: string, max = 600): string {
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Whether a body looks like HTML rather than plain text. */
export function looksLikeHtml(body: string): boolean {
  return /<(html|body|div|p|br|table|span|a|img|b|i|strong|em|ul|ol|li|h[1-6])\b[^>]*>/i.test(body);
}

/** An order document to attach to an e-mail: the server renders the PDF and attaches it. */
export interface OrderDocument {
  order_id: string;
  kind: Schemas['Kind'];
}

/** The documents offered for a customer's orders: a quotation and a confirmation each, newest order first. */
export function documentChoices(orders: { id: string; order_number: string; status: string }[]): (OrderDocument & { order_number: string })[] {
  return orders
    .filter((o) => o.status !== 'cancelled')
    .flatMap((o) => (['quotation', 'confirmation'] as const).map((kind) => ({ order_id: o.id, kind, order_number: o.order_number })));
}
