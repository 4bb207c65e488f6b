// @vitest-environment jsdom
// (DOMPurify needs a DOM that parses as browsers do; happy-dom does not, so this file runs in jsdom.)
import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from './sanitize';

describe('the e-mail sanitiser', () => {
  it('removes scripts, event handlers and javascript: links', () => {
    const { html } = sanitizeEmailHtml('<p onclick="steal()">Γεια<script>alert(1)</script></p><img src="cid:x" onerror="alert(2)"><a href="javascript:alert(3)">x</a><a href="https://bells.gr">ok</a>');
    expect(html).not.toMatch(/script|onerror|onclick|javascript:/i);
    expect(html).toContain('Γεια');
    expect(html).toMatch(/<a href="https:\/\/bells.gr" target="_blank" rel="noopener noreferrer">ok<\/a>/);
  });

  it('blocks remote images until asked, keeps embedded ones', () => {
    const src = '<img src="https://tracker.example/pixel.gif" alt="p"><img src="//cdn.example/a.png"><img src="data:image/png;base64,AAAA">';
    const blocked = sanitizeEmailHtml(src);
    expect(blocked.blocked).toBe(2);
    expect(blocked.html).not.toMatch(/ src="(https:)?\/\//);
    expect(blocked.html).toContain('data-blocked-src="https://tracker.example/pixel.gif"');
    expect(blocked.html).toContain('src="data:image/png;base64,AAAA"');
    const shown = sanitizeEmailHtml(src, true);
    expect(shown.blocked).toBe(0);
    expect(shown.html).toContain('src="https://tracker.example/pixel.gif"');
  });

  it('drops forms, iframes and remote CSS backgrounds', () => {
    const { html } = sanitizeEmailHtml('<iframe src="https://x"></iframe><form action="https://x"><input name="p"></form><div style="background:url(https://x/t.gif)">κείμενο</div>');
    expect(html).not.toMatch(/iframe|form|input|url\(/i);
    expect(html).toContain('κείμενο');
  });
});

