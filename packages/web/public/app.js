// Amelia placeholder UI: plain ES module, no build step, no dependencies.
// All data is inserted with textContent; never innerHTML.

const TOKEN_KEY = "amelia.token";
const ACTIVE = new Set(["pending", "in_progress", "blocked"]);
const LEVELS = new Set(["debug", "info", "warning", "error"]);

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
};

const state = {
  workflows: new Map(), // id -> workflow
  order: [], // ids, newest first
  nextCursor: undefined,
  sel: null, // { id, events: Map<seq, event>, watermark, rendered, ready }
  busy: false,
  refetchTimers: new Map(),
};

// ---------------------------------------------------------------- HTTP + auth

class ApiError extends Error {
  constructor(code, message, details) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

let tokenPrompt = null;
let promptDeclined = false;
function askToken(explicit = false) {
  // Many requests may hit 401 at once: ask the person once. If they dismiss the prompt,
  // stop asking; the "Set token" button in the header asks again.
  $("token-button").hidden = false;
  if (promptDeclined && !explicit) return Promise.resolve(false);
  tokenPrompt ??= Promise.resolve().then(() => {
    const value = window.prompt("This Amelia server requires an API token (AMELIA_API_TOKEN):");
    tokenPrompt = null;
    promptDeclined = !value?.trim();
    if (promptDeclined) return false;
    localStorage.setItem(TOKEN_KEY, value.trim());
    reconnectNow();
    return true;
  });
  return tokenPrompt;
}

async function api(path, { method = "GET", body } = {}) {
  for (let attempt = 0; ; attempt++) {
    const token = localStorage.getItem(TOKEN_KEY);
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError("NETWORK_ERROR", "Cannot reach the Amelia server.");
    }
    const data = await res.json().catch(() => null);
    if (res.status === 401 && attempt === 0) {
      // Another request may already have stored a new token; otherwise ask.
      if (localStorage.getItem(TOKEN_KEY) !== token || (await askToken())) continue;
    }
    if (!res.ok) {
      throw new ApiError(
        data?.code ?? `HTTP_${res.status}`,
        data?.error ?? `Request failed (${res.status})`,
        data?.details,
      );
    }
    return data;
  }
}

const wfPath = (id, suffix = "") => `/api/workflows/${encodeURIComponent(id)}${suffix}`;

function showError(node, err) {
  node.replaceChildren();
  if (!err) {
    node.hidden = true;
    return;
  }
  node.hidden = false;
  node.append(el("span", "", err.code ? `${err.message} (${err.code})` : err.message));
  if (Array.isArray(err.details) && err.details.length) {
    const list = el("ul");
    for (const d of err.details) list.append(el("li", "", `${d.field}: ${d.message}`));
    node.append(list);
  }
}

// ---------------------------------------------------------------- WebSocket

let ws = null;
let wsOpen = false;
let retry = 0;
let retryTimer = null;
let everConnected = false;

function setConnection(text, cls) {
  const node = $("connection");
  node.textContent = text;
  node.className = `conn ${cls}`;
}

function send(msg) {
  if (wsOpen) ws.send(JSON.stringify(msg));
}

function connect() {
  clearTimeout(retryTimer);
  const token = localStorage.getItem(TOKEN_KEY);
  const query = token ? `?${new URLSearchParams({ token })}` : "";
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws${query}`);
  ws = socket;
  socket.onopen = () => {
    if (ws !== socket) return;
    wsOpen = true;
    retry = 0;
    setConnection("Connected", "ok");
    send({ action: "subscribe", workflowId: "*" });
    subscribeSelected();
    // After a reconnect: other workflows may have changed while we were away.
    if (everConnected) loadList().catch((err) => showError($("notice"), err));
    everConnected = true;
  };
  socket.onmessage = (msg) => {
    if (ws !== socket) return;
    let data;
    try {
      data = JSON.parse(msg.data);
    } catch {
      return;
    }
    if (data.type === "event" && data.event) onEvent(data.event);
    else if (data.type === "error") showError($("notice"), new ApiError(data.code, data.error));
  };
  socket.onclose = () => {
    if (ws !== socket) return;
    wsOpen = false;
    const delay = Math.min(15000, 500 * 2 ** retry++);
    setConnection(`Reconnecting in ${Math.round(delay / 1000) || 1}s…`, "bad");
    retryTimer = setTimeout(connect, delay);
  };
}

function reconnectNow() {
  const old = ws;
  ws = null;
  wsOpen = false;
  if (old) old.close();
  retry = 0;
  connect();
}

function subscribeSelected() {
  const sel = state.sel;
  if (sel?.ready) send({ action: "subscribe", workflowId: sel.id, since: sel.watermark });
}

function onEvent(event) {
  scheduleRefetch(event.workflowId);
  const sel = state.sel;
  if (sel && sel.id === event.workflowId) addEvents(sel, [event]);
}

// ---------------------------------------------------------------- workflows list

async function loadList(more = false) {
  const params = new URLSearchParams({ limit: "50" });
  if (more && state.nextCursor) params.set("cursor", state.nextCursor);
  const data = await api(`/api/workflows?${params}`);
  if (!more) state.order = [];
  for (const wf of data.workflows) {
    state.workflows.set(wf.id, wf);
    if (!state.order.includes(wf.id)) state.order.push(wf.id);
  }
  state.nextCursor = data.nextCursor;
  renderList();
  const current = state.sel && state.workflows.get(state.sel.id);
  if (current) renderDetail(current);
}

function upsert(wf) {
  state.workflows.set(wf.id, wf);
  if (!state.order.includes(wf.id)) state.order.unshift(wf.id);
  renderList();
  if (state.sel?.id === wf.id) renderDetail(wf);
}

function scheduleRefetch(id) {
  clearTimeout(state.refetchTimers.get(id));
  const timer = setTimeout(() => {
    state.refetchTimers.delete(id);
    api(wfPath(id))
      .then(upsert)
      .catch(() => {});
  }, 250);
  state.refetchTimers.set(id, timer);
}

function statusBadge(status) {
  return el("span", `status s-${status}`, String(status).replace("_", " "));
}

function renderList() {
  const list = $("workflow-list");
  const focusedId = list.contains(document.activeElement)
    ? document.activeElement.dataset.id
    : null;
  list.replaceChildren();
  for (const id of state.order) {
    const wf = state.workflows.get(id);
    const button = el("button", "wf-item");
    button.type = "button";
    button.dataset.id = id;
    button.setAttribute("aria-current", String(state.sel?.id === id));
    const title = el("span", "wf-title", wf.issueId);
    if (wf.title) title.append(el("span", "muted", ` — ${wf.title}`));
    button.append(title, statusBadge(wf.status), el("span", "muted", wf.stage));
    button.addEventListener("click", () => {
      location.hash = encodeURIComponent(id);
    });
    const item = el("li");
    item.append(button);
    list.append(item);
    if (id === focusedId) button.focus();
  }
  $("list-empty").hidden = state.order.length > 0;
  $("more-button").hidden = !state.nextCursor;
}

// ---------------------------------------------------------------- selected workflow

async function select(id) {
  const prev = state.sel;
  if (prev?.id === id) return;
  if (prev?.ready) send({ action: "unsubscribe", workflowId: prev.id });
  showError($("action-error"), null);
  $("feedback").value = "";
  $("timeline").replaceChildren();
  if (!id) {
    state.sel = null;
    $("detail").hidden = true;
    renderList();
    return;
  }
  const sel = { id, events: new Map(), watermark: 0, rendered: 0, ready: false };
  state.sel = sel;
  renderList();
  const known = state.workflows.get(id);
  if (known) renderDetail(known);
  else $("detail").hidden = true;
  try {
    upsert(await api(wfPath(id)));
    let since = 0;
    for (;;) {
      const page = await api(`${wfPath(id, "/events")}?since=${since}`);
      if (state.sel !== sel) return;
      addEvents(sel, page.events);
      if (page.nextSince === undefined || page.nextSince === null) break;
      since = page.nextSince;
    }
    sel.ready = true;
    renderTimeline(sel, true);
    subscribeSelected();
  } catch (err) {
    if (state.sel === sel) showError($("notice"), err);
  }
}

function addEvents(sel, events) {
  let outOfOrder = false;
  for (const ev of events) {
    if (sel.events.has(ev.sequence)) continue; // duplicate
    sel.events.set(ev.sequence, ev);
    if (ev.sequence < sel.rendered) outOfOrder = true;
  }
  while (sel.events.has(sel.watermark + 1)) sel.watermark++;
  if (sel.ready) renderTimeline(sel, outOfOrder);
}

function renderTimeline(sel, full) {
  const list = $("timeline");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  if (full) {
    list.replaceChildren();
    sel.rendered = 0;
  }
  const pending = [...sel.events.keys()].filter((s) => s > sel.rendered).sort((a, b) => a - b);
  for (const seq of pending) {
    const ev = sel.events.get(seq);
    const level = LEVELS.has(ev.level) ? ev.level : "info";
    const item = el("li", `ev lvl-${level}`);
    const meta = el("div", "ev-meta");
    const time = el("time", "", new Date(ev.timestamp).toLocaleTimeString());
    time.dateTime = ev.timestamp;
    meta.append(
      time,
      el("span", "ev-agent", ev.agent),
      el("span", "ev-level", level),
      el("span", "ev-type", ev.type),
    );
    item.append(meta, el("div", "ev-msg", ev.message));
    list.append(item);
    sel.rendered = seq;
  }
  if (nearBottom || full) list.scrollTop = list.scrollHeight;
}

const fmtUsage = (u) =>
  u
    ? `${u.inputTokens ?? 0} in / ${u.outputTokens ?? 0} out tokens, $${Number(u.costUsd ?? 0).toFixed(4)}`
    : "—";

function commentText(c) {
  if (typeof c === "string") return c;
  const where = [c.file, c.line].filter((x) => x !== undefined && x !== null).join(":");
  const text = c.message ?? c.comment ?? c.body ?? JSON.stringify(c);
  return [c.severity && `[${c.severity}]`, where, text].filter(Boolean).join(" ");
}

function renderDetail(wf) {
  $("detail").hidden = false;
  $("detail-heading").textContent = wf.title ? `${wf.issueId} — ${wf.title}` : wf.issueId;
  const status = $("d-status");
  status.textContent = String(wf.status).replace("_", " ");
  status.className = `status s-${wf.status}`;
  $("d-stage").textContent = wf.stage ?? "—";
  $("d-gate").textContent = wf.gate ?? "—";
  $("d-branch").textContent = wf.branch ?? "—";
  $("d-iteration").textContent = wf.iteration
    ? `plan ${wf.iteration.plan}, review ${wf.iteration.review}`
    : "—";
  $("d-usage").textContent = fmtUsage(wf.usage);
  $("d-failure").hidden = !wf.failureReason;
  $("d-failure").textContent = wf.failureReason ? `Failed: ${wf.failureReason}` : "";

  $("plan-section").hidden = !wf.plan;
  $("d-plan").textContent = wf.plan ?? "";

  const review = wf.review;
  $("review-section").hidden = !review;
  if (review) {
    $("d-review-summary").textContent =
      `${review.approved ? "Approved" : "Changes requested"} · severity: ${review.severity ?? "—"}`;
    const list = $("d-review-comments");
    list.replaceChildren();
    for (const c of review.comments ?? []) list.append(el("li", "", commentText(c)));
  }

  const blocked = wf.status === "blocked";
  $("gate-actions").hidden = !blocked;
  $("gate-text").textContent =
    wf.gate === "review"
      ? "The review loop reached its limit: approve the result, or reject with feedback for the developer."
      : "The architect's plan is waiting for your approval. Reject with feedback to have it re-planned.";
  $("cancel-button").hidden = !ACTIVE.has(wf.status);
  updateButtons();
}

function updateButtons() {
  $("approve-button").disabled = state.busy;
  $("reject-button").disabled = state.busy || !$("feedback").value.trim();
  $("cancel-button").disabled = state.busy;
}

async function act(suffix, body) {
  const sel = state.sel;
  if (!sel || state.busy) return;
  state.busy = true;
  updateButtons();
  showError($("action-error"), null);
  try {
    const wf = await api(wfPath(sel.id, suffix), { method: "POST", body: body ?? {} });
    if (suffix === "/reject") $("feedback").value = "";
    upsert(wf);
  } catch (err) {
    if (state.sel === sel) showError($("action-error"), err);
  } finally {
    state.busy = false;
    updateButtons();
  }
}

// ---------------------------------------------------------------- wiring

$("start-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  const button = $("start-button");
  const body = {};
  for (const name of ["issueId", "title", "description", "repository"]) {
    const value = form.elements[name].value.trim();
    if (value) body[name] = value;
  }
  button.disabled = true;
  showError($("start-error"), null);
  try {
    const wf = await api("/api/workflows", { method: "POST", body });
    form.reset();
    upsert(wf);
    location.hash = encodeURIComponent(wf.id);
  } catch (err) {
    showError($("start-error"), err);
  } finally {
    button.disabled = false;
  }
});

$("approve-button").addEventListener("click", () => act("/approve"));
$("reject-button").addEventListener("click", () =>
  act("/reject", { feedback: $("feedback").value.trim() }),
);
$("cancel-button").addEventListener("click", () => {
  if (window.confirm("Cancel this workflow? The running execution will be stopped."))
    act("/cancel");
});
$("feedback").addEventListener("input", updateButtons);
$("more-button").addEventListener("click", () =>
  loadList(true).catch((err) => showError($("notice"), err)),
);
$("token-button").addEventListener("click", async () => {
  if (!(await askToken(true))) return;
  try {
    await loadList();
    showError($("notice"), null);
    if (state.sel && !state.sel.ready) {
      const id = state.sel.id;
      state.sel = null;
      select(id);
    }
  } catch (err) {
    showError($("notice"), err);
  }
});

const selectFromHash = () => select(decodeURIComponent(location.hash.slice(1)) || null);
window.addEventListener("hashchange", selectFromHash);

async function init() {
  $("token-button").hidden = !localStorage.getItem(TOKEN_KEY);
  try {
    const health = await api("/api/health");
    $("demo-badge").hidden = health?.checks?.model?.demo !== true;
    const model = health?.checks?.model?.name;
    $("server-info").textContent = [health?.version && `v${health.version}`, model]
      .filter(Boolean)
      .join(" · ");
  } catch (err) {
    showError($("notice"), err);
  }
  connect();
  try {
    await loadList();
    showError($("notice"), null);
  } catch (err) {
    showError($("notice"), err);
  }
  selectFromHash();
}

init();
