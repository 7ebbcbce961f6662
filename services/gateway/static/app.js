// ShopTalk web client: plain ES module, no build step.
// Chat over POST /v1/chat (Server-Sent Events read from fetch), voice over POST /v1/voice, product
// drawer from GET /v1/products/{id} (its picture gallery from .../images), filters from
// GET /v1/catalog/facets, rows from the recommendation routes (hidden when they are missing). The
// shown transcript and the server-issued session id live in sessionStorage, so a reload restores
// exactly what the shopper saw.
"use strict";

const $ = (id) => document.getElementById(id);
const log = $("log");
const form = $("composer");
const input = $("message");
const sendButton = $("send");
const micButton = $("mic");
const statusEl = $("status");
const announcer = $("announcer");
const cardTemplate = $("card-template");
const KEY = { session: "shoptalk.session", transcript: "shoptalk.transcript", compare: "shoptalk.compare" };
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const ORDINALS = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th"];
const COLOR_SWATCH = {
  black: "#222226", white: "#f4f3ef", grey: "#80808a", gray: "#80808a", blue: "#2852aa", red: "#c4202c",
  green: "#348246", brown: "#764c2a", beige: "#d6c4a0", pink: "#ee96b2", purple: "#7a3ea0", yellow: "#ecc828",
  orange: "#ec7c24", gold: "#cea840", silver: "#bcbec6", clear: "#cedee8", multi: "linear-gradient(90deg,#d63c3c,#3c8cd6,#f0c83c)",
};

let sessionId = sessionStorage.getItem(KEY.session) || null;
let transcript = loadTranscript();
let busy = false;
let lastProducts = [];          // the cards of the latest answer (for "the 2nd one")
const compareSet = new Map();   // item_id → card (kept across a reload)
try { for (const c of JSON.parse(sessionStorage.getItem(KEY.compare) || "[]")) compareSet.set(c.item_id, c); } catch (e) { /* none */ }
const filterState = { types: new Set(), colors: new Set(), brands: new Set(), priceMax: null };
let facets = null;

// ------------------------------------------------------------------ small helpers
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
function formatPrice(v) { return money.format(Number(v) || 0); }
function setStatus(text) { statusEl.textContent = text || ""; }
function announce(text) { announcer.textContent = ""; setTimeout(() => { announcer.textContent = text; }, 30); }
function setBusy(v) { busy = v; sendButton.disabled = v; micButton.disabled = v && !recorder; }
function rememberSession(id) { if (id) { sessionId = id; sessionStorage.setItem(KEY.session, id); } }
function scrollDown() { log.scrollTop = log.scrollHeight; }
function loadTranscript() {
  try { return JSON.parse(sessionStorage.getItem(KEY.transcript) || "[]"); } catch (e) { return []; }
}
function saveTranscript() {
  try { sessionStorage.setItem(KEY.transcript, JSON.stringify(transcript.slice(-40))); } catch (e) { /* full */ }
}
function typeName(t) {
  const f = facets && facets.types.find((x) => x.value === t);
  return f ? f.name : String(t || "").replace(/_/g, " ").toLowerCase();
}
async function getJSON(url) {
  const r = await fetch(url, { headers: { accept: "application/json" } });
  if (!r.ok) throw Object.assign(new Error(r.status + " " + r.statusText), { status: r.status });
  return r.json();
}
async function errorText(response) {
  try { const b = await response.json(); return b.error || response.statusText; } catch (e) { return response.status + " " + response.statusText; }
}
function sendEvent(type, itemId) {
  if (!sessionId) return Promise.resolve();
  return fetch("/v1/events", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ session_id: sessionId, event: type, item_id: itemId }),
  }).catch(() => { /* recommendations are optional */ });
}
// Recommendation payloads: a list, or {items|products|recommendations: [...]}; entries are cards or {product}.
function itemsOf(data) {
  const list = Array.isArray(data) ? data : (data && (data.items || data.products || data.recommendations || data.results)) || [];
  return list.map((x) => (x && x.product ? { ...x.product, ...x, product: undefined } : x)).filter((x) => x && x.item_id);
}

// ------------------------------------------------------------------ images: never a broken picture
function setImage(img, p, size) {
  const url = p.image_url || ("/v1/products/" + encodeURIComponent(p.item_id) + "/image");
  img.alt = "";
  img.addEventListener("error", () => { img.replaceWith(placeholder()); }, { once: true });
  img.src = url + (url.includes("?") ? "&" : "?") + "size=" + size;
}
function placeholder() { const d = el("div", "noimg"); d.setAttribute("aria-hidden", "true"); return d; }

// ------------------------------------------------------------------ cards
function colorChips(container, colors) {
  for (const c of (colors || []).slice(0, 4)) {
    const chip = el("span", "color-chip");
    const dot = el("span", "dot");
    dot.style.background = COLOR_SWATCH[c.toLowerCase()] || "#ccc";
    chip.append(dot, document.createTextNode(c));
    container.appendChild(chip);
  }
}
function makeCard(p, position, list) {
  const card = cardTemplate.content.firstElementChild.cloneNode(true);
  card.dataset.itemId = p.item_id;
  card.setAttribute("role", "listitem");
  card.querySelector(".title").textContent = p.title;
  card.querySelector(".brand").textContent = p.brand || "Unbranded";
  card.querySelector(".price").textContent = formatPrice(p.price);
  colorChips(card.querySelector(".colors"), p.colors);
  setImage(card.querySelector("img"), p, "thumb");
  card.setAttribute("aria-label", `${p.title}, ${p.brand || "unbranded"}, ${formatPrice(p.price)}. Open details.`);
  if (p.why) card.title = "Why it matched: " + p.why;
  if (p.cited) card.classList.add("cited");
  const open = () => openDrawer(p, position, list);
  card.addEventListener("click", (e) => { if (!e.target.closest(".compare-toggle")) open(); });
  card.addEventListener("keydown", (e) => {
    if ((e.key === "Enter" || e.key === " ") && e.target === card) { e.preventDefault(); open(); }
  });
  const toggle = card.querySelector(".compare-toggle");
  toggle.dataset.title = p.title;
  syncCompareButton(toggle, p.item_id);
  toggle.addEventListener("click", (e) => { e.stopPropagation(); toggleCompare(p); });
  return card;
}
function renderCards(container, products) {
  container.replaceChildren();
  products.forEach((p, i) => container.appendChild(makeCard(p, i, products)));
}

// ------------------------------------------------------------------ turns
function addMessage(kind, text) {
  const hint = log.querySelector(".hint");
  if (hint) hint.remove();
  const m = el("div", "msg " + kind, text);
  log.appendChild(m);
  scrollDown();
  return m;
}
function newAssistantTurn() {
  const m = addMessage("assistant");
  const note = el("div", "note"); note.hidden = true;
  const cards = el("div", "cards");
  cards.setAttribute("role", "list");
  cards.setAttribute("aria-label", "Products");
  const answer = el("div", "answer streaming");
  m.append(note, cards, answer);
  return { el: m, note, cards, answer };
}
// [ITEM_ID] citations become "(1)"-style links to the card, by its position on screen.
function renderAnswer(target, text, cardsEl, products) {
  target.replaceChildren();
  for (const part of text.split(/(\[[A-Z0-9][A-Z0-9_-]{3,19}\])/)) {
    const m = /^\[([A-Z0-9][A-Z0-9_-]{3,19})\]$/.exec(part);
    if (m) {
      const index = products.findIndex((p) => p.item_id === m[1]);
      const badge = el("button", "cite", index >= 0 ? String(index + 1) : "•");
      badge.type = "button";
      badge.setAttribute("aria-label", "Show product " + (index >= 0 ? index + 1 : ""));
      badge.addEventListener("click", () => {
        const card = cardsEl.querySelector(`[data-item-id="${CSS.escape(m[1])}"]`);
        if (card) { card.scrollIntoView({ behavior: "smooth", block: "center" }); card.focus(); }
      });
      target.appendChild(badge);
    } else if (part) target.appendChild(document.createTextNode(part));
  }
}
function noteFor(r) {
  if (r.no_match || r.alternatives) return r.products && r.products.length
    ? "Nothing matched exactly — these are close alternatives." : "Nothing in the catalog matched that.";
  if (r.degraded && /no-llm|llm-timeout|llm-error/.test(r.degraded) && r.intent === "ask_about")
    return "Answers are from the listing data.";
  if (r.degraded && /unavailable/.test(r.degraded)) return "Search is running in a reduced mode right now.";
  return "";
}
function finishTurn(turn, r, { restoring = false } = {}) {
  rememberSession(r.session_id);
  const products = r.products || [];
  renderCards(turn.cards, products);
  if (!products.length) turn.cards.remove();
  if (r.alternatives || r.no_match) turn.el.classList.add("alternatives");
  const note = noteFor(r);
  if (note) { turn.note.textContent = note; turn.note.hidden = false; }
  turn.answer.classList.remove("streaming");
  renderAnswer(turn.answer, r.answer || "", turn.cards, products);
  if (products.length) lastProducts = products;
  handoffUpdate(turn, r.handoff, restoring);
  turn.el.dataset.done = "true";
  if (!restoring) {
    announce((note ? note + " " : "") + (r.answer || "").replace(/\s*\[[A-Z0-9_-]{4,20}\]/g, ""));
    loadForYou();
  }
  scrollDown();
}

// ------------------------------------------------------------------ SSE chat
async function* sseEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let index;
    while ((index = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}
function currentFilters() {
  const f = {};
  if (filterState.priceMax !== null) f.price_max = filterState.priceMax;
  if (filterState.types.size) f.product_types = [...filterState.types];
  if (filterState.brands.size) f.brands = [...filterState.brands];
  if (filterState.colors.size) f.colors = [...filterState.colors];
  return Object.keys(f).length ? f : null;
}
async function ask(message) {
  if (busy || !message.trim()) return;
  setBusy(true);
  setStatus("searching…");
  addMessage("user", message);
  transcript.push({ role: "user", text: message }); saveTranscript();
  const turn = newAssistantTurn();
  const body = { message, stream: true };
  if (sessionId) body.session_id = sessionId;
  const filters = currentFilters();
  if (filters) body.filters = filters;
  try {
    const response = await fetch("/v1/chat", {
      method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(await errorText(response));
    let streamed = "";
    for await (const { event, data } of sseEvents(response)) {
      if (event === "products") {
        rememberSession(data.session_id);
        renderCards(turn.cards, data.products || []);
        setStatus("answering…");
      } else if (event === "token") {
        streamed += data.text;
        turn.answer.textContent = streamed;
        scrollDown();
      } else if (event === "done") {
        finishTurn(turn, data);
        transcript.push({ role: "assistant", response: slim(data) }); saveTranscript();
      } else if (event === "error") throw new Error(data.error || "stream failed");
    }
  } catch (err) {
    turn.answer.classList.remove("streaming");
    addMessage("error", "Sorry, something went wrong: " + err.message);
    announce("Sorry, something went wrong.");
  } finally {
    setStatus("");
    setBusy(false);
  }
}
function slim(r) {
  return { answer: r.answer, products: r.products, session_id: r.session_id, intent: r.intent,
    no_match: r.no_match, alternatives: r.alternatives, degraded: r.degraded, handoff: r.handoff };
}
form.addEventListener("submit", (e) => { e.preventDefault(); const m = input.value; input.value = ""; ask(m); input.focus(); });

// ------------------------------------------------------------------ product drawer (a dialog)
let lastFocus = null;
function trapFocus(dialog, e) {
  if (e.key === "Escape") { e.preventDefault(); closeDialog(dialog); return; }
  if (e.key !== "Tab") return;
  const items = [...dialog.querySelectorAll("button, [href], input, [tabindex]:not([tabindex='-1']), summary")]
    .filter((x) => !x.disabled && x.offsetParent !== null);
  if (!items.length) return;
  const first = items[0], last = items[items.length - 1];
  if (e.shiftKey && (document.activeElement === first || document.activeElement === dialog)) { e.preventDefault(); last.focus(); }
  else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
}
function openDialog(dialog) {
  if (!document.querySelector(".drawer:not([hidden])")) lastFocus = document.activeElement;
  for (const d of document.querySelectorAll(".drawer")) d.hidden = d !== dialog;
  $("drawer-backdrop").hidden = false;
  dialog.hidden = false;
  dialog.focus();
}
function closeDialog(dialog) {
  dialog.hidden = true;
  $("drawer-backdrop").hidden = true;
  if (lastFocus && document.contains(lastFocus)) lastFocus.focus();
}
for (const d of [$("drawer"), $("compare")]) {
  d.addEventListener("keydown", (e) => trapFocus(d, e));
  d.querySelector("[data-close]").addEventListener("click", () => closeDialog(d));
}
$("drawer-backdrop").addEventListener("click", () => { for (const d of document.querySelectorAll(".drawer:not([hidden])")) closeDialog(d); });

function fact(dl, name, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
  dl.append(el("dt", "", name), el("dd", "", Array.isArray(value) ? value.join(", ") : String(value)));
}
function dims(d) {
  if (!d) return null;
  const sides = [d.length, d.width, d.height].filter((x) => x !== null && x !== undefined);
  if (sides.length && d.unit) return sides.join(" × ") + " " + d.unit;
  const inches = [d.length_in, d.width_in, d.height_in].filter((x) => x !== null && x !== undefined);
  return inches.length ? inches.map((x) => Math.round(x * 10) / 10).join(" × ") + " in" : null;
}
function marketplaceName(domain) { return String(domain).replace(/^www\./, ""); }

async function openDrawer(card, position, list) {
  const drawer = $("drawer");
  const body = drawer.querySelector(".drawer-body");
  body.replaceChildren(el("h2", "", card.title));
  body.firstChild.id = "drawer-title";
  openDialog(drawer);
  sendEvent("view", card.item_id).then(loadForYou);
  let p = card;
  try { p = { ...card, ...(await getJSON("/v1/products/" + encodeURIComponent(card.item_id))) }; } catch (e) { /* card facts only */ }
  body.replaceChildren();
  const title = el("h2", "", p.title); title.id = "drawer-title";
  const gallery = el("div", "gallery");
  const main = el("img"); main.width = 160; main.height = 160;
  setImage(main, card, "full");
  gallery.appendChild(main);
  body.dataset.itemId = p.item_id;
  fillGallery(gallery, p, () => body.dataset.itemId === p.item_id);
  const head = el("div", "drawer-head");
  const summary = el("div", "summary");
  summary.append(title, el("div", "brand", p.brand || "Unbranded"), el("div", "price big", formatPrice(p.price)));
  const chips = el("div", "chips colors"); colorChips(chips, p.colors); summary.appendChild(chips);
  const actions = el("div", "actions");
  const askBtn = el("button", "", "Ask about this"); askBtn.type = "button";
  askBtn.addEventListener("click", () => {
    closeDialog(drawer);
    const i = lastProducts.findIndex((x) => x.item_id === p.item_id);
    ask(i >= 0 && i < ORDINALS.length ? `tell me more about the ${ORDINALS[i]} one` : `tell me more about ${p.title}`);
    sendEvent("ask", p.item_id);
  });
  const cmpBtn = el("button", "secondary compare-toggle", "Compare"); cmpBtn.type = "button";
  syncCompareButton(cmpBtn, p.item_id);
  cmpBtn.addEventListener("click", () => toggleCompare(card));
  actions.append(askBtn, cmpBtn);
  summary.appendChild(actions);
  head.append(gallery, summary);
  body.append(head);
  if (p.bullets && p.bullets.length) {
    const ul = el("ul", "bullets");
    for (const b of p.bullets) ul.appendChild(el("li", "", b));
    body.append(el("h3", "", "About this item"), ul);
  }
  if (p.description) body.append(el("h3", "", "Description"), el("p", "description", p.description));
  const dl = el("dl", "facts");
  fact(dl, "Type", typeName(p.product_type));
  fact(dl, "Colour", p.color_text || p.colors);
  fact(dl, "Material", p.material);
  fact(dl, "Dimensions", dims(p.dimensions));
  fact(dl, "Weight", p.weight ? (p.weight.value && p.weight.unit ? `${p.weight.value} ${p.weight.unit}` : `${p.weight.pounds} lb`) : null);
  fact(dl, "Style", p.style);
  fact(dl, "Pattern", p.pattern);
  fact(dl, "Fabric", p.fabric_type);
  fact(dl, "Finish", p.finish_type);
  fact(dl, "Shape", p.item_shape);
  fact(dl, "Model", [p.model_name, p.model_number].filter(Boolean).join(" · ") || null);
  fact(dl, "Model year", p.model_year);
  fact(dl, "Sold on", (p.domains || []).map(marketplaceName));
  fact(dl, "Item id", p.item_id);
  if (dl.children.length) body.append(el("h3", "", "Details"), dl);
  if (p.price_is_synthetic) body.append(el("p", "fine", "Prices in this demo catalog are illustrative."));
  if (card.why) {
    const why = el("details", "why");
    why.append(el("summary", "", "Why it matched"), el("p", "", card.why));
    body.append(why);
  }
  const similar = el("section", "row-section"); similar.setAttribute("aria-label", "Similar items");
  const goes = el("section", "row-section"); goes.setAttribute("aria-label", "Goes with");
  body.append(similar, goes);
  fillRow(similar, "Similar items", "/v1/products/" + encodeURIComponent(p.item_id) + "/similar?k=6", p.item_id);
  fillRow(goes, "Goes with", "/v1/products/" + encodeURIComponent(p.item_id) + "/complements?k=6", p.item_id);
}
// Several pictures: thumbnail buttons under the main one switch it (one picture: as before).
async function fillGallery(gallery, p, stillOpen) {
  let images = [];
  try { images = (await getJSON("/v1/products/" + encodeURIComponent(p.item_id) + "/images")).images || []; } catch (e) { return; }
  if (images.length < 2 || !stillOpen()) return;
  const n = images.length;
  const strip = el("div", "thumbs"); strip.setAttribute("role", "group"); strip.setAttribute("aria-label", "Pictures");
  const show = (i) => {
    const main = el("img"); main.width = 160; main.height = 160;
    setImage(main, { item_id: p.item_id, image_url: images[i].url }, "full");
    main.alt = `${p.title}, picture ${i + 1} of ${n}`;
    gallery.firstElementChild.replaceWith(main);
    strip.querySelectorAll("button").forEach((b, j) => b.setAttribute("aria-pressed", String(j === i)));
  };
  images.forEach((image, i) => {
    const btn = el("button", "thumb"); btn.type = "button";
    const img = el("img"); img.width = 44; img.height = 44;
    setImage(img, { item_id: p.item_id, image_url: image.url }, "thumb");
    img.alt = `Show picture ${i + 1} of ${n}`;
    btn.setAttribute("aria-label", img.alt);
    btn.appendChild(img);
    btn.addEventListener("click", () => show(i));
    strip.appendChild(btn);
  });
  gallery.appendChild(strip);
  show(0);
}
async function fillRow(section, heading, url, selfId) {
  section.hidden = true;
  try {
    const items = itemsOf(await getJSON(url)).filter((x) => x.item_id !== selfId).slice(0, 8);
    if (!items.length) return;
    const row = el("div", "row");
    row.setAttribute("role", "list");
    items.forEach((x, i) => row.appendChild(makeCard(x, i, items)));
    section.replaceChildren(el("h3", "", heading), row);
    section.hidden = false;
  } catch (e) { /* route missing (404) or failing: the row stays hidden */ }
}
// "For you" from what this session saw; a new visitor (or a session that saw nothing) gets the
// popular items, headed as such.
let forYouRequest = 0;  // only the latest request fills the row
async function loadForYou() {
  const box = $("for-you");
  const query = (sessionId ? "session_id=" + encodeURIComponent(sessionId) + "&" : "") + "k=8";
  const mine = ++forYouRequest;
  try {
    const data = await getJSON("/v1/recommendations?" + query);
    if (mine !== forYouRequest) return;
    const items = itemsOf(data).slice(0, 8);
    if (!items.length) { box.hidden = true; return; }
    const popular = data && !Array.isArray(data) && /popular/i.test(String(data.source || data.label || data.strategy || ""));
    const heading = popular ? "Popular right now" : "For you";
    box.querySelector(".heading").textContent = heading;
    box.setAttribute("aria-label", heading);
    box.querySelector(".row").setAttribute("aria-label", popular ? "Popular products" : "Recommended for you");
    box.querySelector(".sub").textContent = popular ? "" : "· from what you looked at";
    const row = box.querySelector(".row");
    row.replaceChildren();
    items.forEach((x, i) => row.appendChild(makeCard(x, i, items)));
    box.hidden = false;
  } catch (e) { if (mine === forYouRequest) box.hidden = true; }
}

// ------------------------------------------------------------------ compare
function syncCompareButton(btn, id) {
  const on = compareSet.has(id);
  btn.setAttribute("aria-pressed", String(on));
  btn.classList.toggle("on", on);
  btn.textContent = on ? "✓ Comparing" : "Compare";
  if (btn.dataset.title) btn.appendChild(el("span", "sr-only", " " + btn.dataset.title));
}
function toggleCompare(p) {
  if (compareSet.has(p.item_id)) compareSet.delete(p.item_id);
  else {
    if (compareSet.size >= 3) compareSet.delete(compareSet.keys().next().value);
    compareSet.set(p.item_id, p);
  }
  for (const btn of document.querySelectorAll(".compare-toggle")) {
    const host = btn.closest("[data-item-id]");
    const id = host ? host.dataset.itemId : null;
    if (id) syncCompareButton(btn, id);
  }
  const drawerBtn = $("drawer").querySelector(".actions .compare-toggle");
  if (drawerBtn && !$("drawer").hidden) syncCompareButton(drawerBtn, p.item_id);
  showCompareCount();
}
function showCompareCount() {
  sessionStorage.setItem(KEY.compare, JSON.stringify([...compareSet.values()]));
  $("compare-count").textContent = String(compareSet.size);
  $("compare-open").hidden = compareSet.size < 2;
}
async function openCompare() {
  const box = $("compare");
  const body = box.querySelector(".compare-body");
  body.replaceChildren(el("p", "", "Loading…"));
  openDialog(box);
  const items = await Promise.all([...compareSet.values()].map(async (c) => {
    try { return { ...c, ...(await getJSON("/v1/products/" + encodeURIComponent(c.item_id))) }; } catch (e) { return c; }
  }));
  const table = el("table", "compare-table");
  const caption = el("caption", "sr-only", "Products side by side"); table.appendChild(caption);
  const rows = [
    ["", (p) => { const i = el("img"); i.width = 96; i.height = 96; setImage(i, p, "thumb"); return i; }],
    ["Product", (p) => p.title], ["Brand", (p) => p.brand || "Unbranded"], ["Price", (p) => formatPrice(p.price)],
    ["Type", (p) => typeName(p.product_type)], ["Colour", (p) => (p.colors || []).join(", ") || "—"],
    ["Material", (p) => p.material || "—"], ["Dimensions", (p) => dims(p.dimensions) || "—"],
    ["Weight", (p) => (p.weight ? p.weight.pounds + " lb" : "—")],
  ];
  for (const [name, get] of rows) {
    const tr = el("tr");
    tr.appendChild(el("th", "", name)).scope = "row";
    for (const p of items) {
      const td = el("td"); const v = get(p);
      if (v instanceof Node) td.appendChild(v); else td.textContent = v;
      tr.appendChild(td);
    }
    table.appendChild(tr);
  }
  const clear = el("button", "secondary", "Clear comparison"); clear.type = "button";
  clear.addEventListener("click", () => { for (const p of [...compareSet.values()]) toggleCompare(p); closeDialog(box); });
  body.replaceChildren(table, clear);
}
$("compare-open").addEventListener("click", openCompare);

// ------------------------------------------------------------------ filters from the catalog
function chip(label, pressed, onToggle, swatch) {
  const b = el("button", "chip");
  b.type = "button";
  b.setAttribute("aria-pressed", String(pressed));
  if (swatch) { const dot = el("span", "dot"); dot.style.background = swatch; b.appendChild(dot); }
  b.appendChild(document.createTextNode(label));
  b.addEventListener("click", () => { const on = b.getAttribute("aria-pressed") !== "true"; b.setAttribute("aria-pressed", String(on)); onToggle(on); });
  return b;
}
function toggler(set, value) { return (on) => { if (on) set.add(value); else set.delete(value); }; }
function renderFacets() {
  if (!facets) return;
  const types = $("facet-types"), colors = $("facet-colors"), brands = $("facet-brands");
  types.replaceChildren(el("span", "facet-label", "Type"));
  for (const t of facets.types) types.appendChild(chip(t.name, filterState.types.has(t.value), toggler(filterState.types, t.value)));
  colors.replaceChildren(el("span", "facet-label", "Colour"));
  for (const c of facets.colors.slice(0, 16)) colors.appendChild(chip(c.value, filterState.colors.has(c.value), toggler(filterState.colors, c.value), COLOR_SWATCH[c.value.toLowerCase()] || "#ccc"));
  brands.replaceChildren(el("span", "facet-label", "Brand"));
  const top = [...facets.brands].sort((a, b) => b.count - a.count).slice(0, 14);
  for (const b of top) brands.appendChild(chip(b.value, filterState.brands.has(b.value), toggler(filterState.brands, b.value)));
  if (facets.price) {
    const range = $("price-range");
    // round stops ($35, $40 … not $38, $43): the ends are multiples of the step
    const step = facets.price.max > 200 ? 5 : 1;
    range.step = String(step);
    range.min = String(Math.floor(facets.price.min / step) * step);
    range.max = String(Math.ceil(facets.price.max / step) * step);
    range.value = String(filterState.priceMax ?? range.max);
  }
}
function setPriceMax(value) {
  const range = $("price-range");
  const v = value === "" || value === null || Number.isNaN(Number(value)) ? null : Number(value);
  filterState.priceMax = v !== null && v >= Number(range.max) && $("max-price").value === "" ? null : v;
  $("price-label").textContent = filterState.priceMax === null ? "any" : formatPrice(filterState.priceMax);
}
$("price-range").addEventListener("input", (e) => { $("max-price").value = ""; setPriceMax(e.target.value); });
$("max-price").addEventListener("input", (e) => { setPriceMax(e.target.value.trim()); if (filterState.priceMax !== null) $("price-range").value = String(filterState.priceMax); });
function clearFilters() {
  filterState.types.clear(); filterState.colors.clear(); filterState.brands.clear();
  $("max-price").value = ""; setPriceMax(null); renderFacets();
}
$("clear-filters").addEventListener("click", clearFilters);
$("filters-toggle").addEventListener("click", () => {
  const open = document.body.classList.toggle("filters-open");
  $("filters-toggle").setAttribute("aria-expanded", String(open));
});
getJSON("/v1/catalog/facets").then((f) => { facets = f; renderFacets(); }).catch(() => { /* free-text asking still works */ });

// ------------------------------------------------------------------ start over, restore on reload
function resetLog(text) {
  log.replaceChildren(el("div", "hint", text));
}
$("start-over").addEventListener("click", async () => {
  if (sessionId) {
    try { await fetch("/v1/sessions/" + encodeURIComponent(sessionId), { method: "DELETE" }); } catch (e) { /* offline */ }
  }
  sessionId = null; transcript = []; lastProducts = [];
  sessionStorage.removeItem(KEY.session); sessionStorage.removeItem(KEY.transcript);
  for (const p of [...compareSet.values()]) toggleCompare(p);
  clearFilters();
  loadForYou();
  resetLog("New conversation. What are you looking for?");
  announce("Started a new conversation.");
  input.focus();
});
function restore() {
  if (!transcript.length) { loadForYou(); return; }
  log.replaceChildren();
  for (const t of transcript) {
    if (t.role === "user") addMessage("user", t.text);
    else if (t.role === "assistant" && t.response) finishTurn(newAssistantTurn(), t.response, { restoring: true });
    else if (t.role === "agent" || t.role === "notice") showAgentMessage(t.message, true);
  }
  loadForYou();
}

// ------------------------------------------------------------------ voice
let recorder = null;
let chunks = [];
async function sendVoice(blob) {
  setBusy(true);
  setStatus("transcribing…");
  const data = new FormData();
  data.append("audio", blob, "speech." + (blob.type.includes("ogg") ? "ogg" : "webm"));
  if (sessionId) data.append("session_id", sessionId);
  data.append("speak", "true"); // a spoken question gets a short spoken answer (played below)
  const filters = currentFilters();
  if (filters) data.append("filters", JSON.stringify(filters));
  try {
    const response = await fetch("/v1/voice", { method: "POST", body: data });
    if (!response.ok) throw new Error(await errorText(response));
    const body = await response.json();
    const said = body.transcript || "(no speech heard)";
    addMessage("user", said);
    transcript.push({ role: "user", text: said });
    if (body.chat) {
      finishTurn(newAssistantTurn(), body.chat);
      transcript.push({ role: "assistant", response: slim(body.chat) });
    }
    saveTranscript();
    if (body.audio && body.audio.base64) {
      const audio = new Audio("data:audio/" + (body.audio.format || "wav") + ";base64," + body.audio.base64);
      audio.play().catch(() => { /* autoplay may be blocked */ });
    }
  } catch (err) {
    addMessage("error", "Voice request failed: " + err.message);
  } finally {
    setStatus("");
    setBusy(false);
  }
}
micButton.addEventListener("click", async () => {
  if (recorder && recorder.state === "recording") { recorder.stop(); return; }
  if (!navigator.mediaDevices || !window.MediaRecorder) { addMessage("error", "Voice input is not supported in this browser."); return; }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (e) => { if (e.data.size) chunks.push(e.data); });
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((t) => t.stop());
      micButton.classList.remove("recording");
      const blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      recorder = null;
      sendVoice(blob);
    });
    recorder.start();
    micButton.classList.add("recording");
    setStatus("listening… click the microphone again to send");
  } catch (err) {
    addMessage("error", "Microphone unavailable: " + err.message);
  }
});

// ---------------------------------------------------------------- human handoff
// An offered handoff gets a "Talk to a person" button (POST /v1/handoffs); while one is open the
// client polls GET /v1/sessions/{id}/messages?after=N and shows the agent's replies as "Agent".
const HANDOFF_POLL_MS = Number(window.HANDOFF_POLL_MS || 2500);
let handoffAfter = Number(sessionStorage.getItem("shoptalk.handoffAfter") || 0);
let handoffTimer = null;

function handoffUpdate(turn, handoff, restoring) {
  if (!handoff) return;
  if (handoff.status === "offered" && !restoring) {
    const button = el("button", "handoff-offer", "Talk to a person");
    button.type = "button";
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const response = await fetch("/v1/handoffs", {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ session_id: sessionId, reason: handoff.reason || "asked" }),
        });
        if (!response.ok) throw new Error(await errorText(response));
        button.remove();
        showAgentMessage({ role: "notice", text: "You're in the queue: a person from our team will reply here." });
        pollHandoff();
      } catch (err) {
        button.disabled = false;
        addMessage("error", "Couldn't reach a person: " + err.message);
      }
    });
    turn.el.appendChild(button);
  } else if (handoff.status === "open" || handoff.status === "assigned") {
    pollHandoff();
  }
}
function showAgentMessage(m, restoring) {
  if (!restoring) { transcript.push({ role: m.role === "agent" ? "agent" : "notice", message: m }); saveTranscript(); }
  if (m.role !== "agent") { addMessage("notice", m.text); return; }
  const box = addMessage("agent");
  const who = el("span", "who", "Agent" + (m.author && m.author !== "Agent" ? " · " + m.author : ""));
  box.append(who, el("div", "text", m.text));
  if (!restoring) announce("Agent: " + m.text);
}
async function pollHandoff() {
  clearTimeout(handoffTimer);
  handoffTimer = null;
  if (!sessionId) return;
  let again = true;
  try {
    const url = "/v1/sessions/" + encodeURIComponent(sessionId) + "/messages?after=" + handoffAfter;
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(response.status + "");
    const data = await response.json();
    for (const m of data.messages) showAgentMessage(m);
    handoffAfter = data.next_after;
    sessionStorage.setItem("shoptalk.handoffAfter", String(handoffAfter));
    again = !!data.handoff && data.handoff.status !== "closed";
  } catch (err) { /* offline for a moment: try again */ }
  if (again) handoffTimer = setTimeout(pollHandoff, HANDOFF_POLL_MS);
}
$("start-over").addEventListener("click", () => {
  clearTimeout(handoffTimer);
  handoffTimer = null;
  handoffAfter = 0;
  sessionStorage.removeItem("shoptalk.handoffAfter");
});

restore();
showCompareCount();
if (sessionId) pollHandoff(); // a reload during a handoff keeps showing the agent's replies

window.shoptalk = { ask, sendVoice, pollHandoff, openDrawer, filterState };
