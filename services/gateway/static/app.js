// ShopTalk web client: plain JS, no build step.
// Chat over POST /v1/chat with stream:true (Server-Sent Events read from fetch), voice over POST /v1/voice.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const log = $("log");
  const form = $("composer");
  const input = $("message");
  const sendButton = $("send");
  const micButton = $("mic");
  const statusEl = $("status");
  const cardTemplate = $("card-template");
  let sessionId = sessionStorage.getItem("shoptalk.session") || null;
  let busy = false;

  function setStatus(text) { statusEl.textContent = text || ""; }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    micButton.disabled = value && !recorder;
  }

  function rememberSession(id) {
    if (id) { sessionId = id; sessionStorage.setItem("shoptalk.session", id); }
  }

  function currentFilters() {
    const filters = {};
    const maxPrice = $("max-price").value.trim();
    const type = $("type-filter").value.trim();
    const brand = $("brand-filter").value.trim();
    if (maxPrice !== "" && !Number.isNaN(Number(maxPrice))) filters.price_max = Number(maxPrice);
    if (type) filters.product_types = [type.toUpperCase().replace(/\s+/g, "_")];
    if (brand) filters.brands = [brand];
    return Object.keys(filters).length ? filters : null;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addMessage(kind, text) {
    const hint = log.querySelector(".hint");
    if (hint) hint.remove();
    const el = document.createElement("div");
    el.className = "msg " + kind;
    if (text !== undefined) el.textContent = text;
    log.appendChild(el);
    scrollDown();
    return el;
  }

  function newAssistantTurn() {
    const el = addMessage("assistant");
    const cards = document.createElement("div");
    cards.className = "cards";
    const answer = document.createElement("div");
    answer.className = "answer streaming";
    el.append(cards, answer);
    return { el, cards, answer };
  }

  function money(value) { return "$" + Number(value).toFixed(2); }

  function renderCards(container, products) {
    container.replaceChildren();
    for (const p of products) {
      const card = cardTemplate.content.firstElementChild.cloneNode(true);
      card.dataset.itemId = p.item_id;
      card.querySelector(".title").textContent = p.title;
      card.querySelector(".price").textContent = money(p.price);
      card.querySelector(".brand").textContent = p.brand || "unbranded";
      card.querySelector(".why").textContent = p.why || "";
      const thumb = card.querySelector(".thumb");
      const img = card.querySelector("img");
      if (p.image_url) {
        img.src = p.image_url;
        img.alt = p.title;
        img.addEventListener("error", () => { img.remove(); thumb.classList.add("noimg"); });
      } else {
        img.remove();
        thumb.classList.add("noimg");
      }
      if (p.cited) card.classList.add("cited");
      container.appendChild(card);
    }
    if (!products.length) {
      const none = document.createElement("div");
      none.className = "hint";
      none.textContent = "No matching products.";
      container.appendChild(none);
    }
    scrollDown();
  }

  // The final answer, with [ITEM_ID] citations as small badges that highlight the card.
  function renderAnswer(el, text, cards) {
    el.replaceChildren();
    const parts = text.split(/(\[[A-Z0-9][A-Z0-9_-]{3,19}\])/);
    for (const part of parts) {
      const m = /^\[([A-Z0-9][A-Z0-9_-]{3,19})\]$/.exec(part);
      if (m) {
        const badge = document.createElement("span");
        badge.className = "cite";
        badge.textContent = m[1];
        badge.addEventListener("click", () => {
          const card = cards.querySelector(`[data-item-id="${CSS.escape(m[1])}"]`);
          if (card) card.scrollIntoView({ behavior: "smooth", block: "center" });
        });
        el.appendChild(badge);
      } else if (part) {
        el.appendChild(document.createTextNode(part));
      }
    }
  }

  function finishTurn(turn, response) {
    rememberSession(response.session_id);
    renderCards(turn.cards, response.products || []);
    turn.answer.classList.remove("streaming");
    renderAnswer(turn.answer, response.answer || "", turn.cards);
    if (response.degraded) {
      const badge = document.createElement("div");
      badge.className = "badge";
      badge.textContent = "degraded: " + response.degraded;
      turn.el.appendChild(badge);
    }
    handoffUpdate(turn, response.handoff);
    turn.el.dataset.done = "true";
    scrollDown();
  }

  async function errorText(response) {
    try {
      const body = await response.json();
      return body.error || response.statusText;
    } catch (e) {
      return response.status + " " + response.statusText;
    }
  }

  // Parse an SSE byte stream from fetch into {event, data} objects.
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

  async function ask(message) {
    if (busy || !message.trim()) return;
    setBusy(true);
    setStatus("searching…");
    addMessage("user", message);
    const turn = newAssistantTurn();
    const body = { message, stream: true };
    if (sessionId) body.session_id = sessionId;
    const filters = currentFilters();
    if (filters) body.filters = filters;
    try {
      const response = await fetch("/v1/chat", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(await errorText(response));
      let streamed = "";
      for await (const { event, data } of sseEvents(response)) {
        if (event === "products") {
          rememberSession(data.session_id);
          renderCards(turn.cards, data.products);
          setStatus("answering…");
        } else if (event === "token") {
          streamed += data.text;
          turn.answer.textContent = streamed;
          scrollDown();
        } else if (event === "done") {
          finishTurn(turn, data);
        } else if (event === "error") {
          throw new Error(data.error || "stream failed");
        }
      }
      setStatus("");
    } catch (err) {
      turn.answer.classList.remove("streaming");
      addMessage("error", "Sorry, something went wrong: " + err.message);
      setStatus("");
    } finally {
      setBusy(false);
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = input.value;
    input.value = "";
    ask(message);
  });

  $("start-over").addEventListener("click", async () => {
    if (sessionId) {
      try { await fetch("/v1/sessions/" + encodeURIComponent(sessionId), { method: "DELETE" }); } catch (e) { /* offline */ }
    }
    sessionId = null;
    sessionStorage.removeItem("shoptalk.session");
    for (const id of ["max-price", "type-filter", "brand-filter"]) $(id).value = "";
    log.replaceChildren();
    const hint = document.createElement("div");
    hint.className = "hint";
    hint.textContent = "New conversation. What are you looking for?";
    log.appendChild(hint);
    input.focus();
  });

  // ---------------------------------------------------------------- voice
  let recorder = null;
  let chunks = [];

  async function sendVoice(blob) {
    setBusy(true);
    setStatus("transcribing…");
    const data = new FormData();
    data.append("audio", blob, "speech." + (blob.type.includes("ogg") ? "ogg" : "webm"));
    if (sessionId) data.append("session_id", sessionId);
    data.append("speak", "true"); // a spoken question gets a spoken answer (played below)
    const filters = currentFilters();
    if (filters) data.append("filters", JSON.stringify(filters));
    try {
      const response = await fetch("/v1/voice", { method: "POST", body: data });
      if (!response.ok) throw new Error(await errorText(response));
      const body = await response.json();
      addMessage("user", body.transcript || "(no speech heard)");
      if (body.chat) {
        const turn = newAssistantTurn();
        finishTurn(turn, body.chat);
      }
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
    if (recorder && recorder.state === "recording") {
      recorder.stop();
      return;
    }
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      addMessage("error", "Voice input is not supported in this browser.");
      return;
    }
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

  function handoffUpdate(turn, handoff) {
    if (!handoff) return;
    if (handoff.status === "offered") {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "handoff-offer";
      button.textContent = "Talk to a person";
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const response = await fetch("/v1/handoffs", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ session_id: sessionId, reason: handoff.reason || "asked" }),
          });
          if (!response.ok) throw new Error(await errorText(response));
          button.remove();
          addMessage("notice", "You're in the queue: a person from our team will reply here.");
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

  function showAgentMessage(m) {
    if (m.role !== "agent") { addMessage("notice", m.text); return; }
    const el = addMessage("agent");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = "Agent" + (m.author && m.author !== "Agent" ? " · " + m.author : "");
    const text = document.createElement("div");
    text.className = "text";
    text.textContent = m.text;
    el.append(who, text);
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
  if (sessionId) pollHandoff(); // a reload during a handoff keeps showing the agent's replies

  window.shoptalk = { ask, sendVoice, pollHandoff };
})();
