// tryit.js: "Try it": the documented sample request, prefilled and editable, sent to the
// mock itself (same origin); the answer with status, headers and timing, and a 400's
// violations shown beside the fields they point at.

/** JSON pointer segment escaping. */
function pointerSegment(key) {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Pretty JSON, one entry per line, each with the pointer of the value it belongs to. */
function layoutJSON(value) {
  const lines = [];
  const walk = (v, ptr, depth, prefix, last) => {
    const pad = '  '.repeat(depth);
    const comma = last ? '' : ',';
    const container = v !== null && typeof v === 'object';
    const entries = container ? (Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v)) : [];
    if (!container || entries.length === 0) {
      const text = container ? (Array.isArray(v) ? '[]' : '{}') : JSON.stringify(v);
      lines.push({ ptr, text: pad + prefix + text + comma });
      return;
    }
    const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
    lines.push({ ptr, text: pad + prefix + open });
    entries.forEach(([k, x], i) => {
      const key = Array.isArray(v) ? '' : `${JSON.stringify(k)}: `;
      walk(x, `${ptr}/${pointerSegment(k)}`, depth + 1, key, i === entries.length - 1);
    });
    lines.push({ ptr, text: pad + close + comma, closing: true });
  };
  walk(value, '', 0, '', true);
  return lines;
}

/** The sent body, one line per value, each violation on the line of the field it names. */
function annotatedBody(value, violations) {
  const lines = layoutJSON(value);
  const byLine = new Map();
  for (const v of violations) {
    let ptr = v.pointer || '';
    let at = -1;
    for (;;) {
      at = lines.findIndex((l) => l.ptr === ptr && !l.closing);
      if (at >= 0 || ptr === '') break;
      ptr = ptr.slice(0, ptr.lastIndexOf('/'));
    }
    if (at < 0) at = 0;
    if (!byLine.has(at)) byLine.set(at, []);
    byLine.get(at).push(v);
  }
  const list = h('ol', { class: 'annotated', 'aria-label': 'The body sent, with the violations beside their fields' });
  lines.forEach((line, i) => {
    const found = byLine.get(i);
    const li = h('li', { dataset: { pointer: line.ptr }, class: found ? 'bad' : null }, h('code', null, line.text));
    for (const v of found || []) li.append(' ', violationNote(v));
    list.append(li);
  });
  return list;
}

function violationText(v) {
  const where = v.pointer ? `${v.pointer}: ` : '';
  return `${where}expected ${v.expected}, found ${v.found}${v.keyword ? ` [${v.keyword}]` : ''}`;
}

function violationNote(v) {
  return h('span', { class: 'violation', role: 'note', dataset: { pointer: v.pointer || '' } }, violationText(v));
}

/** "Name: value" lines → pairs. */
function parseHeaderLines(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const at = l.indexOf(':');
    return at > 0 ? [l.slice(0, at).trim(), l.slice(at + 1).trim()] : null;
  }).filter(Boolean);
}

function field(label, control, note) {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, note);
}

function noteSlot(control) {
  const slot = h('div', { class: 'notes', id: `${control.id}-notes`, 'aria-live': 'polite' });
  control.setAttribute('aria-describedby', slot.id);
  return slot;
}

/** The "try it" form of an operation. */
function tryItSection(doc) {
  const op = doc.operation;
  const t = doc.tryIt;
  const sample = (op.example && op.example.request) || {};
  const sentHeaders = [...(sample.headers || []), ...(t.extraHeaders || [])];
  const sampleBody = sample.body;
  const titleId = nextId('try');
  const pathInput = h('input', { id: nextId('try-path'), type: 'text', value: t.path, spellcheck: 'false', class: 'wide' });
  const pathNotes = noteSlot(pathInput);
  const queryInputs = t.query.map(([name, value]) => {
    const param = (op.queryParameters || []).find((p) => p.name.toLowerCase() === name.toLowerCase());
    const input = h('input', { id: nextId('try-q'), type: 'text', value, spellcheck: 'false', dataset: { param: name } });
    return { name, input, notes: noteSlot(input), required: param && param.required };
  });
  const headerText = sentHeaders.map(([k, v]) => `${k}: ${v}`).join('\n');
  const headersInput = h('textarea', { id: nextId('try-headers'), rows: Math.min(Math.max(sentHeaders.length + 1, 3), 8), spellcheck: 'false', class: 'code' });
  headersInput.value = headerText;
  const headerNotes = noteSlot(headersInput);
  const hasBody = !['GET', 'HEAD'].includes(t.method);
  const bodyInput = h('textarea', { id: nextId('try-body'), rows: 14, spellcheck: 'false', class: 'code', 'data-role': 'body' });
  bodyInput.value = sampleBody !== undefined ? pretty(sampleBody) : '';
  const bodyNotes = noteSlot(bodyInput);
  const prefer = h('select', { id: nextId('try-prefer') },
    h('option', { value: 'dynamic=true' }, 'dynamic (generated, the default)'),
    h('option', { value: 'example=true' }, 'example (the documented sample)'),
    (doc.statuses || []).map((s) => h('option', { value: `code=${s}` }, `code=${s}`)));
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const reset = h('button', { type: 'button', onclick: () => {
    pathInput.value = t.path;
    queryInputs.forEach((q, i) => { q.input.value = t.query[i][1]; });
    headersInput.value = headerText;
    bodyInput.value = sampleBody !== undefined ? pretty(sampleBody) : '';
    prefer.value = 'dynamic=true';
    clearNotes();
    fill(result);
  } }, 'Reset to the sample');
  const form = h('form', { class: 'tryit', 'aria-labelledby': titleId, novalidate: true },
    h('h3', { id: titleId }, 'Try it'),
    h('p', { class: 'hint' }, t.documented
      ? 'The documented sample request, ready to edit. It is sent to this mock.'
      : 'No documented sample: a request built from the path template.'),
    h('p', { class: 'line' }, methodBadge(t.method), ' ', h('span', { class: 'hint' }, 'to this mock')),
    field('Path', pathInput, pathNotes),
    queryInputs.length ? h('fieldset', null, h('legend', null, 'Query parameters (empty ones are left out)'),
      queryInputs.map((q) => field(q.required ? `${q.name} (required)` : q.name, q.input, q.notes))) : null,
    field('Headers (one "Name: value" per line)', headersInput, headerNotes),
    hasBody ? field('Body', bodyInput, bodyNotes) : null,
    field('Prefer', prefer, null),
    h('div', { class: 'buttons' }, send, reset),
    result);

  const allNotes = [pathNotes, headerNotes, bodyNotes, ...queryInputs.map((q) => q.notes)];
  const clearNotes = () => {
    allNotes.forEach((n) => fill(n));
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearNotes();
    const url = new URL(pathInput.value.trim() || '/', window.location.origin);
    for (const q of queryInputs) {
      if (q.input.value !== '') url.searchParams.set(q.name, q.input.value);
    }
    const headers = new Headers();
    for (const [k, v] of parseHeaderLines(headersInput.value)) {
      try { headers.append(k, v); } catch (_) { /* a header the browser will not send */ }
    }
    headers.delete('Prefer');
    if (prefer.value) headers.set('Prefer', prefer.value);
    const init = { method: t.method, headers };
    if (hasBody && bodyInput.value.trim() !== '') init.body = bodyInput.value;
    send.disabled = true;
    fill(result, h('p', { class: 'hint' }, 'Sending…'));
    const started = performance.now();
    try {
      const response = await fetch(url.pathname + url.search, init);
      const type = response.headers.get('content-type') || '';
      const payload = type.startsWith('image/') ? await response.blob() : await response.text();
      const ms = performance.now() - started;
      showAnswer(response, payload, ms, url);
    } catch (err) {
      fill(result, h('p', { class: 'violation', role: 'alert' }, `The request failed: ${err.message}`));
    } finally {
      send.disabled = false;
    }
  });

  function showAnswer(response, payload, ms, url) {
    const type = response.headers.get('content-type') || '';
    const headerRows = [...response.headers.entries()].map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, v)));
    let bodyView;
    let parsed = null;
    if (payload instanceof Blob) {
      bodyView = h('img', { src: URL.createObjectURL(payload), alt: `image answered (${type})`, class: 'answer-image' });
    } else {
      try { parsed = JSON.parse(payload); } catch (_) { parsed = null; }
      bodyView = h('pre', { class: 'code', tabindex: 0 }, parsed !== null ? pretty(parsed) : payload || '(empty)');
    }
    const status = response.status;
    const violations = (parsed && Array.isArray(parsed.Violations)) ? parsed.Violations : [];
    fill(result,
      h('h4', { class: 'answer-head' }, h('span', { class: `status ${statusClass(status)}`, dataset: { status } }, `${status} ${response.statusText || ''}`.trim()),
        ` · ${ms.toFixed(1)} ms · ${t.method} ${url.pathname}${url.search}`),
      violations.length ? h('div', { class: 'violations' },
        h('p', null, h('strong', null, `${violations.length} violation(s)`), ', shown beside the fields they point at:'),
        h('ul', null, violations.map((v) => h('li', null, h('code', null, v.in || ''), ' ', violationText(v))))) : null,
      h('details', { class: 'answer-headers' }, h('summary', null, `Headers (${headerRows.length})`),
        h('table', { class: 'params' }, h('caption', { class: 'sr-only' }, 'Response headers'), h('tbody', null, headerRows))),
      h('h5', null, 'Body'),
      bodyView);
    if (violations.length) placeViolations(violations);
  }

  function placeViolations(violations) {
    const body = [];
    for (const v of violations) {
      const where = (v.in || '').toLowerCase();
      if (where === 'body') { body.push(v); continue; }
      let target = null;
      let notes = null;
      if (where === 'query') {
        const q = queryInputs.find((x) => x.name.toLowerCase() === String(v.pointer).toLowerCase());
        if (q) { target = q.input; notes = q.notes; }
      } else if (where === 'header') {
        target = headersInput; notes = headerNotes;
      }
      if (!target) { target = pathInput; notes = pathNotes; }
      target.setAttribute('aria-invalid', 'true');
      notes.append(h('p', null, violationNote(v)));
    }
    if (!body.length || !hasBody) return;
    bodyInput.setAttribute('aria-invalid', 'true');
    let sent;
    try { sent = JSON.parse(bodyInput.value); } catch (_) { sent = undefined; }
    if (sent === undefined) {
      body.forEach((v) => bodyNotes.append(h('p', null, violationNote(v))));
    } else {
      bodyNotes.append(h('p', { class: 'hint' }, 'The body sent, with each violation beside its field:'), annotatedBody(sent, body));
    }
  }

  return form;
}
