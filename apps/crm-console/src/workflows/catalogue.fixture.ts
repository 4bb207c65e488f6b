// The server's catalogue as the tests need it: a copy of what `GET /api/crm/workflows/catalogue`
// answers (crates/crm-workflows/src/catalogue.rs), reduced to the fields the console reads.
// e2e/workflows.mjs checks the console against the live one.

import type { Catalogue, CatalogueField, FieldKind } from './logic';

const f = (name: string, kind: FieldKind, required = false, extra: Partial<CatalogueField> = {}): CatalogueField => ({ name, kind, required, ...extra });
const MSG = ['entry_id', 'customer_id', 'sender', 'subject', 'body'];

export const CATALOGUE: Catalogue = {
  events: [
    { name: 'call.missed', description: 'Αναπάντητη κλήση', data: MSG },
    { name: 'whatsapp.received', description: 'Εισερχόμενο μήνυμα WhatsApp', data: MSG },
    { name: 'email.received', description: 'Εισερχόμενο e-mail', data: MSG },
    { name: 'ticket.created', description: 'Νέο ticket', data: ['ticket_id', 'number', 'customer_id', 'title', 'priority', 'kind', 'assignee'] },
    { name: 'lead.created', description: 'Νέα ευκαιρία', data: ['lead_id', 'customer_id', 'title'] },
    { name: 'order.delivered', description: 'Παράδοση παραγγελίας', data: ['order_id', 'number', 'customer_id'] },
  ],
  nodes: [
    { kind: 'if', group: 'logic', label_el: 'Συνθήκη', description: '', fields: [f('condition', 'expression', true)] },
    { kind: 'switch', group: 'logic', label_el: 'Επιλογή', description: '', fields: [f('value', 'expression', true)] },
    { kind: 'wait', group: 'logic', label_el: 'Αναμονή', description: '', fields: [f('amount', 'number', true), f('unit', 'choice', true, { choices: ['minutes', 'hours', 'days', 'weeks', 'months'] })] },
    { kind: 'loop', group: 'logic', label_el: 'Επανάληψη', description: '', fields: [f('items', 'expression', true), f('max', 'number')] },
    { kind: 'stop', group: 'logic', label_el: 'Τέλος', description: '', fields: [] },
    { kind: 'send_whatsapp', group: 'output', label_el: 'Αποστολή WhatsApp', description: '', fields: [f('to', 'template', false, { one_of: 'to' }), f('customer_id', 'template', false, { one_of: 'to' }), f('text', 'template', false, { one_of: 'text' }), f('template', 'text', false, { one_of: 'text' }), f('language', 'text'), f('parameters', 'object')] },
    { kind: 'send_email', group: 'output', label_el: 'Αποστολή e-mail', description: '', fields: [f('to', 'template', false, { one_of: 'to' }), f('customer_id', 'template', false, { one_of: 'to' }), f('subject', 'template', true), f('body', 'template', true), f('account', 'text')] },
    { kind: 'create_lead', group: 'output', label_el: 'Νέο lead', description: '', fields: [f('title', 'template', true), f('customer_id', 'template'), f('name', 'template'), f('phone', 'template')] },
    { kind: 'create_ticket', group: 'output', label_el: 'Νέο ticket', description: '', fields: [f('title', 'template', true), f('customer_id', 'template'), f('kind', 'template'), f('priority', 'template')] },
    { kind: 'assign_user', group: 'output', label_el: 'Ανάθεση χρήστη', description: '', fields: [f('user', 'template', true)] },
    { kind: 'set', group: 'utility', label_el: 'Μεταβλητή', description: '', fields: [f('name', 'text', true), f('value', 'expression', true)] },
    { kind: 'json_parse', group: 'utility', label_el: 'Ανάγνωση JSON', description: '', fields: [f('source', 'expression', true)] },
    { kind: 'assert', group: 'utility', label_el: 'Έλεγχος', description: '', fields: [f('condition', 'expression', true), f('message', 'template')] },
    { kind: 'get_ticket', group: 'output', label_el: 'Στοιχεία ticket', description: '', fields: [f('ticket_id', 'template', true)] },
    { kind: 'http_request', group: 'output', label_el: 'Κλήση HTTP', description: '', fields: [f('url', 'template', true), f('method', 'choice', false, { choices: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }), f('headers', 'object'), f('body', 'template'), f('timeout_seconds', 'number')] },
    { kind: 'ai_intent', group: 'ai', label_el: 'Πρόθεση (AI)', description: '', fields: [f('text', 'template', true), f('intents', 'template', true)] },
    { kind: 'ai_sentiment', group: 'ai', label_el: 'Διάθεση (AI)', description: '', fields: [f('text', 'template', true)] },
    { kind: 'ai_extract', group: 'ai', label_el: 'Εξαγωγή στοιχείων (AI)', description: '', fields: [f('text', 'template', true), f('fields', 'template', true)] },
    { kind: 'ai_agent', group: 'ai', label_el: 'Οδηγία σε AI', description: '', fields: [f('prompt', 'template', true), f('text', 'template'), f('system', 'template')] },
  ],
};

