/* ShopTalk shopper widget: one script tag embeds it on any page.
 *
 *   <script src="https://shoptalk.example.com/widget.js" defer></script>
 *
 * Optional attributes on the tag: data-api (the API's origin; default: where this script
 * came from), data-title, data-open="true" (start opened), data-session-key, data-lang (en or
 * zh-CN; default: the page's <html lang>, else navigator.language). The widget's own strings
 * follow that language, and it is sent with every message: the bot replies in it.
 * Signed-in shoppers: the shop's backend signs the customer id (SECURITY.md) and puts
 * data-customer-id, data-customer-expires and data-customer-signature on the tag (or calls
 * ShopTalkWidget.identify({customer_id, expires_at, signature})); the widget then links its
 * session to the customer, and the bot may answer about their orders.
 *
 * It speaks the /v1/ws protocol (README): the session id lives in localStorage so the
 * conversation survives page loads; every message gets a client id and stays in an
 * outbox until the server acks it, so a reconnect resends it (stored once) and asks
 * for the history it missed (rendered once, by seq).
 */
(function () {
  "use strict";
  if (window.ShopTalkWidget) return;
  const script = document.currentScript;
  const api = (script && script.dataset.api) || (script ? new URL(script.src).origin : location.origin);
  const STRINGS = {
    en: {title: "Shopping assistant", chat: "Chat with us", connecting: "connecting…", reconnecting: "reconnecting…",
      online: "online", offline: "offline, reconnecting…", typing: "typing", placeholder: "Ask about products, orders, refunds…",
      send: "Send", add: "Add to cart", added: "In your cart ✓", addFailed: "Could not add to cart, try again.",
      agent: "Support team"},
    zh: {title: "购物助手", chat: "在线咨询", connecting: "连接中…", reconnecting: "重新连接中…", online: "在线",
      offline: "已断开，正在重连…", typing: "正在输入", placeholder: "问问商品、订单、退款…", send: "发送",
      add: "加入购物车", added: "已加入购物车 ✓", addFailed: "加入购物车失败，请重试。", agent: "人工客服"},
  };
  const pageLanguage = (script && script.dataset.lang) || document.documentElement.lang || navigator.language || "en";
  const language = /^zh/i.test(pageLanguage) ? "zh" : "en";
  const t = STRINGS[language];
  const title = (script && script.dataset.title) || t.title;
  const storeKey = (script && script.dataset.sessionKey) || "shoptalk-widget";
  const wsUrl = api.replace(/^http/, "ws") + "/v1/ws";

  const saved = JSON.parse(localStorage.getItem(storeKey) || "{}");
  const state = {
    sessionId: saved.sessionId || null,
    sessionToken: saved.sessionToken || null,
    outbox: saved.outbox || [],        // [{client_id, text}] not yet acked
    open: saved.open || (script && script.dataset.open === "true") || false,
    seen: new Set(),                   // seqs rendered
    lastSeq: 0,
    conversationId: null,              // null while disconnected
    knownConversation: saved.conversationId || null,
    socket: null,
    retry: 0,
  };
  const persist = () => localStorage.setItem(storeKey, JSON.stringify(
    {sessionId: state.sessionId, sessionToken: state.sessionToken, outbox: state.outbox, open: state.open,
     conversationId: state.knownConversation}));
  const authHeaders = () => ({"content-type": "application/json",
    ...(state.sessionToken ? {"x-session-token": state.sessionToken} : {})});

  const host = document.createElement("div");
  host.id = "shoptalk-widget";
  document.body.appendChild(host);
  const root = host.attachShadow({mode: "open"});
  root.innerHTML = `
<style>
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  .launcher { position: fixed; right: 20px; bottom: 20px; width: 58px; height: 58px; border-radius: 50%;
    border: 0; background: #1f3a5f; color: #fff; font-size: 26px; cursor: pointer; box-shadow: 0 6px 18px rgba(0,0,0,.25); z-index: 2147483000; }
  .panel { position: fixed; right: 20px; bottom: 90px; width: 370px; max-width: calc(100vw - 24px); height: 560px;
    max-height: calc(100vh - 110px); background: #f6f7f9; border-radius: 14px; box-shadow: 0 12px 36px rgba(0,0,0,.28);
    display: none; flex-direction: column; overflow: hidden; z-index: 2147483000; }
  .panel.open { display: flex; }
  header { background: #1f3a5f; color: #fff; padding: 12px 14px; display: flex; align-items: center; gap: 8px; }
  header .name { font-weight: 600; flex: 1; }
  header .status { font-size: 11px; opacity: .8; }
  .log { flex: 1; overflow-y: auto; padding: 12px; }
  .msg { margin: 6px 0; max-width: 86%; padding: 9px 11px; border-radius: 12px; white-space: pre-wrap; font-size: 14px; line-height: 1.35; }
  .msg.shopper { margin-left: auto; background: #1f6feb; color: #fff; border-bottom-right-radius: 4px; }
  .msg.shopper.pending { opacity: .6; }
  .msg.bot, .msg.agent, .msg.system { background: #fff; border: 1px solid #dfe3e8; border-bottom-left-radius: 4px; }
  .msg.agent { border-color: #2da44e; }
  .who { font-size: 10px; color: #2da44e; font-weight: 600; margin-bottom: 2px; }
  .cards { display: flex; gap: 8px; overflow-x: auto; padding: 2px 0 8px; scroll-snap-type: x mandatory; }
  .card { flex: 0 0 150px; background: #fff; border: 1px solid #dfe3e8; border-radius: 10px; padding: 7px; font-size: 12px; scroll-snap-align: start; }
  .card img, .card .thumb { width: 100%; height: 96px; object-fit: contain; border-radius: 6px; background: #eef2f7; }
  .card .thumb { display: flex; align-items: center; justify-content: center; font-size: 34px; color: #1f3a5f; font-weight: 700; }
  .card a.title { display: block; color: #0b2540; font-weight: 600; margin-top: 5px; text-decoration: none; max-height: 3.9em; overflow: hidden; }
  .card a.title:hover { text-decoration: underline; }
  .card .price { font-weight: 700; margin-top: 3px; }
  .card .reason { color: #57606a; font-size: 11px; margin-top: 3px; }
  .card button { margin-top: 6px; width: 100%; border: 0; border-radius: 6px; padding: 6px; background: #0b5cff; color: #fff; cursor: pointer; font-size: 12px; }
  .card button.done { background: #2da44e; }
  .quick { margin: 2px 0 8px; }
  .quick button { margin: 2px 4px 2px 0; border: 1px solid #1f6feb; color: #1f6feb; background: #fff; border-radius: 14px; padding: 4px 10px; cursor: pointer; font-size: 13px; }
  .typing { display: none; padding: 0 14px 6px; color: #57606a; font-size: 12px; }
  .typing.on { display: block; }
  .typing span { animation: blink 1.2s infinite; }
  .typing span:nth-child(2) { animation-delay: .2s; } .typing span:nth-child(3) { animation-delay: .4s; }
  @keyframes blink { 0%, 80%, 100% { opacity: .2 } 40% { opacity: 1 } }
  form { display: flex; gap: 6px; padding: 10px; background: #fff; border-top: 1px solid #dfe3e8; }
  input { flex: 1; padding: 9px; border: 1px solid #c9ced6; border-radius: 8px; font-size: 14px; }
  form button { padding: 9px 14px; border: 0; border-radius: 8px; background: #1f3a5f; color: #fff; cursor: pointer; }
  .error { color: #b42318; font-size: 12px; padding: 0 12px 6px; }
</style>
<button class="launcher" aria-label="${t.chat}">&#128172;</button>
<section class="panel" role="dialog" aria-label="${title}">
  <header><span class="name"></span><span class="status">${t.connecting}</span></header>
  <div class="log" aria-live="polite"></div>
  <div class="typing" aria-hidden="true">${t.typing}<span>.</span><span>.</span><span>.</span></div>
  <div class="error"></div>
  <form><input name="text" autocomplete="off" maxlength="4000" placeholder="${t.placeholder}"><button type="submit">${t.send}</button></form>
</section>`;
  const $ = (sel) => root.querySelector(sel);
  const panel = $(".panel"), log = $(".log"), typing = $(".typing"), statusEl = $(".status"), errorEl = $(".error");
  $(".name").textContent = title;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function setOpen(open) {
    state.open = open;
    panel.classList.toggle("open", open);
    persist();
    if (open) $("input").focus();
  }
  $(".launcher").addEventListener("click", () => setOpen(!state.open));
  setOpen(state.open);

  function money(p) {
    if (p.price == null) return "";
    try { return new Intl.NumberFormat(undefined, {style: "currency", currency: p.currency || "USD"}).format(p.price); }
    catch (e) { return p.price + " " + (p.currency || ""); }
  }

  async function track(type, product) {
    const body = {event_id: crypto.randomUUID(), type, session_id: state.sessionId, product_id: product.product_id,
      source: "recommendation", conversation_id: state.conversationId};
    if (product.price != null) body.price = product.price;
    const res = await fetch(api + "/v1/events", {method: "POST", headers: authHeaders(),
      body: JSON.stringify(body), keepalive: true});
    return res.ok;
  }

  async function identify(signed) {
    // signed = {customer_id, expires_at, signature}, computed by the shop's backend (never in the browser)
    const res = await fetch(api + "/v1/shoppers/identify", {method: "POST", headers: authHeaders(),
      body: JSON.stringify({session_id: state.sessionId, ...signed})});
    return res.ok;
  }
  const signedOnTag = script && script.dataset.customerId && script.dataset.customerSignature
    ? {customer_id: script.dataset.customerId, expires_at: Number(script.dataset.customerExpires),
       signature: script.dataset.customerSignature} : null;

  function card(p) {
    const c = el("div", "card");
    c.dataset.productId = p.product_id;
    const thumb = () => el("div", "thumb", (p.title || "?").slice(0, 1).toUpperCase());
    if (p.image_url) {
      const img = el("img");
      img.alt = "";
      img.loading = "lazy";
      img.addEventListener("error", () => img.replaceWith(thumb()));  // unreachable image: a letter instead
      img.src = p.image_url;
      c.appendChild(img);
    } else c.appendChild(thumb());
    const link = el("a", "title", p.title);
    link.href = p.url || (api + "/shop/products/" + encodeURIComponent(p.product_id));
    link.addEventListener("click", (event) => {  // a card click is a behaviour event; then follow the link
      event.preventDefault();
      track("view", p).finally(() => { if (!c.dataset.noNavigate) location.href = link.href; });
    });
    c.appendChild(link);
    if (p.price != null) c.appendChild(el("div", "price", money(p)));
    if (p.reason) c.appendChild(el("div", "reason", p.reason));
    const add = el("button", "add", t.add);
    add.type = "button";
    add.addEventListener("click", async () => {
      add.disabled = true;
      if (await track("add_to_cart", p)) { add.textContent = t.added; add.classList.add("done"); }
      else { add.disabled = false; errorEl.textContent = t.addFailed; }
    });
    c.appendChild(add);
    return c;
  }

  function render(m) {
    if (m.seq && state.seen.has(m.seq)) return;
    if (m.seq) { state.seen.add(m.seq); state.lastSeq = Math.max(state.lastSeq, m.seq); }
    if (m.author === "shopper") {  // our own message: the pending bubble becomes the stored one
      const pending = m.client_id && log.querySelector(`[data-client-id="${CSS.escape(m.client_id)}"]`);
      if (pending) { pending.classList.remove("pending"); pending.dataset.seq = m.seq; return; }
    }
    const bubble = el("div", "msg " + m.author);
    bubble.dataset.seq = m.seq || "";
    if (m.author === "agent") bubble.appendChild(el("div", "who", t.agent));
    bubble.appendChild(document.createTextNode(m.text || ""));
    log.appendChild(bubble);
    if (m.products && m.products.length) {
      const cards = el("div", "cards");
      m.products.forEach((p) => cards.appendChild(card(p)));
      log.appendChild(cards);
    }
    if (m.quick_replies && m.quick_replies.length) {
      const quick = el("div", "quick");
      m.quick_replies.forEach((q) => {
        const b = el("button", "", q.title);
        b.type = "button";
        b.addEventListener("click", () => { quick.remove(); send(q.payload, q.title); });
        quick.appendChild(b);
      });
      log.appendChild(quick);
    }
    log.scrollTop = log.scrollHeight;
  }

  function pendingBubble(item) {
    const bubble = el("div", "msg shopper pending", item.shown || item.text);
    bubble.dataset.clientId = item.client_id;
    log.appendChild(bubble);
    log.scrollTop = log.scrollHeight;
  }

  function transmit(item) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN && state.conversationId) {
      state.socket.send(JSON.stringify({type: "message", text: item.text, client_id: item.client_id,
        metadata: {page: location.pathname, language: pageLanguage}}));
    }
  }

  function send(text, shown) {
    errorEl.textContent = "";
    const item = {client_id: crypto.randomUUID(), text, shown};
    state.outbox.push(item);
    persist();
    pendingBubble(item);
    transmit(item);
  }

  function switchConversation(id) {
    // A resolved conversation is followed by a new one whose seqs start again at 1.
    if (id && state.knownConversation && id !== state.knownConversation) { state.seen.clear(); state.lastSeq = 0; }
    if (id) { state.knownConversation = id; state.conversationId = id; }
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "session_confirm":
        state.sessionId = frame.session_id;
        state.sessionToken = frame.session_token;
        switchConversation(frame.conversation_id);
        persist();
        if (signedOnTag) identify(signedOnTag);
        statusEl.textContent = t.online;
        state.retry = 0;
        state.socket.send(JSON.stringify({type: "history", after_seq: state.lastSeq}));
        break;
      case "history":
        frame.messages.forEach((m) => {
          const acked = m.client_id && state.outbox.find((o) => o.client_id === m.client_id);
          if (acked) { state.outbox = state.outbox.filter((o) => o !== acked); persist(); }
          render(m);
        });
        state.outbox.forEach(transmit);  // never acked: resend with the same client id (stored once)
        break;
      case "ack":
        switchConversation(frame.conversation_id);
        state.outbox = state.outbox.filter((o) => o.client_id !== frame.client_id);
        persist();
        {
          const pending = log.querySelector(`[data-client-id="${CSS.escape(frame.client_id || "")}"]`);
          if (pending) { pending.classList.remove("pending"); pending.dataset.seq = frame.seq; }
          state.seen.add(frame.seq);
          state.lastSeq = Math.max(state.lastSeq, frame.seq);
        }
        break;
      case "message": render(frame.message); break;
      case "typing": typing.classList.toggle("on", !!frame.on); break;
      case "history_changed": state.socket.send(JSON.stringify({type: "history", after_seq: state.lastSeq})); break;
      case "error":
        if (frame.status === 401 && !state.conversationId) {
          // the stored session cannot be resumed (no or a stale token): start a new one
          state.sessionId = null; state.sessionToken = null; state.knownConversation = null; persist();
          state.socket.send(JSON.stringify({type: "session_request"}));
          break;
        }
        errorEl.textContent = frame.message; break;
      default: break;
    }
  }

  function connect() {
    statusEl.textContent = state.retry ? t.reconnecting : t.connecting;
    const socket = new WebSocket(wsUrl);
    state.socket = socket;
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify(state.sessionId
        ? {type: "session_request", session_id: state.sessionId, session_token: state.sessionToken}
        : {type: "session_request"}));
    });
    socket.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      typing.classList.remove("on");
      statusEl.textContent = t.offline;
      state.conversationId = null;
      const delay = Math.min(10000, 500 * 2 ** state.retry++) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    });
  }

  $("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("input");
    const text = input.value.trim();
    input.value = "";
    if (text) send(text);
  });

  state.outbox.forEach(pendingBubble);
  connect();
  window.ShopTalkWidget = {open: () => setOpen(true), close: () => setOpen(false), send, identify,
    get sessionId() { return state.sessionId; }, get sessionToken() { return state.sessionToken; },
    get conversationId() { return state.conversationId; }};
})();
