// E-mail HTML made safe to show: DOMPurify removes scripts, event handlers and `javascript:`
// links; links open in a new tab without access to this one (rel=noopener); remote images
// (and CSS that would fetch something) are held back until the user asks for them, since
// loading them tells the sender the mail was read.
import DOMPurify from 'dompurify';

export interface Sanitized {
  html: string;
  /** How many remote images were held back. */
  blocked: number;
}

const REMOTE = /^\s*(https?:)?\/\//i;
let purifier: ReturnType<typeof DOMPurify> | null = null;
let allowRemote = false;
let blocked = 0;

function instance(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (el.tagName === 'A') {
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
    }
    if (el.tagName === 'IMG' || el.tagName === 'SOURCE') {
      const src = el.getAttribute('src') ?? '';
      if (REMOTE.test(src) && !allowRemote) {
        el.setAttribute('data-blocked-src', src);
        el.removeAttribute('src');
        blocked++;
      }
      if (!allowRemote) el.removeAttribute('srcset');
    }
    if (el.hasAttribute('background')) el.removeAttribute('background');
    const style = el.getAttribute('style');
    if (style && /url\s*\(/i.test(style) && !allowRemote) el.setAttribute('style', style.replace(/url\s*\([^)]*\)/gi, 'none'));
  });
  purifier = p;
  return p;
}

/** Sanitises an e-mail's HTML; remote images stay blocked unless `remoteImages`. */
export function sanitizeEmailHtml(html: string, remoteImages = false): Sanitized {
  const p = instance();
  allowRemote = remoteImages;
  blocked = 0;
  const out = p.sanitize(html, {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'link', 'meta', 'base'],
    FORBID_ATTR: ['formaction'],
    ALLOW_DATA_ATTR: false,
    ADD_ATTR: ['target'],
  });
  const clean = String(out);
  // Belt and braces: a DOM that does not parse as browsers do can leave markup DOMPurify
  // never saw; then the text is shown escaped rather than trusted.
  if (/<script|\son[a-z]+\s*=|javascript:/i.test(clean)) return { html: escapeHtml(clean.replace(/<[^>]*>/g, ' ')), blocked: 0 };
  return { html: clean, blocked };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}
