// operation.js: one operation's page (summary, parameters, request body, responses per
// status, the documented sample, "try it") and one named type's page.

const opDocs = new Map();

/** The detail document of an operation (fetched once). */
function loadOperation(id) {
  if (!opDocs.has(id)) {
    const promise = getJSON(`operations/${encodeSegment(id)}.json`);
    promise.catch(() => opDocs.delete(id));
    opDocs.set(id, promise);
  }
  return opDocs.get(id);
}

function section(title, ...children) {
  const id = nextId('sec');
  return h('section', { 'aria-labelledby': id }, h('h3', { id }, title), ...children);
}

function paramTable(caption, rows) {
  const table = h('table', { class: 'params' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'In'),
      h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Description'))));
  const tbody = h('tbody');
  for (const [where, p] of rows) {
    tbody.append(h('tr', { dataset: { param: p.name } },
      h('th', { scope: 'row' }, h('code', null, p.name),
        p.required ? h('span', { class: 'fact required' }, 'required') : null),
      h('td', null, where),
      h('td', null, typeLabel(p.schema), ' ', facts(p.schema)),
      h('td', null, paragraphs(p.description), longFacts(p.schema))));
  }
  table.append(tbody);
  return table;
}

function reasonOf(status, description) {
  return description ? `${status} ${description}` : String(status);
}

function responsesSection(op) {
  const list = h('div', { class: 'responses' });
  const statuses = Object.keys(op.responses || {}).sort();
  for (const status of statuses) {
    const response = op.responses[status];
    const body = h('div', { class: 'response-body' });
    const open = Number(status) === op.successStatus;
    const details = h('details', { class: 'response', open, dataset: { status } },
      h('summary', null, h('span', { class: `status ${statusClass(status)}` }, status), ' ',
        response.description || ''),
      body);
    const render = () => {
      if (details.open && !body.dataset.done) {
        body.dataset.done = '1';
        body.append(schemaBlock(response.schema));
      }
    };
    details.addEventListener('toggle', render);
    render();
    list.append(details);
  }
  return section('Responses', list);
}

function sampleSection(example) {
  if (!example || (!example.request && !example.response)) return null;
  const parts = [];
  const req = example.request;
  if (req) {
    const lines = [`${req.method} ${req.path}`, ...(req.headers || []).map(([k, v]) => `${k}: ${v}`)];
    if (req.body !== undefined) lines.push('', pretty(req.body));
    parts.push(h('h4', null, 'Request'), h('pre', { class: 'code', tabindex: 0 }, lines.join('\n')));
  }
  const res = example.response;
  if (res) {
    const lines = [`${res.status} ${res.reason || ''}`, ...(res.headers || []).map(([k, v]) => `${k}: ${v}`)];
    if (res.body !== undefined) lines.push('', pretty(res.body));
    parts.push(h('h4', null, 'Response'), h('pre', { class: 'code', tabindex: 0 }, lines.join('\n')));
  }
  return h('details', { class: 'sample' }, h('summary', null, 'Documented sample'), ...parts);
}

/** Renders an operation's page into `view`. */
function renderOperation(doc, view) {
  const op = doc.operation;
  // Request headers come as positions in the index's table.
  op.headerParameters = (op.headerParameters || [])
    .map((p) => (typeof p === 'number' ? (app.index.headers || [])[p] : p)).filter(Boolean);
  const titleId = nextId('op');
  const article = h('article', { class: 'operation', 'aria-labelledby': titleId, dataset: { operation: op.operationId } });
  article.append(h('header', null,
    h('p', { class: 'crumbs' }, doc.group ? doc.group.label : ''),
    h('h2', { id: titleId }, methodBadge(op.method), ' ', h('code', { class: 'path' }, op.path)),
    h('p', { class: 'meta' }, h('code', null, op.operationId), op.source ? ` · ${op.source}` : '')));
  article.append(...paragraphs(op.summary, 'summary'));
  if (op.onlineRestricted) article.append(h('p', { class: 'note' }, h('strong', null, 'Online restricted: '), op.onlineRestricted));
  if (op.slowThresholdMs) {
    article.append(h('p', { class: 'note' }, `NsApiSlow threshold ${op.slowThresholdMs} ms (Prefer: slow=true waits past it).`));
  }

  const rows = [
    ...(op.pathParameters || []).map((p) => ['path', p]),
    ...(op.queryParameters || []).map((p) => ['query', p]),
  ];
  const params = rows.length ? paramTable('Path and query parameters', rows) : h('p', { class: 'hint' }, 'None.');
  const headers = (op.headerParameters || []).length
    ? h('details', { class: 'headers' },
      h('summary', null, `Documented request headers (${op.headerParameters.length})`),
      paramTable('Request headers', op.headerParameters.map((p) => ['header', p])))
    : null;
  article.append(section('Parameters', params, headers));

  if (op.requestBody) {
    const body = op.requestBody;
    article.append(section('Request body',
      h('p', { class: 'meta' }, h('code', null, body.name), ' ', body.required ? h('span', { class: 'fact required' }, 'required') : 'optional',
        ` · ${(body.contentTypes || []).join(', ')}`),
      paragraphs(body.description),
      schemaBlock(body.schema)));
  }
  article.append(responsesSection(op));
  if ((op.accept || []).length) {
    article.append(h('p', { class: 'meta' }, `Answers in: ${op.accept.join(', ')}`));
  }
  const sample = sampleSection(op.example);
  if (sample) article.append(sample);
  article.append(tryItSection(doc));
  fill(view, article);
}

/** Renders a named type's page into `view`. */
function renderType(doc, view) {
  const titleId = nextId('type');
  const schema = doc.schema || {};
  const origin = schema['x-mockdown-origin'];
  const links = (names, to) => names.map((n, i) => [i ? ', ' : '', to(n)]);
  const opIdLink = (id) => h('a', { href: `#/op/${encodeSegment(id)}` }, id);
  const article = h('article', { class: 'type-page', 'aria-labelledby': titleId },
    h('header', null,
      h('p', { class: 'crumbs' }, 'Named type'),
      h('h2', { id: titleId }, doc.name),
      h('p', { class: 'meta' }, typeLabel(schema), ' ', facts(schema),
        origin ? ` · described by ${origin.tables} table(s) and ${origin.samples} sample(s)` : '')),
    ...paragraphs(schema.description),
    section('Properties', propertyTree(schema)));
  if ((doc.refers || []).length) article.append(section('Refers to', h('p', null, links(doc.refers, typeLink))));
  if ((doc.referencedBy || []).length) article.append(section('Referenced by types', h('p', null, links(doc.referencedBy, typeLink))));
  const used = doc.usedBy || [];
  const usedBox = h('p', { class: 'used-by' });
  const showUsed = (all) => {
    const shown = all ? used : used.slice(0, 40);
    fill(usedBox, links(shown, opIdLink));
    if (shown.length < used.length) {
      usedBox.append(' ', h('button', { type: 'button', class: 'link', onclick: () => showUsed(true) },
        `show all ${used.length}`));
    }
  };
  showUsed(false);
  article.append(section(`Used by ${used.length} operation(s)`, used.length ? usedBox : h('p', { class: 'hint' }, 'No operation refers to it directly.')));
  fill(view, article);
}
