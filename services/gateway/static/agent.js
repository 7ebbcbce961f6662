// ShopTalk agent console: plain JS, no build step.
// Polls GET /v1/agent/handoffs and the selected handoff; replies, assigns and closes through /v1/agent/*.
// With API keys configured on the gateway the key is asked once and sent as X-API-Key.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const POLL_MS = Number(window.AGENT_POLL_MS || 2000);
  const REASONS = {
    asked: "asked for a person",
    service: "service question",
    "repeated-no-match": "nothing found twice",
    rephrasing: "kept rephrasing",
    frustration: "frustrated",
  };
  let apiKey = sessionStorage.getItem("shoptalk.agentKey") || "";
  let selected = null;        // handoff id on screen
  let renderedSeq = 0;        // last transcript seq drawn for it
  let pollTimer = null;
  let busy = false;

  const nameInput = $("agent-name");
  nameInput.value = localStorage.getItem("shoptalk.agentName") || "";
  nameInput.addEventListener("change", () => localStorage.setItem("shoptalk.agentName", nameInput.value.trim()));
  function agentName() { return nameInput.value.trim() || "Agent"; }

  // Carries the key the refused request was sent with: a poll still in flight with an old key
  // must not re-open the key panel after the agent has entered a new one.
  class Unauthorized extends Error {
    constructor(key) { super("key required"); this.key = key; }
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ accept: "application/json" }, options.headers || {});
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const sentKey = apiKey;
    if (sentKey) headers["x-api-key"] = sentKey;
    const response = await fetch(path, {
      method: options.method || "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    if (response.status === 401 || response.status === 403) throw new Unauthorized(sentKey);
    if (!response.ok) {
      let text = response.status + " " + response.statusText;
      try { text = (await response.json()).error || text; } catch (e) { /* not JSON */ }
      throw new Error(text);
    }
    return response.json();
  }

  function askForKey(message) {
    $("key-panel").hidden = false;
    $("key-error").textContent = message || "";
    $("api-key").focus();
  }

  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    apiKey = $("api-key").value.trim();
    sessionStorage.setItem("shoptalk.agentKey", apiKey);
    $("api-key").value = "";
    $("key-panel").hidden = true;
    $("change-key").hidden = false;
    refresh();
  });
  $("change-key").addEventListener("click", () => askForKey(""));
  if (apiKey) $("change-key").hidden = false;

  function ago(seconds) {
    const s = Math.max(0, Math.round(Date.now() / 1000 - seconds));
    if (s < 60) return s + "s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    return Math.round(s / 3600) + " h ago";
  }
  function clock(seconds) { return new Date(seconds * 1000).toLocaleTimeString(); }
  function money(value) { return value === null || value === undefined ? "" : "$" + Number(value).toFixed(2); }

  // ------------------------------------------------------------ queue
  function renderQueue(handoffs) {
    const queue = $("queue");
    queue.replaceChildren();
    for (const h of handoffs) {
      const li = document.createElement("li");
      li.className = "queue-item" + (h.handoff_id === selected ? " selected" : "");
      li.dataset.handoffId = h.handoff_id;
      const row = document.createElement("div");
      row.className = "row";
      const left = document.createElement("span");
      const status = document.createElement("span");
      status.className = "pill " + h.status;
      status.textContent = h.status === "open" ? "waiting" : h.status + (h.agent ? " · " + h.agent : "");
      const reason = document.createElement("span");
      reason.className = "pill reason";
      reason.textContent = REASONS[h.reason] || h.reason;
      left.append(status, " ", reason);
      const when = document.createElement("span");
      when.textContent = ago(h.created_at);
      row.append(left, when);
      const last = document.createElement("div");
      last.className = "last";
      last.textContent = h.last_message || "(no messages)";
      li.append(row, last);
      li.addEventListener("click", () => select(h.handoff_id));
      queue.appendChild(li);
    }
    $("queue-count").textContent = handoffs.length + (handoffs.length === 1 ? " conversation" : " conversations");
    const waiting = handoffs.filter((h) => h.status === "open").length;
    document.title = (waiting ? "(" + waiting + ") " : "") + "ShopTalk · Agent console";
    $("queue-empty").hidden = handoffs.length > 0;
  }

  // ------------------------------------------------------------ one handoff
  function messageEl(m) {
    const kind = { shopper: "user", assistant: "assistant", agent: "agent", system: "system" }[m.role] || "system";
    const el = document.createElement("div");
    el.className = "msg " + kind;
    el.dataset.seq = m.seq;
    if (m.role !== "system") {
      const who = document.createElement("span");
      who.className = "who";
      const label = m.role === "shopper" ? "Shopper" : m.role === "assistant" ? "Assistant" : (m.author || "Agent");
      who.textContent = label + " · " + clock(m.time);
      el.appendChild(who);
    }
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = m.text;
    el.appendChild(text);
    if (m.products && m.products.length) {
      const shown = document.createElement("div");
      shown.className = "shown";
      shown.textContent = "Shown: " + m.products.map((p) => p.title + (p.price !== null ? " (" + money(p.price) + ")" : "")).join("; ");
      el.appendChild(shown);
    }
    return el;
  }

  function renderDetail(h) {
    $("detail-empty").hidden = true;
    $("detail-body").hidden = false;
    const status = $("detail-status");
    status.className = "pill " + h.status;
    status.textContent = h.status === "open" ? "waiting" : h.status + (h.agent ? " · " + h.agent : "");
    $("detail-reason").textContent = REASONS[h.reason] || h.reason;
    $("detail-meta").textContent = "session " + h.session_id.slice(0, 8) + " · opened " + ago(h.created_at);
    $("summary").textContent = h.summary || "(no summary)";
    const transcript = $("transcript");
    if (transcript.dataset.handoffId !== h.handoff_id) {
      transcript.replaceChildren();
      transcript.dataset.handoffId = h.handoff_id;
      renderedSeq = 0;
    }
    let added = false;
    for (const m of h.transcript) {
      if (m.seq <= renderedSeq) continue;
      transcript.appendChild(messageEl(m));
      renderedSeq = m.seq;
      added = true;
    }
    if (added) transcript.scrollTop = transcript.scrollHeight;
    const closed = h.status === "closed";
    $("assign").disabled = closed || (h.status === "assigned" && h.agent === agentName());
    $("close").disabled = closed;
    $("reply").disabled = closed;
    $("send-reply").disabled = closed;
    $("reply").placeholder = closed ? "This conversation is closed." : "Reply to the shopper…";
  }

  async function loadDetail() {
    if (!selected) return;
    const h = await api("/v1/agent/handoffs/" + encodeURIComponent(selected));
    renderDetail(h);
  }

  function select(id) {
    selected = id;
    for (const li of document.querySelectorAll(".queue-item")) li.classList.toggle("selected", li.dataset.handoffId === id);
    loadDetail().catch(handleError);
  }

  function handleError(err) {
    if (err instanceof Unauthorized) {
      if (err.key !== apiKey) return; // refused with a key that has since been replaced
      askForKey(apiKey ? "That key was refused." : "");
      $("poll-status").textContent = "";
      return;
    }
    $("poll-status").textContent = "offline: " + err.message;
  }

  async function refresh() {
    try {
      const data = await api("/v1/agent/handoffs?status=" + encodeURIComponent($("status-filter").value));
      renderQueue(data.handoffs);
      if (!selected && data.handoffs.length) select(data.handoffs[0].handoff_id);
      else await loadDetail();
      $("poll-status").textContent = "updated " + new Date().toLocaleTimeString();
    } catch (err) {
      handleError(err);
    }
  }

  function schedule() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => { await refresh(); schedule(); }, POLL_MS);
  }

  // ------------------------------------------------------------ actions
  async function act(fn) {
    if (busy || !selected) return;
    busy = true;
    try { await fn(); await refresh(); } catch (err) { handleError(err); } finally { busy = false; }
  }

  $("assign").addEventListener("click", () => act(() =>
    api("/v1/agent/handoffs/" + encodeURIComponent(selected) + "/assign", { method: "POST", body: { agent: agentName() } })));

  $("close").addEventListener("click", () => act(() =>
    api("/v1/agent/handoffs/" + encodeURIComponent(selected) + "/close", { method: "POST", body: { agent: agentName() } })));

  $("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("reply").value;
    if (!text.trim()) return;
    act(async () => {
      await api("/v1/agent/handoffs/" + encodeURIComponent(selected) + "/messages",
        { method: "POST", body: { text, agent: agentName() } });
      $("reply").value = "";
    });
  });
  $("reply").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("reply-form").requestSubmit(); }
  });
  $("status-filter").addEventListener("change", () => { selected = null; refresh(); });

  refresh().then(schedule);
  window.shoptalkAgent = { refresh, select };
})();
