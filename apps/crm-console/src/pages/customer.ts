import type { Schemas } from '../api/client';

/**
 * Saves a patch of the customer the page shows (with If-Match, then shows the result);
 * `true` when it was saved. The customer page passes it to its tabs (overview, contacts,
 * owned items, media), so it lives here rather than in either of them.
 */
export type SavePatch = (patch: Schemas['CustomerPatch']) => Promise<boolean>;
