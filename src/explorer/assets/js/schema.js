// schema.js: JSON Schemas as expandable trees. Each property shows its type, format,
// enum, nullability, description and where the fact came from (`x-mockdown-from`: table
// or sample); named types are links, and expand in place (fetched on first open).

const typeDocs = new Map();

/** The detail document of a named type (fetched once). */
function loadType(name) {
  if (!typeDocs.has(name)) {
    const promise = getJSON(`types/${encodeSegment(name)}.json`);
    promise.catch(() => typeDocs.delete(name));
    typeDocs.set(name, promise);
  }
  return typeDocs.get(name);
}

/** `../types/Associate.json` → `Associate`. */
function refName(ref) {
  const m = /([^/]+)\.json$/.exec(ref || '');
  return m ? decodeURIComponent(m[1]) : null;
}

function typeLink(name) {
  return h('a', { href: `#/type/${encodeSegment(name)}`, class: 'type-link' }, name);
}

function kinds(schema) {
  const t = schema && schema.type;
  if (Array.isArray(t)) return t;
  return t ? [t] : [];
}

/** Whether `null` is allowed. */
function nullable(schema) {
  return kinds(schema).includes('null');
}

/** A short label of what a schema holds: `integer`, `array of Associate`, `map of …`. */
function typeLabel(schema) {
  if (!schema || typeof schema !== 'object') return [h('span', { class: 'type' }, 'any')];
  const ref = refName(schema.$ref);
  if (ref) return [typeLink(ref)];
  if (schema.if && schema.then) {
    return [h('span', { class: 'type' }, 'JSON Patch list or merge-patch object')];
  }
  const main = kinds(schema).filter((k) => k !== 'null');
  if (main.includes('array')) {
    return [h('span', { class: 'type' }, 'array of '), ...typeLabel(schema.items || {})];
  }
  if (main.includes('object') && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    return [h('span', { class: 'type' }, 'map of '), ...typeLabel(schema.additionalProperties)];
  }
  if (main.length === 0) return [h('span', { class: 'type' }, kinds(schema).includes('null') ? 'null' : 'any')];
  return [h('span', { class: 'type' }, main.join(' | '))];
}

const DEFAULT_RANGES = {
  int32: [-2147483648, 2147483647],
  int64: [-9223372036854775808, 9223372036854775807],
};

/** The facts of one schema, as badges and short phrases. */
function facts(schema) {
  const out = [];
  if (!schema || typeof schema !== 'object') return out;
  if (schema.format) out.push(h('span', { class: 'fact format' }, schema.format));
  if (nullable(schema)) out.push(h('span', { class: 'fact nullable', title: 'null is allowed' }, 'nullable'));
  const range = DEFAULT_RANGES[schema.format];
  const custom = (k, i) => schema[k] !== undefined && !(range && Number(schema[k]) === range[i]);
  if (custom('minimum', 0)) out.push(h('span', { class: 'fact' }, `≥ ${schema.minimum}`));
  if (custom('maximum', 1)) out.push(h('span', { class: 'fact' }, `≤ ${schema.maximum}`));
  const from = schema['x-mockdown-from'];
  if (Array.isArray(from)) {
    for (const source of from) {
      out.push(h('span', {
        class: `fact from from-${source}`,
        title: source === 'table' ? 'a property table lists it' : 'a documented sample shows it',
      }, source));
    }
  }
  if (schema['x-mockdown-type-resolved']) {
    out.push(h('span', { class: 'fact warn', title: 'the page left the type cell empty; resolved from other pages' }, 'type resolved'));
  }
  return out;
}

/** Enum lines, table disagreements, examples: the longer facts, under the name. */
function longFacts(schema) {
  const out = [];
  if (!schema || typeof schema !== 'object') return out;
  if (Array.isArray(schema.enum)) {
    const complete = schema['x-mockdown-enum-complete'] !== false;
    out.push(h('p', { class: 'enum' }, h('strong', null, complete ? 'One of: ' : 'Values: '),
      schema.enum.map((v, i) => [i ? ', ' : '', h('code', null, String(v))])));
  }
  const seen = schema['x-mockdown-enum-seen'];
  if (Array.isArray(seen) && seen.length) {
    out.push(h('p', { class: 'enum seen' }, h('strong', { title: 'values the pages show; not a complete list, not validated' }, 'Seen: '),
      seen.map((v, i) => [i ? ', ' : '', h('code', null, String(v))])));
  }
  const tableTypes = schema['x-mockdown-table-types'];
  if (tableTypes) {
    out.push(h('p', { class: 'warn' }, 'Tables disagree: ', h('code', null, JSON.stringify(tableTypes))));
  }
  if (Array.isArray(schema.examples) && schema.examples.length) {
    const shown = schema.examples.slice(0, 3).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)).slice(0, 60));
    out.push(h('p', { class: 'examples' }, h('strong', null, 'Examples: '), shown.map((e, i) => [i ? ', ' : '', h('code', null, e)])));
  }
  return out;
}

/** Whether a property has something to expand. */
function expandable(schema) {
  if (!schema || typeof schema !== 'object') return false;
  if (schema.$ref || schema.properties || (schema.if && schema.then)) return true;
  if (schema.items && expandable(schema.items)) return true;
  return !!(schema.additionalProperties && expandable(schema.additionalProperties));
}

/** Renders the children of an expandable schema into `into` (on first open). */
function renderChildren(schema, into) {
  const ref = refName(schema.$ref);
  if (ref) {
    const waiting = h('p', { class: 'hint' }, `Loading ${ref}…`);
    fill(into, waiting);
    loadType(ref).then((doc) => {
      fill(into, typeSummary(doc), propertyTree(doc.schema));
    }).catch((err) => fill(into, h('p', { class: 'violation' }, `Could not load ${ref}: ${err.message}`)));
    return;
  }
  if (schema.properties) {
    fill(into, propertyTree(schema));
  } else if (schema.if && schema.then) {
    fill(into,
      h('p', { class: 'desc' }, 'When an array: JSON Patch operations, each:'),
      propertyTree((schema.then.items) || schema.then),
      h('p', { class: 'desc' }, 'Otherwise: a merge-patch object.'));
  } else if (schema.items) {
    fill(into, h('p', { class: 'desc' }, 'Each item:'), itemNode(schema.items));
  } else if (schema.additionalProperties) {
    fill(into, h('p', { class: 'desc' }, 'Each value:'), itemNode(schema.additionalProperties));
  }
}

function itemNode(schema) {
  if (schema.properties) return propertyTree(schema);
  const ul = h('ul', { class: 'tree' });
  ul.append(propertyNode('(item)', schema));
  return ul;
}

/** One line about a named type: how it was described, and a link to its page. */
function typeSummary(doc) {
  const origin = doc.schema && doc.schema['x-mockdown-origin'];
  return h('p', { class: 'type-summary' }, typeLink(doc.name),
    origin ? ` — described by ${origin.tables} table(s) and ${origin.samples} sample(s)` : '',
    nullable(doc.schema) ? ' · nullable' : '');
}

/** The properties of an object schema, as a list of nodes. */
function propertyTree(schema) {
  const props = (schema && schema.properties) || {};
  const names = Object.keys(props);
  const ul = h('ul', { class: 'tree' });
  if (!names.length) {
    ul.append(h('li', { class: 'hint' }, schema && schema.additionalProperties === false
      ? 'No properties.'
      : 'An open object: the pages describe no properties.'));
    return ul;
  }
  const required = new Set(schema.required || []);
  for (const name of names) ul.append(propertyNode(name, props[name], required.has(name)));
  return ul;
}

/** One property: a leaf, or a <details> whose children render when first opened. */
function propertyNode(name, schema, required) {
  const head = [
    h('code', { class: 'prop' }, name),
    required ? h('span', { class: 'fact required' }, 'required') : null,
    ' ',
    typeLabel(schema),
    ' ',
    facts(schema),
  ];
  const body = [...paragraphs(schema && schema.description), ...longFacts(schema)];
  const li = h('li', { dataset: { prop: name } });
  if (!expandable(schema)) {
    li.append(h('div', { class: 'leaf' }, head), ...body);
    return li;
  }
  const children = h('div', { class: 'children' });
  const details = h('details', null, h('summary', null, head), ...body, children);
  details.addEventListener('toggle', () => {
    if (details.open && !children.dataset.done) {
      children.dataset.done = '1';
      renderChildren(schema, children);
    }
  });
  li.append(details);
  return li;
}

/**
 * A whole schema at the top of a section (a body or a response): its label and facts,
 * then its properties (a named type's are fetched and shown open).
 */
function schemaBlock(schema) {
  const block = h('div', { class: 'schema' });
  if (!schema || (kinds(schema).length === 1 && kinds(schema)[0] === 'null' && !schema.$ref)) {
    block.append(h('p', { class: 'hint' }, 'No body.'));
    return block;
  }
  // A named type's line (link, origin) comes with its properties; others get one here.
  if (!refName(schema.$ref)) block.append(h('p', { class: 'schema-head' }, typeLabel(schema), ' ', facts(schema)));
  block.append(...paragraphs(schema.description), ...longFacts(schema));
  const children = h('div', { class: 'children' });
  block.append(children);
  const isArray = kinds(schema).includes('array') && schema.items;
  const target = isArray ? schema.items : schema;
  if (expandable(target)) renderChildren(target, children);
  return block;
}
