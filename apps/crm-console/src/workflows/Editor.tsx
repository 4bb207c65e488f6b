// A workflow's editor (`/workflows/new`, `/workflows/{id}`): the trigger (manual, every N
// minutes, cron with a time zone, or an event of the catalogue), the steps in order (add,
// remove, reorder; the kind chosen from the catalogue by group; a form per kind from the
// catalogue's fields; `next`, the branches of if/switch/loop and `on_error` as selects of the
// steps' keys). Saving sends a new version (PUT) or a new workflow (POST); a refused field
// (`nodes[2].config.condition`, `trigger.cron`) is shown on that field. A saved workflow also
// has its enable/disable button, a test run with sample trigger data, and its run history.
import { useState, type CSSProperties, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { errorSentence } from '../errors';
import { usePermissions } from '../permissions';
import { Link, navigate } from '../router';
import { tk } from '../tickets/api';
import { Field, useLoad } from '../ui';
import {
  AUTO, definitionOf, EMPTY_TRIGGER, END, eventLabel, fieldTarget, fixedBranches, groupedKinds, moveStep, newKey, sampleInput, stepsOf, triggerForm,
  type AnyTrigger, type Catalogue, type CatalogueField, type FieldProblem, type RunDetail, type StepForm, type TriggerForm, type Workflow,
} from './logic';
import { RunHistory, RunLog, useCatalogue } from './Runs';
import { problemText, useWorkflowText, type WorkflowText } from './strings';

const INVALID: CSSProperties = { outline: '2px solid #b91c1c', background: '#fef2f2' };
const MONO: CSSProperties = { fontFamily: 'monospace' };

/** The refused field of the last save, with the server's reason when it came from there. */
interface Problem extends FieldProblem { server?: boolean }

function FieldError({ problem, w }: { problem: Problem; w: WorkflowText }) {
  return (
    <div className="error" role="alert" data-testid="field-error" data-field={problem.field}>
      {problemText(problem.server ? { ...problem, reason: '' } : problem, w)}
      {problem.server && problem.reason ? <> {w.serverSays} <code>{problem.reason}</code></> : null}
    </div>
  );
}

export default function WorkflowEditor({ id }: { id: string | null }) {
  const w = useWorkflowText();
  const { catalogue, error } = useCatalogue();
  const loaded = useLoad((signal) => (id ? tk<Workflow>('GET', `/workflows/${id}`, undefined, { signal }).then((r) => r.data) : Promise.resolve(null)), [id]);
  const failed = loaded.error ?? error;
  if (failed) return <div className="error" role="alert">{errorSentence(failed as ApiError, w.lang)}</div>;
  if ((id && !loaded.data) || !catalogue) return <p className="muted">…</p>;
  return <EditorForm key={loaded.data ? `${loaded.data.id}` : 'new'} initial={loaded.data ?? null} catalogue={catalogue} />;
}

function EditorForm({ initial, catalogue }: { initial: Workflow | null; catalogue: Catalogue }) {
  const w = useWorkflowText();
  const { canEdit } = usePermissions();
  const [saved, setSaved] = useState<Workflow | null>(initial);
  const [name, setName] = useState(initial?.name ?? '');
  const [trigger, setTrigger] = useState<TriggerForm>(() => (initial ? triggerForm(initial.definition.trigger as AnyTrigger) : EMPTY_TRIGGER));
  const [steps, setSteps] = useState<StepForm[]>(() => (initial ? stepsOf(initial.definition.nodes) : []));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const target = problem ? fieldTarget(problem.field) : null;

  async function save() {
    setError(null);
    setNotice(null);
    const d = definitionOf(trigger, steps, catalogue);
    if (!d.ok) return setProblem(d.error);
    if (!saved && !name.trim()) return setProblem({ field: 'name', reason: 'missing' });
    setProblem(null);
    setBusy(true);
    try {
      const w2 = saved
        ? (await tk<Workflow>('PUT', `/workflows/${saved.id}`, d.definition)).data
        : (await tk<Workflow>('POST', '/workflows', { name: name.trim(), definition: d.definition })).data;
      setSaved(w2);
      setNotice(w.saved(w2.version));
      if (!saved) navigate(`/workflows/${w2.id}`, true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.field) {
        const reason = (e.details as { reason?: unknown } | undefined)?.reason;
        setProblem({ field: e.field, reason: typeof reason === 'string' ? reason : '', server: true });
      } else setError(e instanceof ApiError ? errorSentence(e, w.lang) : String(e));
    } finally {
      setBusy(false);
    }
  }

  async function toggle() {
    if (!saved) return;
    setError(null);
    try {
      setSaved((await tk<Workflow>('POST', `/workflows/${saved.id}/${saved.enabled ? 'disable' : 'enable'}`)).data);
    } catch (e) {
      setError(e instanceof ApiError ? errorSentence(e, w.lang) : String(e));
    }
  }

  const setStep = (i: number, p: Partial<StepForm>) => setSteps((s) => s.map((x, j) => (j === i ? { ...x, ...p } : x)));
  const readOnly = !canEdit;
  return (
    <>
      <section className="card" data-testid="workflow-editor">
        <div className="toolbar">
          <h1>{saved ? saved.name : w.newWorkflow}</h1>
          {saved && <span data-testid="editor-version">{w.version} {saved.version}</span>}
          {saved && (
            <span data-testid="editor-enabled" data-enabled={saved.enabled ? 'yes' : 'no'}>
              {saved.enabled ? w.isEnabled : w.isDisabled}{' '}
              {canEdit && <button type="button" data-testid="toggle-enabled" onClick={() => void toggle()}>{saved.enabled ? w.disable : w.enable}</button>}
            </span>
          )}
          <Link to="/workflows">{w.back}</Link>
        </div>
        {readOnly && <p className="muted">{w.viewer}</p>}
        <fieldset disabled={readOnly || busy} style={{ border: 0, padding: 0 }}>
          {!saved && (
            <Field label={w.name} wide>
              <input name="workflow_name" value={name} onChange={(e) => setName(e.target.value)} style={target?.at === 'workflow' && target.field === 'name' ? INVALID : undefined} />
            </Field>
          )}
          {problem && target?.at === 'workflow' && <FieldError problem={problem} w={w} />}
          <TriggerEditor t={trigger} set={(p) => setTrigger((x) => ({ ...x, ...p }))} catalogue={catalogue} problem={target?.at === 'trigger' ? { ...(problem as Problem), local: target.field } : null} w={w} />
          <h2>{w.steps}</h2>
          {steps.map((s, i) => (
            <StepEditor
              key={i}
              i={i}
              s={s}
              steps={steps}
              catalogue={catalogue}
              set={(p) => setStep(i, p)}
              remove={() => setSteps((x) => x.filter((_, j) => j !== i))}
              move={(by) => setSteps((x) => moveStep(x, i, by))}
              problem={target?.at === 'node' && target.index === i ? { ...(problem as Problem), local: target.field } : null}
              w={w}
            />
          ))}
          {canEdit && <AddStep catalogue={catalogue} w={w} add={(kind) => setSteps((x) => [...x, { key: newKey(kind, x), kind, config: {}, next: AUTO, branches: {}, on_error: '' }])} />}
        </fieldset>
        {error && <div className="error" role="alert">{error}</div>}
        {notice && <div className="notice" role="status" data-testid="saved">{notice}</div>}
        {canEdit && <div className="actions"><button type="button" className="primary" data-testid="save-workflow" disabled={busy} onClick={() => void save()}>{w.save}</button></div>}
      </section>
      {saved && canEdit && <TestRun workflow={saved} trigger={trigger} catalogue={catalogue} w={w} onRun={() => setTick((x) => x + 1)} />}
      {saved && <RunHistory workflowId={saved.id} tick={tick} />}
    </>
  );
}

type Located = Problem & { local: string };

function TriggerEditor({ t, set, catalogue, problem, w }: { t: TriggerForm; set: (p: Partial<TriggerForm>) => void; catalogue: Catalogue; problem: Located | null; w: WorkflowText }) {
  const bad = (f: string) => (problem && (problem.local === f || problem.local === 'kind') ? INVALID : undefined);
  return (
    <fieldset className="grid" data-testid="trigger" style={problem ? { borderColor: '#b91c1c' } : undefined}>
      <legend>{w.trigger}</legend>
      <Field label={w.mode}>
        <select name="trigger_mode" value={t.mode} onChange={(e) => set({ mode: e.target.value as TriggerForm['mode'] })}>
          <option value="manual">{w.manual}</option>
          <option value="every">{w.every}</option>
          <option value="cron">{w.cron}</option>
          <option value="event">{w.event}</option>
        </select>
      </Field>
      {t.mode === 'every' && (
        <Field label={w.everyMinutes}><input name="trigger_every" inputMode="numeric" value={t.every} style={bad('every_minutes')} onChange={(e) => set({ every: e.target.value })} /></Field>
      )}
      {t.mode === 'cron' && (
        <>
          <Field label={w.cronExpr}><input name="trigger_cron" value={t.cron} style={{ ...MONO, ...bad('cron') }} onChange={(e) => set({ cron: e.target.value })} /></Field>
          <Field label={w.timezone}><input name="trigger_timezone" value={t.timezone} style={bad('timezone')} onChange={(e) => set({ timezone: e.target.value })} /></Field>
        </>
      )}
      {t.mode === 'event' && (
        <Field label={w.eventName}>
          <select name="trigger_event" value={t.event} style={bad('name')} onChange={(e) => set({ event: e.target.value })}>
            <option value="">{w.choose}</option>
            {catalogue.events.map((ev) => <option key={ev.name} value={ev.name} title={ev.description}>{`${eventLabel(ev.name, w.lang, catalogue)} (${ev.name})`}</option>)}
            {t.event && !catalogue.events.some((ev) => ev.name === t.event) && <option value={t.event}>{t.event}</option>}
          </select>
        </Field>
      )}
      {problem && <div className="wide"><FieldError problem={problem} w={w} /></div>}
    </fieldset>
  );
}

function KindSelect({ value, catalogue, w, onChange, style }: { value: string; catalogue: Catalogue; w: WorkflowText; onChange: (k: string) => void; style?: CSSProperties }) {
  return (
    <select name="kind" value={value} style={style} onChange={(e) => onChange(e.target.value)}>
      {!value && <option value="">{w.choose}</option>}
      {groupedKinds(catalogue).map(([g, nodes]) => (
        <optgroup key={g} label={w.groups[g] ?? g}>
          {nodes.map((n) => {
            const why = n.kind === value ? undefined : catalogue.unavailable?.[n.kind];
            return (
              <option key={n.kind} value={n.kind} disabled={!!why} title={why}>
                {w.lang === 'el' ? n.label_el : n.kind} ({n.kind}){why ? ` — ${w.unavailable}` : ''}
              </option>
            );
          })}
        </optgroup>
      ))}
      {value && !catalogue.nodes.some((n) => n.kind === value) && <option value={value}>{value}</option>}
    </select>
  );
}

function AddStep({ catalogue, w, add }: { catalogue: Catalogue; w: WorkflowText; add: (kind: string) => void }) {
  const [kind, setKind] = useState('');
  return (
    <div className="actions" data-testid="add-step">
      <KindSelect value={kind} catalogue={catalogue} w={w} onChange={setKind} />
      <button type="button" disabled={!kind} onClick={() => { add(kind); setKind(''); }}>{w.addStep}</button>
    </div>
  );
}

const LONG = new Set(['body', 'text', 'prompt', 'system', 'message']);

// The catalogue's help (an example, in the server's words) is the field's placeholder and tooltip.
function ConfigInput({ f, value, set, style }: { f: CatalogueField; value: string; set: (v: string) => void; style?: CSSProperties }) {
  const name = `config.${f.name}`;
  const hint = f.help || undefined;
  if (f.kind === 'choice')
    return (
      <select name={name} value={value} style={style} onChange={(e) => set(e.target.value)}>
        <option value="" />
        {(f.choices ?? []).map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    );
  if (f.kind === 'object' || (f.kind === 'template' && LONG.has(f.name)))
    return <textarea name={name} rows={3} value={value} placeholder={hint} title={hint} style={{ ...(f.kind === 'object' ? MONO : {}), ...style }} onChange={(e) => set(e.target.value)} />;
  return <input name={name} value={value} placeholder={hint} title={hint} inputMode={f.kind === 'number' ? 'decimal' : undefined} style={{ ...(f.kind === 'expression' ? MONO : {}), ...style }} onChange={(e) => set(e.target.value)} />;
}

function StepEditor({ i, s, steps, catalogue, set, remove, move, problem, w }: {
  i: number; s: StepForm; steps: readonly StepForm[]; catalogue: Catalogue; set: (p: Partial<StepForm>) => void; remove: () => void; move: (by: number) => void; problem: Located | null; w: WorkflowText;
}) {
  const spec = catalogue.nodes.find((n) => n.kind === s.kind);
  const fields: CatalogueField[] = [...(spec?.fields ?? [])];
  for (const name of Object.keys(s.config)) if (!fields.some((f) => f.name === name)) fields.push({ name, kind: 'text', required: false });
  const others = steps.filter((_, j) => j !== i).map((x) => x.key);
  const at = (local: string): ReactNode => (problem && problem.local === local ? <FieldError problem={problem} w={w} /> : null);
  const bad = (local: string) => (problem && problem.local === local ? INVALID : undefined);
  const shown = new Set(['key', 'kind', 'next', 'on_error', ...fields.map((f) => `config.${f.name}`), ...Object.keys(s.branches).map((b) => `branches.${b}`), ...fixedBranches(s.kind).map((b) => `branches.${b}`)]);
  const switchCases = s.kind === 'switch' ? Object.keys(s.branches).filter((b) => b !== 'default') : [];
  const keySelect = (value: string, onChange: (v: string) => void, empty: string, local: string, extra?: ReactNode) => (
    <select name={local} value={value} style={bad(local)} onChange={(e) => onChange(e.target.value)}>
      <option value="">{empty}</option>
      {extra}
      {others.map((k) => <option key={k} value={k}>{k}</option>)}
      {value && value !== END && !others.includes(value) && <option value={value}>{value}</option>}
    </select>
  );
  return (
    <fieldset className="grid" data-testid="step" data-key={s.key} data-index={i} style={{ borderLeft: `3px solid ${problem ? '#b91c1c' : '#cbd5e1'}`, paddingLeft: '.6rem', marginBottom: '.8rem' }}>
      <legend title={spec?.description}>
        {w.step(i + 1)}: {spec ? (w.lang === 'el' ? spec.label_el : spec.kind) : s.kind}{' '}
        <button type="button" aria-label={w.up} disabled={i === 0} onClick={() => move(-1)}>{w.up}</button>
        <button type="button" aria-label={w.down} disabled={i === steps.length - 1} onClick={() => move(1)}>{w.down}</button>
        <button type="button" data-testid="remove-step" onClick={remove}>{w.remove}</button>
      </legend>
      {problem && !shown.has(problem.local) && <div className="wide">{at(problem.local) ?? <FieldError problem={problem} w={w} />}</div>}
      <Field label={w.key}><input name="key" value={s.key} style={{ ...MONO, ...bad('key') }} onChange={(e) => set({ key: e.target.value })} />{at('key')}</Field>
      <Field label={w.kind}><KindSelect value={s.kind} catalogue={catalogue} w={w} style={bad('kind')} onChange={(k) => set({ kind: k, config: {}, branches: {} })} />{at('kind')}</Field>
      {fields.map((f) => (
        <Field key={f.name} label={`${w.label(f.name)}${f.required ? ` (${w.required})` : f.one_of ? ` (${w.oneOf})` : ''}`} wide={f.kind === 'object' || LONG.has(f.name)}>
          <ConfigInput f={f} value={s.config[f.name] ?? ''} set={(v) => set({ config: { ...s.config, [f.name]: v } })} style={bad(`config.${f.name}`)} />
          {at(`config.${f.name}`)}
        </Field>
      ))}
      {fixedBranches(s.kind).map((b) => (
        <Field key={b} label={w.branch(b)}>
          {keySelect(s.branches[b] ?? '', (v) => set({ branches: { ...s.branches, [b]: v } }), w.end, `branches.${b}`)}
          {at(`branches.${b}`)}
        </Field>
      ))}
      {switchCases.map((c) => (
        <Field key={`case-${c}`} label={w.branch(c)}>
          <span style={{ display: 'flex', gap: '.3rem' }}>
            <input aria-label={w.caseValue} defaultValue={c} onBlur={(e) => {
              const v = e.target.value.trim();
              if (!v || v === c || v in s.branches) return;
              const { [c]: to, ...rest } = s.branches;
              set({ branches: { ...rest, [v]: to ?? '' } });
            }} />
            {keySelect(s.branches[c] ?? '', (v) => set({ branches: { ...s.branches, [c]: v } }), w.end, `branches.${c}`)}
            <button type="button" onClick={() => { const { [c]: _drop, ...rest } = s.branches; set({ branches: rest }); }}>{w.remove}</button>
          </span>
          {at(`branches.${c}`)}
        </Field>
      ))}
      {s.kind === 'switch' && (
        <div className="wide"><button type="button" onClick={() => { let n = 1; while (`case${n}` in s.branches) n++; set({ branches: { ...s.branches, [`case${n}`]: '' } }); }}>{w.addCase}</button></div>
      )}
      {s.kind !== 'stop' && (
        <Field label={w.next}>
          {keySelect(s.next === END ? END : s.next, (v) => set({ next: v }), w.auto, 'next', <option value={END}>{w.end}</option>)}
          {at('next')}
        </Field>
      )}
      <Field label={w.onError}>{keySelect(s.on_error, (v) => set({ on_error: v }), w.noHandler, 'on_error')}{at('on_error')}</Field>
    </fieldset>
  );
}

function TestRun({ workflow, trigger, catalogue, w, onRun }: { workflow: Workflow; trigger: TriggerForm; catalogue: Catalogue; w: WorkflowText; onRun: () => void }) {
  const [text, setText] = useState(() => JSON.stringify(sampleInput(trigger, catalogue, new Date()), null, 2));
  const [result, setResult] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run() {
    let input: unknown;
    try {
      input = JSON.parse(text || '{}');
    } catch {
      return setError(w.badJson);
    }
    setError(null);
    setBusy(true);
    try {
      setResult((await tk<RunDetail>('POST', `/workflows/${workflow.id}/runs`, { input })).data);
      onRun();
    } catch (e) {
      setError(e instanceof ApiError ? errorSentence(e, w.lang) : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card" data-testid="test-run">
      <h2>{w.testRun}</h2>
      <p className="muted">{w.runSavedOnly}</p>
      <Field label={w.sample} wide>
        <textarea name="sample" rows={8} value={text} style={MONO} onChange={(e) => setText(e.target.value)} />
      </Field>
      <div className="actions">
        <button type="button" onClick={() => setText(JSON.stringify(sampleInput(trigger, catalogue, new Date()), null, 2))}>↺</button>
        <button type="button" className="primary" data-testid="run-test" disabled={busy} onClick={() => void run()}>{w.run}</button>
      </div>
      {error && <div className="error" role="alert">{error}</div>}
      {result && (
        <div data-testid="test-result">
          <h3>{w.result}</h3>
          <RunLog run={result} onChange={(r) => { setResult(r); onRun(); }} />
        </div>
      )}
    </section>
  );
}
