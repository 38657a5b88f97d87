// journal.js: a live view of the request journal (`GET /__mockdown/requests`), polled
// while it is on screen, filterable by status. It reads both shapes of the route: the
// paged one (`{requests, next, more, total}` with `?since=ID`) and a plain array.

const JOURNAL_URL = '/__mockdown/requests';
const JOURNAL_KEEP = 1000;
const JOURNAL_SHOWN = 300;

const journal = {
  entries: [],     // oldest first
  next: null,      // the `since` of the next poll (paged shape)
  total: null,
  timer: 0,
  view: null,      // the elements while the journal is on screen
  signature: '',
  enabled: true,
};

function entryKey(e) {
  return e.id !== undefined ? `#${e.id}` : `${e.time}|${e.method}|${e.path}|${e.status}`;
}

/** One poll: merges what is new; true when something changed. */
async function pollJournal() {
  const query = journal.next !== null ? `?since=${encodeURIComponent(journal.next)}` : `?limit=${JOURNAL_SHOWN}`;
  const response = await adminFetch(JOURNAL_URL + query);
  if (!response.ok) throw new Error(`${response.status} from ${JOURNAL_URL}`);
  const data = await response.json();
  let more = false;
  if (Array.isArray(data)) {
    journal.entries = data.slice(-JOURNAL_KEEP);
    journal.total = data.length;
  } else if (data && Array.isArray(data.requests)) {
    const known = new Set(journal.entries.map(entryKey));
    const fresh = data.requests.filter((e) => !known.has(entryKey(e)));
    journal.entries = journal.entries.concat(fresh)
      .sort((a, b) => (a.id ?? a.time) - (b.id ?? b.time)).slice(-JOURNAL_KEEP);
    const maxId = journal.entries.reduce((m, e) => (e.id !== undefined && e.id > m ? e.id : m), -1);
    journal.next = data.next !== undefined && data.next !== null ? data.next : (maxId >= 0 ? maxId : null);
    journal.total = data.total ?? journal.entries.length;
    journal.enabled = data.enabled !== false;
    more = !!data.more;
  }
  const last = journal.entries[journal.entries.length - 1];
  const signature = `${journal.entries.length}|${last ? entryKey(last) : ''}`;
  const changed = signature !== journal.signature;
  journal.signature = signature;
  const badge = document.getElementById('journal-count');
  if (badge) badge.textContent = journal.total ? String(journal.total) : '';
  return { changed, more };
}

function matchesStatus(entry, filter) {
  if (!filter || filter === 'all') return true;
  if (/^\dxx$/.test(filter)) return String(entry.status)[0] === filter[0];
  return String(entry.status) === filter;
}

function journalRow(e) {
  const when = new Date((e.time || 0) * 1000);
  const time = Number.isNaN(when.getTime()) ? '' : when.toLocaleTimeString();
  const violations = e.violations || [];
  const details = [];
  if (violations.length) {
    details.push(h('ul', { class: 'violations' }, violations.map((v) => h('li', null, h('code', null, v.in || ''), ' ', violationText(v)))));
  }
  for (const [label, part] of [['Request', e.request], ['Response', e.response]]) {
    if (!part) continue;
    const headers = Array.isArray(part.headers) ? part.headers.map((p) => (Array.isArray(p) ? `${p[0]}: ${p[1]}` : JSON.stringify(p)))
      : Object.entries(part.headers || {}).map(([k, v]) => `${k}: ${v}`);
    let body = part.body;
    if (typeof body === 'string') {
      try { body = pretty(JSON.parse(body)); } catch (_) { /* as sent */ }
    } else if (body !== undefined && body !== null) {
      body = pretty(body);
    }
    const text = [...headers, '', body || ''].join('\n') + (part.bodyTruncated ? '\n… (truncated)' : '');
    details.push(h('h4', null, label), h('pre', { class: 'code', tabindex: 0 }, text));
  }
  const summary = h('summary', null,
    h('span', { class: 'time' }, time), ' ',
    methodBadge(e.method), ' ',
    h('code', { class: 'path' }, e.path), ' ',
    h('span', { class: `status ${statusClass(e.status)}`, dataset: { status: e.status } }, String(e.status)), ' ',
    e.operationId ? h('span', { class: 'op' }, e.operationId) : null, ' ',
    violations.length ? h('span', { class: 'fact warn' }, `${violations.length} violation(s)`) : null, ' ',
    h('span', { class: 'ms' }, `${Number(e.durationMs || 0).toFixed(1)} ms`));
  const open = e.operationId
    ? h('p', null, h('a', { href: `#/op/${encodeSegment(e.operationId)}` }, `Open ${e.operationId}`))
    : null;
  return h('li', { class: 'entry', dataset: { status: e.status } },
    details.length || open ? h('details', null, summary, open, ...details) : h('div', { class: 'entry-line' }, [...summary.childNodes]));
}

function renderJournalList() {
  const v = journal.view;
  if (!v) return;
  const filter = v.select.value;
  const text = v.search.value.trim().toLowerCase();
  const statuses = [...new Set(journal.entries.map((e) => String(e.status)))].sort();
  const current = [...v.select.options].slice(5).map((o) => o.value).join(',');
  if (current !== statuses.join(',')) {
    const keep = v.select.value;
    [...v.select.options].slice(5).forEach((o) => o.remove());
    statuses.forEach((s) => v.select.append(h('option', { value: s }, s)));
    v.select.value = keep;
  }
  const shown = journal.entries.filter((e) => matchesStatus(e, filter)
    && (!text || `${e.method} ${e.path} ${e.operationId || ''}`.toLowerCase().includes(text)));
  const newest = shown.slice(-JOURNAL_SHOWN).reverse();
  fill(v.list, newest.map(journalRow));
  fill(v.count, `${shown.length} of ${journal.entries.length} request(s) shown`,
    journal.enabled ? '' : ' · the journal is turned off');
  if (!newest.length) v.list.append(h('li', { class: 'hint' }, 'No requests yet. "Try it" on an operation, or call the mock.'));
}

async function journalTick() {
  clearTimeout(journal.timer);
  if (!journal.view) return;
  let delay = 1000;
  try {
    const { changed, more } = await pollJournal();
    if (changed) renderJournalList();
    if (more) delay = 0;
  } catch (err) {
    fill(journal.view.count, `Could not read the journal: ${err.message}`);
    delay = 3000;
  }
  if (journal.view) journal.timer = setTimeout(journalTick, document.hidden ? 5000 : delay);
}

/** Shows the journal in `view` and polls it while it stays there. */
function renderJournal(view) {
  const select = h('select', { id: 'journal-status' },
    h('option', { value: 'all' }, 'all'), h('option', { value: '2xx' }, '2xx'),
    h('option', { value: '3xx' }, '3xx'), h('option', { value: '4xx' }, '4xx'),
    h('option', { value: '5xx' }, '5xx'));
  const search = h('input', { id: 'journal-filter', type: 'search', placeholder: 'method, path or operationId', autocomplete: 'off' });
  const list = h('ol', { class: 'journal', id: 'journal-list', 'aria-label': 'Requests, newest first' });
  const count = h('p', { class: 'hint', role: 'status' });
  const clear = h('button', { type: 'button', onclick: async () => {
    await adminFetch(JOURNAL_URL, { method: 'DELETE' });
    journal.entries = [];
    journal.total = 0;
    renderJournalList();
  } }, 'Clear the journal');
  const titleId = nextId('journal');
  fill(view, h('section', { class: 'journal-view', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, 'Request journal'),
    h('p', { class: 'hint' }, 'The requests this mock answered, newest first; refreshed every second.'),
    h('div', { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: select.id }, 'Status'), select),
      h('div', { class: 'field' }, h('label', { for: search.id }, 'Filter'), search),
      clear),
    count, list));
  journal.view = { select, search, list, count };
  select.addEventListener('change', renderJournalList);
  search.addEventListener('input', debounce(renderJournalList, 100));
  renderJournalList();
  journalTick();
}

/** Stops polling (the journal left the screen). */
function leaveJournal() {
  journal.view = null;
  clearTimeout(journal.timer);
}
