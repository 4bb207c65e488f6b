// The automations (`/workflows`): each workflow's name, its trigger in words («Αναπάντητη
// κλήση», «Κάθε Δευτέρα 09:00»), an enabled toggle (editors), its version and the status of
// its latest runs; «Νέος αυτοματισμός» opens an empty editor.
import { useState } from 'react';
import { ApiError } from '../api/client';
import { errorSentence } from '../errors';
import { usePermissions } from '../permissions';
import { Link } from '../router';
import { tk } from '../tickets/api';
import { useLoad } from '../ui';
import { describeTrigger, type AnyTrigger, type Run, type Workflow } from './logic';
import { StatusBadge, useCatalogue } from './Runs';
import { useWorkflowText } from './strings';

/** How many of a workflow's latest runs the list shows. */
const LATEST = 5;

export default function WorkflowList() {
  const w = useWorkflowText();
  const { canEdit } = usePermissions();
  const { catalogue } = useCatalogue();
  const [error, setError] = useState<string | null>(null);
  const list = useLoad(async (signal) => {
    const ws = (await tk<{ workflows: Workflow[] }>('GET', '/workflows', undefined, { signal })).data.workflows;
    const runs = await Promise.all(
      ws.map((x) => tk<{ runs: Run[] }>('GET', `/workflows/${x.id}/runs`, undefined, { signal }).then((r) => r.data.runs.slice(0, LATEST), () => [] as Run[])),
    );
    return ws.map((x, i) => ({ workflow: x, runs: runs[i] ?? [] }));
  }, []);
  async function toggle(x: Workflow) {
    setError(null);
    try {
      const changed = (await tk<Workflow>('POST', `/workflows/${x.id}/${x.enabled ? 'disable' : 'enable'}`)).data;
      list.setData((list.data ?? []).map((r) => (r.workflow.id === x.id ? { ...r, workflow: changed } : r)));
    } catch (e) {
      setError(e instanceof ApiError ? errorSentence(e, w.lang) : String(e));
    }
  }
  return (
    <section className="card" data-testid="workflow-list">
      <div className="toolbar">
        <h1>{w.workflows}</h1>
        {canEdit && <Link to="/workflows/new" data-testid="new-workflow">{w.newWorkflow}</Link>}
      </div>
      {list.error ? <div className="error" role="alert">{list.error instanceof ApiError ? errorSentence(list.error, w.lang) : String(list.error)}</div> : null}
      {error && <div className="error" role="alert">{error}</div>}
      {list.data && !list.data.length && <p className="muted">{w.none}</p>}
      {!!list.data?.length && (
        <table>
          <thead><tr><th>{w.name}</th><th>{w.trigger}</th><th>{w.enabled}</th><th>{w.version}</th><th>{w.lastRuns}</th></tr></thead>
          <tbody>
            {list.data.map(({ workflow: x, runs }) => (
              <tr key={x.id} data-testid="workflow-row" data-id={x.id}>
                <td><Link to={`/workflows/${x.id}`}>{x.name}</Link></td>
                <td data-testid="workflow-trigger">{describeTrigger(x.definition.trigger as AnyTrigger, w.lang, catalogue ?? undefined)}</td>
                <td>
                  <label>
                    <input type="checkbox" data-testid="workflow-enabled" checked={x.enabled} disabled={!canEdit} onChange={() => void toggle(x)} />{' '}
                    {x.enabled ? w.isEnabled : w.isDisabled}
                  </label>
                </td>
                <td className="num" data-testid="workflow-version">{x.version}</td>
                <td>{runs.length ? runs.map((r) => <StatusBadge key={r.id} status={r.status} />) : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
