// util.js: DOM building, the data fetches (with the admin token), small formatters.
// Every text from the contract goes through textContent: nothing is parsed as HTML.

const FILES = '/__mockdown/explorer/';
const TOKEN_KEY = 'mockdown.adminToken';

/** Creates an element: h('a', {href: '#', class: 'x', onclick: f}, 'text', child...). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the children of `el`. */
function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let uid = 0;
/** A fresh id for label/aria wiring. */
function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

function setStatus(text) {
  const status = document.getElementById('status');
  if (status) status.textContent = text;
}

// ---- the admin token --------------------------------------------------------------

function adminToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (_) { return ''; }
}

let tokenPrompt = null;

/** Asks for the admin token once (shared by every fetch that was refused). */
function askToken(message) {
  if (tokenPrompt) return tokenPrompt;
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const error = document.getElementById('token-error');
  error.hidden = !message;
  error.textContent = message || '';
  tokenPrompt = new Promise((resolve) => {
    const submit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch (_) { /* private mode */ }
      form.removeEventListener('submit', submit);
      dialog.close();
      tokenPrompt = null;
      resolve(token);
    };
    form.addEventListener('submit', submit);
  });
  input.value = '';
  if (!dialog.open) dialog.showModal();
  input.focus();
  return tokenPrompt;
}

/**
 * Fetches one of the mock's admin data routes with the token (when one is kept); on
 * 401 asks for the token and tries again. A 403 (the Host is not one the admin routes
 * answer: see --admin-host) is returned as is: no token would help.
 */
async function adminFetch(url, init = {}) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const headers = new Headers(init.headers || {});
    const token = adminToken();
    if (token) headers.set('X-Mockdown-Admin-Token', token);
    const response = await fetch(url, { ...init, headers, cache: 'no-cache' });
    if (response.status !== 401) return response;
    await askToken(token ? 'That token was refused. Try again.' : '');
  }
  throw new Error('the admin token was refused');
}

/** An explorer document, parsed. */
async function getJSON(path) {
  const response = await adminFetch(FILES + path);
  if (!response.ok) {
    // The mock's error shape says why (a refused Host names --admin-host).
    const why = await response.json().then((e) => e.ErrorMessage, () => '');
    throw new Error(`${response.status} for ${path}${why ? `: ${why}` : ''}`);
  }
  return response.json();
}

// ---- formatting ---------------------------------------------------------------------

function methodBadge(method) {
  const m = String(method || '').toUpperCase();
  return h('span', { class: `method m-${m.toLowerCase()}` }, m);
}

function statusClass(status) {
  const n = Number(status);
  if (n >= 500) return 's5';
  if (n >= 400) return 's4';
  if (n >= 300) return 's3';
  return 's2';
}

/** Paragraphs of a description (blank lines split them). */
function paragraphs(text, cls) {
  if (!text) return [];
  return String(text).split(/\n\s*\n/).map((p) => h('p', { class: cls || 'desc' }, p.trim()));
}

function pretty(value) {
  return JSON.stringify(value, null, 2);
}

function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function encodeSegment(text) {
  return encodeURIComponent(text);
}

/** Moves focus to the new view's heading (for keyboard and screen-reader users). */
function focusHeading(root) {
  const heading = root.querySelector('h2');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}
