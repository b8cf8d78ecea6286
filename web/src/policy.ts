// The release-policy page of a partner administrator: its own sensors as
// rows, the other partners as columns, and in each cell what that partner
// receives of that sensor (nothing, position only, full). Saving sends the
// whole policy (PUT /api/partners/:id/releases); the server checks the
// role and the partner (sovereignty) and applies it at once. The grid reads
// the rules with the server's rule (first rule naming both sensor and
// recipient applies) and writes one rule per sensor and content, keeping
// any area limits (withholdInside) a cell already had, so saving from here
// never widens what a rule withheld.

interface Rule {
  readonly to: readonly string[];
  readonly sensors: readonly string[] | null;
  readonly content: 'full' | 'position';
  readonly withholdInside: readonly (readonly (readonly number[])[])[];
}

interface Policies {
  readonly partners: readonly { readonly id: string; readonly name: string; readonly status: string }[];
  readonly policies: readonly { readonly partner: string; readonly sensors: readonly string[]; readonly releases: readonly Rule[] | null }[];
}

type Content = 'none' | 'position' | 'full';
interface Cell {
  content: Content;
  readonly withholdInside: Rule['withholdInside'];
}

/** What `recipient` gets of `sensor` under `rules` (null rules: everything, in full). */
function grant(rules: readonly Rule[] | null, sensor: string, recipient: string): Cell {
  if (rules === null) return { content: 'full', withholdInside: [] };
  for (const r of rules) {
    if ((r.to.includes('*') || r.to.includes(recipient)) && (r.sensors === null || r.sensors.includes(sensor))) return { content: r.content, withholdInside: r.withholdInside };
  }
  return { content: 'none', withholdInside: [] };
}

async function send<T>(method: 'GET' | 'PUT', path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method, cache: 'no-store',
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as T & { error?: string; message?: string };
  if (!res.ok) throw new Error(`${json.error ?? `HTTP_${res.status}`}: ${json.message ?? res.statusText}`);
  return json;
}

export class PolicyPanel {
  private token: string | null = null;
  private partner = '';
  private sensors: readonly string[] = [];
  private recipients: readonly { id: string; name: string }[] = [];
  private cells = new Map<string, Cell>();

  constructor(private readonly box: HTMLElement) {
    box.addEventListener('change', (e) => {
      const sel = e.target as HTMLSelectElement;
      const key = sel.dataset.cell;
      const cell = key ? this.cells.get(key) : undefined;
      if (cell) cell.content = sel.value as Content;
    });
    box.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).id === 'policy-save') void this.save();
    });
  }

  /** Load the administrator's own partner's policy and show it. */
  async load(token: string, partner: string): Promise<void> {
    this.token = token;
    this.partner = partner;
    try {
      const p = await send<Policies>('GET', '/api/releases', token);
      const mine = p.policies.find((x) => x.partner === partner);
      this.sensors = mine?.sensors ?? [];
      this.recipients = p.partners.filter((x) => x.id !== partner && x.status !== 'withdrawn');
      this.cells = new Map();
      for (const s of this.sensors) for (const r of this.recipients) this.cells.set(`${s}|${r.id}`, grant(mine?.releases ?? null, s, r.id));
      this.render('');
    } catch (err) {
      this.box.textContent = `Release policy not loaded: ${String((err as Error).message ?? err)}`;
    }
  }

  clear(): void {
    this.token = null;
    this.box.replaceChildren();
  }

  /** The grid as release rules: one per sensor and (content, area limits), recipients listed. */
  rules(): Rule[] {
    const out: Rule[] = [];
    for (const s of this.sensors) {
      const groups = new Map<string, { content: 'full' | 'position'; withholdInside: Rule['withholdInside']; to: string[] }>();
      for (const r of this.recipients) {
        const c = this.cells.get(`${s}|${r.id}`)!;
        if (c.content === 'none') continue;
        const k = `${c.content}|${JSON.stringify(c.withholdInside)}`;
        const g = groups.get(k) ?? groups.set(k, { content: c.content, withholdInside: c.withholdInside, to: [] }).get(k)!;
        g.to.push(r.id);
      }
      for (const g of groups.values()) out.push({ to: g.to, sensors: [s], content: g.content, withholdInside: g.withholdInside });
    }
    return out;
  }

  private async save(): Promise<void> {
    if (!this.token) return;
    const msg = this.box.querySelector<HTMLElement>('#policy-message');
    try {
      const r = await send<{ after: Rule[] | null }>('PUT', `/api/partners/${encodeURIComponent(this.partner)}/releases`, this.token, { releases: this.rules() });
      if (msg) {
        msg.dataset.state = 'ok';
        msg.textContent = `Saved: ${r.after?.length ?? 0} rule(s), in force now.`;
      }
    } catch (err) {
      if (msg) {
        msg.dataset.state = 'error';
        msg.textContent = `Not saved: ${(err as Error).message}`;
      }
    }
  }

  private render(message: string): void {
    const doc = this.box.ownerDocument;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text = '', attrs: Record<string, string> = {}) => {
      const e = doc.createElement(tag);
      if (text) e.textContent = text;
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      return e;
    };
    const intro = el('p', `What each partner receives of ${this.partner}'s sensors. Changes apply at once when saved; a partner that loses data gets a picture rebuilt without it.`, { class: 'hint' });
    const table = el('table', '', { id: 'policy-table', 'aria-label': 'Release policy' });
    const head = el('tr');
    head.append(el('th', 'Sensor'));
    for (const r of this.recipients) head.append(el('th', r.id, { title: r.name }));
    table.append(head);
    for (const s of this.sensors) {
      const row = el('tr');
      row.append(el('th', s, { scope: 'row' }));
      for (const r of this.recipients) {
        const cell = this.cells.get(`${s}|${r.id}`)!;
        const td = el('td');
        const sel = el('select', '', { 'data-cell': `${s}|${r.id}`, 'aria-label': `${s} to ${r.id}` });
        for (const [v, label] of [['none', 'nothing'], ['position', 'position only'], ['full', 'full']] as const) {
          const o = el('option', label, { value: v });
          if (cell.content === v) o.setAttribute('selected', '');
          sel.append(o);
        }
        td.append(sel);
        if (cell.withholdInside.length > 0) td.append(el('span', ' area-limited', { class: 'policy-area', title: 'Plots inside this rule\'s areas stay withheld' }));
        row.append(td);
      }
      table.append(row);
    }
    const save = el('button', 'Save release policy', { id: 'policy-save', type: 'button' });
    const msg = el('p', message, { id: 'policy-message', role: 'status' });
    this.box.replaceChildren(intro, this.sensors.length ? table : el('p', 'Your partner declares no sensors.'), save, msg);
  }
}
