// core.js: start-up (the index first, details on demand), the sidebar of groups (each
// group's operations rendered when it is opened), the search, and the hash router.

const app = {
  index: null,
  hay: [],          // per operation: "id path title" in lower case
  members: [],      // per group: operation positions
  linksById: new Map(),
};

const RESULTS_SHOWN = 100;

function opLabel(op) {
  const path = op.path.replace(/^\/api\/v\d+\//i, '');
  const agent = /^Agents\/[^/]+\/(.+)$/i.exec(path);
  return agent ? agent[1] : path;
}

function opLink(pos, extra) {
  const op = app.index.operations[pos];
  return h('a', { href: `#/op/${encodeSegment(op.id)}`, class: 'op-link', dataset: { op: op.id } },
    methodBadge(op.method), ' ', h('span', { class: 'op-path' }, opLabel(op)),
    op.summary ? h('span', { class: 'op-summary' }, op.summary) : null,
    extra ? h('span', { class: 'op-match' }, extra) : null);
}

function prepareIndex() {
  const { operations, groups } = app.index;
  app.members = groups.map(() => []);
  app.positions = new Map(operations.map((op, i) => [op.id, i]));
  app.hay = operations.map((op, i) => {
    if (app.members[op.group]) app.members[op.group].push(i);
    return `${op.id} ${op.path} ${op.title || ''}`.toLowerCase();
  });
  for (const list of app.members) {
    list.sort((a, b) => opLabel(operations[a]).localeCompare(opLabel(operations[b])) || operations[a].method.localeCompare(operations[b].method));
  }
}

function renderGroup(details, g) {
  const ul = h('ul', { class: 'ops' });
  for (const pos of app.members[g]) ul.append(h('li', null, opLink(pos)));
  details.append(ul);
}

function renderSidebar() {
  const { groups } = app.index;
  const box = document.getElementById('groups');
  const fragment = document.createDocumentFragment();
  for (const [kind, title] of [['agent', 'Agents'], ['rest', 'REST entities']]) {
    const items = groups.map((g, i) => [g, i]).filter(([g]) => g.kind === kind);
    if (!items.length) continue;
    const headingId = nextId('kind');
    const list = h('ul', { class: 'groups', 'aria-labelledby': headingId });
    for (const [g, i] of items) {
      const details = h('details', { class: 'group', dataset: { group: g.key } },
        h('summary', null, g.label, ' ', h('span', { class: 'count', 'aria-label': `${app.members[i].length} operations` }, String(app.members[i].length))));
      details.addEventListener('toggle', () => {
        if (details.open && !details.dataset.done) {
          details.dataset.done = '1';
          renderGroup(details, i);
        }
      });
      list.append(h('li', null, details));
    }
    fragment.append(h('h2', { id: headingId, class: 'kind' }, `${title} (${items.length})`), list);
  }
  fill(box, fragment);
}

// ---- search -------------------------------------------------------------------------

/** Positions of the operations matching every term, best first, with what matched. */
function search(query) {
  const { operations, props, types } = app.index;
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const perTerm = terms.map((term) => {
    const propHits = new Set();
    props.forEach((p, i) => { if (p.toLowerCase().includes(term)) propHits.add(i); });
    const typeHits = new Set();
    types.forEach((t, i) => {
      if (t.name.toLowerCase().includes(term) || (t.props || []).some((p) => propHits.has(p))) typeHits.add(i);
    });
    return { term, propHits, typeHits };
  });
  const results = [];
  operations.forEach((op, i) => {
    let score = 0;
    let why = '';
    for (const { term, propHits, typeHits } of perTerm) {
      if (app.hay[i].includes(term)) {
        score += op.id.toLowerCase() === term || op.path.toLowerCase().endsWith(term) ? 4 : 3;
        continue;
      }
      const prop = (op.props || []).find((p) => propHits.has(p));
      if (prop !== undefined) { score += 2; why = why || `property ${props[prop]}`; continue; }
      const type = (op.types || []).find((t) => typeHits.has(t));
      if (type !== undefined) { score += 1; why = why || `type ${types[type].name}`; continue; }
      return;
    }
    results.push({ pos: i, score, why });
  });
  results.sort((a, b) => b.score - a.score || a.pos - b.pos);
  const matchedTypes = [];
  types.forEach((t, i) => {
    if (terms.every((term) => t.name.toLowerCase().includes(term))) matchedTypes.push(i);
  });
  return { results, matchedTypes };
}

function renderSearch() {
  const input = document.getElementById('search');
  const box = document.getElementById('results');
  const groups = document.getElementById('groups');
  const query = input.value.trim();
  if (!query || !app.index) {
    box.hidden = true;
    groups.hidden = false;
    fill(box);
    return;
  }
  const { results, matchedTypes } = search(query);
  const list = h('ul', { class: 'ops results', id: 'results-list', 'aria-label': 'Matching operations' });
  for (const r of results.slice(0, RESULTS_SHOWN)) list.append(h('li', null, opLink(r.pos, r.why)));
  const summary = `${results.length} operation(s)${results.length > RESULTS_SHOWN ? `, first ${RESULTS_SHOWN} shown` : ''}`;
  fill(box, h('h2', { class: 'kind', role: 'status' }, summary), list);
  if (matchedTypes.length) {
    box.append(h('h2', { class: 'kind' }, `Types (${matchedTypes.length})`),
      h('ul', { class: 'ops' }, matchedTypes.slice(0, 30).map((t) => h('li', null, typeLink(app.index.types[t].name)))));
  }
  box.hidden = false;
  groups.hidden = true;
  markCurrent();
}

function bindSearch() {
  const input = document.getElementById('search');
  const form = document.getElementById('search-form');
  input.addEventListener('input', debounce(renderSearch, 60));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    renderSearch();
    const first = document.querySelector('#results a');
    if (first) first.click();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      const first = document.querySelector('#results a');
      if (first) { event.preventDefault(); first.focus(); }
    } else if (event.key === 'Escape') {
      input.value = '';
      renderSearch();
    }
  });
  document.getElementById('sidebar').addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const links = [...document.querySelectorAll('#sidebar a:not([hidden])')].filter((a) => a.offsetParent !== null);
    const at = links.indexOf(document.activeElement);
    if (at < 0) return;
    event.preventDefault();
    const next = event.key === 'ArrowDown' ? at + 1 : at - 1;
    if (next < 0) input.focus();
    else if (links[next]) links[next].focus();
  });
}

// ---- views --------------------------------------------------------------------------

function markCurrent() {
  const hash = window.location.hash || '#/';
  document.querySelectorAll('#sidebar a[aria-current], header a[aria-current]').forEach((a) => a.removeAttribute('aria-current'));
  document.querySelectorAll('#sidebar a.op-link').forEach((a) => {
    if (a.getAttribute('href') === hash) a.setAttribute('aria-current', 'page');
  });
  const nav = hash.startsWith('#/journal') ? 'journal' : hash.startsWith('#/type') ? 'types' : 'home';
  const link = document.querySelector(`header a[data-nav="${nav}"]`);
  if (link) link.setAttribute('aria-current', 'page');
}

/** Opens (and renders) the sidebar group of an operation. */
function openGroupOf(id) {
  const pos = app.positions.get(id);
  if (pos === undefined) return;
  const key = app.index.groups[app.index.operations[pos].group].key;
  const details = document.querySelector(`#groups details[data-group="${CSS.escape(key)}"]`);
  if (details && !details.open) {
    details.open = true;
    if (!details.dataset.done) {
      details.dataset.done = '1';
      renderGroup(details, app.index.operations[pos].group);
    }
  }
}

function count(n, one, many) {
  return `${n} ${n === 1 ? one : (many || `${one}s`)}`;
}

function renderHome(view) {
  const { operations, groups, types } = app.index;
  const agents = groups.filter((g) => g.kind === 'agent').length;
  fill(view, h('section', { 'aria-labelledby': 'home-title' },
    h('h2', { id: 'home-title' }, 'What this mock serves'),
    h('p', null, `${count(operations.length, 'operation')} in ${count(agents, 'agent')} and ${count(groups.length - agents, 'REST entity', 'REST entities')}, ${count(types.length, 'named type')}.`),
    h('p', null, 'Pick an operation on the left (its group opens on click), or search by path, operationId, title or property name. Each operation page has a "Try it" form that sends the documented sample to this mock.'),
    h('p', null, 'The ', h('a', { href: '#/journal' }, 'journal'), ' shows the requests the mock answered.')));
}

function renderTypes(view) {
  const filter = h('input', { id: 'types-filter', type: 'search', autocomplete: 'off', placeholder: 'type name' });
  const list = h('ul', { class: 'type-list' });
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    fill(list, app.index.types.filter((t) => !q || t.name.toLowerCase().includes(q))
      .map((t) => h('li', null, typeLink(t.name), h('span', { class: 'hint' }, ` used by ${t.uses} operation(s)`))));
  };
  filter.addEventListener('input', debounce(draw, 60));
  fill(view, h('section', { 'aria-labelledby': 'types-title' },
    h('h2', { id: 'types-title' }, `Named types (${app.index.types.length})`),
    h('div', { class: 'field' }, h('label', { for: filter.id }, 'Filter'), filter), list));
  draw();
}

async function route() {
  if (!app.index) return;
  const view = document.getElementById('view');
  const hash = decodeURIComponent((window.location.hash || '#/').slice(1));
  leaveJournal();
  markCurrent();
  try {
    if (hash.startsWith('/op/')) {
      const id = hash.slice(4);
      fill(view, h('p', { class: 'hint' }, `Loading ${id}…`));
      const doc = await loadOperation(id);
      renderOperation(doc, view);
      document.title = `${id} · mockdown explorer`;
      openGroupOf(id);
      markCurrent();
      const link = document.querySelector(`#groups a[data-op="${CSS.escape(id)}"]`);
      if (link) link.scrollIntoView({ block: 'nearest' });
      view.dataset.rendered = id;
    } else if (hash.startsWith('/type/')) {
      const name = hash.slice(6);
      fill(view, h('p', { class: 'hint' }, `Loading ${name}…`));
      renderType(await loadType(name), view);
      document.title = `${name} · mockdown explorer`;
    } else if (hash === '/types') {
      renderTypes(view);
      document.title = 'Types · mockdown explorer';
    } else if (hash === '/journal') {
      renderJournal(view);
      document.title = 'Journal · mockdown explorer';
    } else {
      renderHome(view);
      document.title = 'mockdown explorer';
    }
    if (app.navigated) focusHeading(view);
  } catch (err) {
    fill(view, h('h2', null, 'Not found'), h('p', { class: 'violation' }, err.message));
  }
  app.navigated = true;
}

/**
 * Follows the mock's contract (`serve --watch` swaps in a new build when the docs change):
 * the index is asked for again every two seconds (ten while the tab is hidden), answered
 * 304 while nothing changed. When it changed, the sidebar, the search results and the
 * open view follow, unless the user is typing in a form (their edits stay; the status
 * line says the docs changed).
 */
function followContract() {
  let etag = null;
  const tick = async () => {
    try {
      const response = await adminFetch(`${FILES}index.json`);
      const tag = response.ok ? response.headers.get('ETag') : null;
      if (tag && etag === null) {
        etag = tag;
      } else if (tag && tag !== etag) {
        etag = tag;
        app.index = await response.json();
        opDocs.clear();
        typeDocs.clear();
        prepareIndex();
        renderSidebar();
        if (document.getElementById('search').value) renderSearch();
        const { operations, groups, types } = app.index;
        setStatus(`The docs changed: ${operations.length} operations · ${groups.length} groups · ${types.length} types`);
        const typing = document.activeElement && document.activeElement.closest('form');
        if (!typing) {
          app.navigated = false;
          await route();
        }
      }
    } catch (_) {
      // The mock may be restarting: ask again at the next tick.
    }
    setTimeout(tick, document.hidden ? 10000 : 2000);
  };
  setTimeout(tick, 0);
}

async function start() {
  bindSearch();
  window.addEventListener('hashchange', route);
  try {
    app.index = await getJSON('index.json');
  } catch (err) {
    setStatus(`Could not load the index: ${err.message}`);
    fill(document.getElementById('groups'), h('p', { class: 'violation' }, `Could not load the index: ${err.message}`));
    return;
  }
  prepareIndex();
  renderSidebar();
  if (document.getElementById('search').value) renderSearch();
  performance.mark('mockdown:index-rendered');
  document.documentElement.dataset.ready = 'index';
  const { operations, groups, types } = app.index;
  setStatus(`${operations.length} operations · ${groups.length} groups · ${types.length} types`);
  app.navigated = false;
  await route();
  followContract();
}

start();
