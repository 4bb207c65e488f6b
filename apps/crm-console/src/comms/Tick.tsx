// The delivery tick of a sent WhatsApp message: ✓ sent, ✓✓ delivered, blue ✓✓ read, ✗ failed
// with the reason.
import type { Entry } from '../api/client';
import { tickOf } from './logic';
import { useCommsText } from './text';

export function Tick({ e }: { e: Pick<Entry, 'meta'> }) {
  const c = useCommsText();
  const tick = tickOf(e);
  const label = c[`tick_${tick.state}`];
  return (
    <span className={`tick tick-${tick.state}`} data-testid="tick" data-state={tick.state} title={tick.reason ? `${label}: ${tick.reason}` : label} aria-label={label}>
      {tick.symbol}
      {tick.reason && <span className="tick-reason"> {label}: {tick.reason}</span>}
    </span>
  );
}
