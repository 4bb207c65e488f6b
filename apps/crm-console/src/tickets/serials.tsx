// An order line's serial numbers as links to each device's history (`/serials/:serial`). Part
// of the order page, so of the first page: small on purpose.
import { Link } from '../router';
import { useTicketText } from './strings';

/** A serial's history page (`/serials/:serial`), the serial escaped as one path segment. */
export const serialPath = (serial: string) => `/serials/${encodeURIComponent(serial)}`;

/** The serials that are saved on the order, each a link to its history page. */
export function SerialLinks({ serials }: { serials: readonly string[] }) {
  const w = useTicketText();
  if (serials.length === 0) return null;
  return (
    <small className="serial-links" data-testid="serial-links">
      {serials.map((s, i) => (
        <span key={s}>{i ? ', ' : ''}<Link to={serialPath(s)} data-testid="order-serial" title={w.serialHistory}>{s}</Link></span>
      ))}
    </small>
  );
}
