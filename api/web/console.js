/* ShopTalk staff console: inbox, conversation review (take over, correct, tag, note), analytics. */
"use strict";
const view = document.getElementById("view");
const state = {me: null, taxonomy: {intents: {}, entities: []}, threshold: 0.5, filters: {}, openId: null,
  fresh: new Set(), drafts: {}};  // drafts: the agent's unsent reply per conversation, kept across live refreshes
const STATUSES = ["bot", "waiting_for_agent", "agent", "resolved"];
const CHANNELS = ["rest", "ws", "socketio", "webhook", "chatwoot"];
const LANGUAGES = ["en", "zh"];
const STAGES = ["browse", "consider", "purchase", "post_purchase", "account", "conversation"];

function el(tag, cls, text) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  if (text !== undefined && text !== null) n.textContent = text;
  return n;
}
function button(text, cls, onclick) { const b = el("button", cls, text); b.type = "button"; b.onclick = onclick; return b; }
function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
function pct(x) { return x == null ? "–" : Math.round(x * 100) + "%"; }

async function api(path, options = {}) {
  const init = {credentials: "same-origin", ...options, headers: {...(options.headers || {})}};
  if (options.json !== undefined) { init.body = JSON.stringify(options.json); init.headers["content-type"] = "application/json"; }
  const res = await fetch(path, init);
  if (res.status === 401) { location.href = "/console/login?next=" + encodeURIComponent(location.pathname + location.hash); throw new Error("logged out"); }
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new Error((body && body.detail) || res.statusText);
  return body;
}

function flash(message) {
  const p = el("p", "error", message);
  view.prepend(p);
  setTimeout(() => p.remove(), 6000);
}

/* ---------- inbox ---------- */
function select(name, options, value, labelText) {
  const label = el("label", "", labelText);
  const s = el("select");
  s.name = name;
  s.append(new Option("any", ""));
  options.forEach((o) => s.append(new Option(o.replaceAll("_", " "), o)));
  s.value = value || "";
  label.append(s);
  return label;
}
function input(name, type, value, labelText, attrs = {}) {
  const label = el("label", "", labelText);
  const i = el("input");
  Object.assign(i, {name, type, value: value || ""}, attrs);
  label.append(i);
  return label;
}
function checkbox(name, checked, labelText) {
  const label = el("label", "check");
  const i = el("input");
  Object.assign(i, {type: "checkbox", name, checked: !!checked});
  label.append(i, labelText);
  return label;
}

function filtersFromHash() {
  const query = location.hash.split("?")[1] || "";
  return Object.fromEntries(new URLSearchParams(query));
}

function inboxQuery(f) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== "" && v != null && v !== false) p.set(k, v === true ? "true" : v);
  return p;
}

async function renderInbox() {
  const f = {limit: 25, offset: 0, sort: "updated_desc", ...filtersFromHash()};
  state.filters = f;
  const wrap = el("div", "panel");
  const form = el("form", "filters");
  form.id = "filters";
  form.append(
    select("status", STATUSES, f.status, "Status"),
    select("channel", CHANNELS, f.channel, "Channel"),
    select("language", LANGUAGES, f.language, "Language"),
    select("intent", Object.keys(state.taxonomy.intents).concat(["nlu_fallback"]).sort(), f.intent, "Intent"),
    input("confidence_below", "number", f.confidence_below, "Confidence below", {step: "0.05", min: "0", max: "1", style: "width:90px"}),
    select("stage", STAGES, f.stage, "Purchase stage"),
    input("tag", "text", f.tag, "Tag", {style: "width:100px"}),
    input("q", "search", f.q, "Search text", {style: "width:160px"}),
    input("since", "date", f.since, "From"),
    input("until", "date", f.until, "To"),
    checkbox("fallback", f.fallback === "true", "fallback happened"),
    checkbox("handed_off", f.handed_off === "true", "handed off"),
  );
  const sort = select("sort", ["updated_desc", "updated_asc", "created_desc", "confidence_asc"], f.sort, "Sort");
  sort.querySelector("option[value='']").remove();
  form.append(sort);
  const apply = el("button", "primary", "Apply");
  apply.type = "submit";
  form.append(apply,
    button("Low confidence", "secondary", () => go({confidence_below: String(state.threshold)})),
    button("Handed off", "secondary", () => go({handed_off: "true"})),
    button("Clear", "secondary", () => go({})));
  form.onsubmit = (event) => {
    event.preventDefault();
    const data = {};
    for (const item of form.elements) {
      if (!item.name) continue;
      if (item.type === "checkbox") { if (item.checked) data[item.name] = "true"; }
      else if (item.value) data[item.name] = item.value;
    }
    go(data);
  };
  wrap.append(form);
  const table = el("table");
  table.id = "inbox";
  table.innerHTML = "<thead><tr><th>Last activity</th><th>Shopper</th><th>Channel</th><th>Lang</th><th>Status</th><th>Last intent</th><th>Lowest confidence</th><th>Stage</th><th>Tags</th><th>Last message</th></tr></thead>";
  const body = el("tbody");
  table.append(body);
  wrap.append(table);
  const pager = el("div", "pager");
  wrap.append(pager);
  view.replaceChildren(wrap);

  const params = inboxQuery(f);
  for (const key of ["since", "until"]) if (f[key]) params.set(key, new Date(f[key] + (key === "until" ? "T23:59:59" : "T00:00:00")).toISOString());
  const page = await api("/v1/staff/conversations?" + params);
  for (const r of page.rows) {
    const tr = el("tr", "row" + (state.fresh.has(r.id) ? " fresh" : ""));
    tr.dataset.id = r.id;
    tr.onclick = () => { location.hash = "#/c/" + r.id; };
    const conf = el("td");
    if (r.min_confidence != null) conf.append(el("span", "pill" + (r.min_confidence < state.threshold ? " low" : ""), pct(r.min_confidence)));
    if (r.fallbacks) conf.append(el("span", "pill low", r.fallbacks + " fallback" + (r.fallbacks > 1 ? "s" : "")));
    const status = el("td");
    status.append(el("span", "pill " + r.status, r.status.replaceAll("_", " ")));
    if (r.handed_off && r.status === "bot") status.append(el("span", "pill", "was handed off"));
    const lang = el("td");
    if (r.language) lang.append(el("span", "pill lang", r.language));
    const tags = el("td");
    r.tags.forEach((t) => tags.append(el("span", "pill tag", t)));
    tr.append(el("td", "muted", when(r.updated_at)), el("td", "", r.shopper), el("td", "", r.channel),
      lang, status,
      el("td", "", r.last_intent || ""), conf, el("td", "", r.purchase_stage ? `${r.purchase_stage} ${pct(r.purchase_score)}` : ""),
      tags, el("td", "muted", r.last_text));
    body.append(tr);
  }
  if (!page.rows.length) { const tr = el("tr"); const td = el("td", "muted", "No conversations match."); td.colSpan = 10; tr.append(td); body.append(tr); }
  const offset = Number(f.offset || 0), limit = Number(f.limit || 25);
  pager.append(el("span", "muted", `${page.total} conversation${page.total === 1 ? "" : "s"}; showing ${page.total ? offset + 1 : 0}–${offset + page.rows.length}`));
  const prev = button("‹ Newer", "secondary", () => go({...f, offset: String(Math.max(0, offset - limit))}));
  prev.disabled = offset === 0;
  const next = button("Older ›", "secondary", () => go({...f, offset: String(offset + limit)}));
  next.disabled = offset + page.rows.length >= page.total;
  pager.append(prev, next);
  state.fresh.clear();
}

function go(filters) {
  const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== "" && v != null));
  location.hash = "#/inbox?" + new URLSearchParams(clean);
}

/* ---------- one conversation ---------- */
function nluBox(m) {
  const box = el("div", "nlu");
  const n = m.nlu;
  const head = el("div");
  head.append(el("span", "intent", n.intent || "?"), " ");
  const bar = el("span", "bar");
  const fill = el("span", n.confidence != null && n.confidence < state.threshold ? "low" : "");
  fill.style.width = Math.round((n.confidence || 0) * 100) + "%";
  bar.append(fill);
  head.append(bar, " ", el("span", "conf", pct(n.confidence)));
  if (n.stage) head.append(" · ", el("span", "pill", `${n.stage} ${pct(n.stage_score)}`));
  box.append(head);
  if (n.entities && n.entities.length)
    box.append(el("div", "entities", "entities: " + n.entities.map((e) => `${e.entity}=${e.value}`).join(", ")));
  if (m.correction) box.append(el("div", "corrected", `corrected to ${m.correction.intent} by ${m.correction.author}`));
  const form = el("form", "correct-form");
  const intent = el("select");
  intent.name = "intent";
  Object.keys(state.taxonomy.intents).sort().forEach((i) => intent.append(new Option(i, i)));
  intent.value = (m.correction && m.correction.intent) || n.intent;
  const entities = el("input");
  entities.name = "entities";
  entities.placeholder = "entities, e.g. color=blue, brand=Nike (blank: keep)";
  entities.size = 34;
  const save = el("button", "primary", "Save correction");
  save.type = "submit";
  form.append(intent, entities, save, button("Cancel", "secondary", () => form.classList.remove("open")));
  form.onsubmit = async (event) => {
    event.preventDefault();
    const payload = {intent: intent.value};
    if (entities.value.trim()) {
      try { payload.entities = parseEntities(entities.value, m.text); } catch (err) { flash(err.message); return; }
    }
    try { await api(`/v1/staff/messages/${m.id}/correction`, {method: "POST", json: payload}); }
    catch (err) { flash(err.message); return; }
    renderConversation(state.openId);
  };
  box.append(button("Correct", "secondary correct", () => form.classList.toggle("open")), form);
  return box;
}

function parseEntities(spec, text) {
  const lower = text.toLowerCase();
  return spec.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    const [entity, ...rest] = part.split("=");
    const value = rest.join("=").trim();
    const start = lower.indexOf(value.toLowerCase());
    if (!entity || !value) throw new Error(`write entities as name=value (got "${part}")`);
    if (start < 0) throw new Error(`"${value}" is not in the message text`);
    return {entity: entity.trim(), start, end: start + value.length};
  });
}

function transcript(detail) {
  const box = el("div", "transcript");
  box.id = "transcript";
  for (const m of detail.messages) {
    const div = el("div", "msg " + m.author);
    div.dataset.seq = m.seq;
    div.dataset.author = m.author;
    div.append(el("div", "meta", `${m.author} · ${when(m.created_at)}${m.status && m.author === "shopper" ? " · " + m.status.replaceAll("_", " ") : ""}`));
    div.append(document.createTextNode(m.text));
    if (m.products && m.products.length)
      div.append(el("div", "products", "cards: " + m.products.map((p) => p.title).join(" · ")));
    if (m.author === "shopper" && m.nlu) div.append(nluBox(m));
    box.append(div);
  }
  return box;
}

function sideBar(detail) {
  const side = el("div", "side");
  const intent = el("section", "panel");
  intent.append(el("h3", "", "Purchase intent"),
    el("div", "", detail.purchase_intent.stage ? `${detail.purchase_intent.stage} · ${pct(detail.purchase_intent.score)}` : "not yet known"),
    Charts.sparkline(detail.purchase_intent.history));
  const behaviour = el("section", "panel");
  behaviour.id = "behaviour";
  behaviour.append(el("h3", "", `Shopper behaviour (${detail.behaviour.length})`),
    el("div", "muted", `recommendation clicks in this conversation: ${detail.recommendation_clicks}`));
  const ul = el("ul", "timeline");
  for (const e of detail.behaviour) {
    const li = el("li");
    li.append(el("span", "ev " + e.type, e.type.replaceAll("_", " ")), e.product_id || e.query || "",
      e.source ? el("span", "pill", e.source) : "", el("div", "muted", when(e.occurred_at)));
    ul.append(li);
  }
  if (!detail.behaviour.length) ul.append(el("li", "muted", "no views, carts or purchases yet"));
  behaviour.append(ul);
  const tags = el("section", "panel");
  tags.append(el("h3", "", "Tags"));
  const tagList = el("div");
  tagList.id = "tags";
  detail.tags.forEach((t) => {
    const pill = el("span", "pill tag", t + " ");
    const x = el("a", "", "×");
    x.href = "#";
    x.onclick = async (event) => { event.preventDefault(); await api(`/v1/staff/conversations/${detail.id}/tags/${encodeURIComponent(t)}`, {method: "DELETE"}); renderConversation(detail.id); };
    pill.append(x);
    tagList.append(pill);
  });
  const tagForm = el("form", "row-inline");
  const tagInput = el("input");
  tagInput.name = "tag"; tagInput.placeholder = "add a tag";
  tagForm.append(tagInput, Object.assign(el("button", "secondary", "Add"), {type: "submit"}));
  tagForm.onsubmit = async (event) => {
    event.preventDefault();
    if (!tagInput.value.trim()) return;
    try { await api(`/v1/staff/conversations/${detail.id}/tags`, {method: "POST", json: {tag: tagInput.value}}); } catch (err) { flash(err.message); return; }
    renderConversation(detail.id);
  };
  tags.append(tagList, tagForm);
  const notes = el("section", "panel");
  notes.append(el("h3", "", "Private notes"));
  detail.notes.forEach((n) => notes.append(el("div", "note", `${n.author}: ${n.text}`)));
  const noteForm = el("form");
  const noteText = el("textarea");
  noteText.name = "note"; noteText.placeholder = "only staff see notes";
  noteForm.append(noteText, Object.assign(el("button", "secondary", "Add note"), {type: "submit"}));
  noteForm.onsubmit = async (event) => {
    event.preventDefault();
    if (!noteText.value.trim()) return;
    await api(`/v1/staff/conversations/${detail.id}/notes`, {method: "POST", json: {text: noteText.value}});
    renderConversation(detail.id);
  };
  notes.append(noteForm);
  side.append(intent, behaviour, tags, notes);
  return side;
}

async function renderConversation(id) {
  state.openId = id;
  const detail = await api("/v1/staff/conversations/" + encodeURIComponent(id));
  if (state.openId !== id) return;
  const scroll = document.getElementById("transcript");
  const keepScroll = scroll ? scroll.scrollTop : null;
  const typing = !!(document.activeElement && document.activeElement.closest && document.activeElement.closest("#reply"));
  const main = el("div", "panel");
  const actions = el("div", "actions");
  actions.append(el("a", "", "‹ Inbox"));
  actions.firstChild.href = "#/inbox?" + inboxQuery(state.filters);
  actions.append(el("strong", "", detail.shopper), el("span", "pill", detail.channel),
    ...(detail.language ? [el("span", "pill lang", detail.language)] : []),
    Object.assign(el("span", "pill " + detail.status, detail.status.replaceAll("_", " ")), {id: "status"}));
  if (detail.assignee) actions.append(el("span", "muted", "held by " + detail.assignee));
  const act = (path) => async () => {
    try { await api(`/v1/staff/conversations/${id}/${path}`, {method: "POST", json: {}}); } catch (err) { flash(err.message); return; }
    renderConversation(id);
  };
  const open = detail.status !== "resolved";
  if (open && detail.status !== "agent") actions.append(Object.assign(button("Take over", "primary", act("takeover")), {id: "takeover"}));
  if (open && detail.status !== "bot") actions.append(Object.assign(button("Hand back to bot", "secondary", act("handback")), {id: "handback"}));
  if (open) actions.append(button("Resolve", "danger", act("resolve")));
  main.append(actions, transcript(detail));
  if (open) {
    const reply = el("form", "reply");
    reply.id = "reply";
    const text = el("textarea");
    text.name = "text";
    text.placeholder = detail.status === "agent" ? "Reply to the shopper" : "Replying takes the conversation over from the bot";
    text.value = state.drafts[id] || "";
    text.addEventListener("input", () => { state.drafts[id] = text.value; });
    reply.append(text, Object.assign(el("button", "primary", "Send"), {type: "submit"}));
    reply.onsubmit = async (event) => {
      event.preventDefault();
      if (!text.value.trim()) return;
      try { await api(`/v1/staff/conversations/${id}/messages`, {method: "POST", json: {text: text.value}}); } catch (err) { flash(err.message); return; }
      text.value = "";
      delete state.drafts[id];
      renderConversation(id);
    };
    main.append(reply);
  }
  const layout = el("div", "conversation");
  layout.append(main, sideBar(detail));
  view.replaceChildren(layout);
  const t = document.getElementById("transcript");
  if (typing && document.querySelector("#reply textarea")) document.querySelector("#reply textarea").focus();
  t.scrollTop = keepScroll == null ? t.scrollHeight : Math.max(keepScroll, t.scrollHeight - t.clientHeight - 4);
}

/* ---------- analytics ---------- */
async function renderAnalytics() {
  const q = filtersFromHash();
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 29 * 86400e3).toISOString().slice(0, 10);
  const since = q.since || monthAgo, until = q.until || today;
  const params = new URLSearchParams({since: new Date(since + "T00:00:00").toISOString(), until: new Date(until + "T23:59:59").toISOString()});
  const data = await api("/v1/staff/analytics?" + params);
  const form = el("form", "filters");
  form.append(input("since", "date", since, "From"), input("until", "date", until, "To"),
    Object.assign(el("button", "primary", "Show"), {type: "submit"}));
  const json = el("a", "", "as JSON");
  json.href = "/v1/staff/analytics?" + params;
  form.append(json);
  form.onsubmit = (event) => { event.preventDefault(); location.hash = "#/analytics?" + new URLSearchParams({since: form.since.value, until: form.until.value}); };
  const kpis = el("div", "cards-row");
  kpis.id = "kpis";
  const kpi = (k, v) => { const d = el("div", "kpi"); d.append(el("div", "v", v), el("div", "k", k)); return d; };
  const recs = data.recommendations;
  kpis.append(kpi("conversations", String(data.conversations)), kpi("containment (no human needed)", pct(data.containment_rate)),
    kpi("handoff rate", pct(data.handoff_rate)), kpi("fallback rate (of understood messages)", pct(data.fallback_rate)),
    kpi("recommendation click-through", pct(recs.click_through_rate)), kpi("conversion after a click", pct(recs.conversion_rate)));
  const charts = el("div", "charts");
  const chart = (title, ...content) => { const c = el("div", "panel chart"); c.append(el("h3", "", title), ...content); return c; };
  const intents = Object.entries(data.intents).slice(0, 15);
  charts.append(
    chart("Intent distribution", intents.length ? Charts.bars(intents) : el("p", "muted", "no messages in this range")),
    chart("Purchase-funnel stages per day (conversations)", Charts.stacked(data.days, STAGES), Charts.legend(STAGES)),
    chart("Conversations and handoffs per day", Charts.lines(data.days.map((d) => d.day),
      {conversations: data.days.map((d) => d.conversations), handed_off: data.days.map((d) => d.handed_off)}),
      Charts.legend(["conversations", "handed_off"])),
    chart("Recommendations", Charts.bars([["cards shown", recs.cards_shown], ["clicks", recs.clicks],
      ["cart adds", recs.cart_adds], ["purchases after click", recs.purchases_after_click]], {color: "#2da44e"})),
  );
  view.replaceChildren(form, kpis, charts);
}

/* ---------- routing, live updates ---------- */
async function route() {
  const hash = location.hash || "#/inbox";
  const name = hash.startsWith("#/c/") ? "conversation" : hash.startsWith("#/analytics") ? "analytics" : "inbox";
  document.querySelectorAll("nav.top a[data-view]").forEach((a) => a.classList.toggle("active", a.dataset.view === name || (name === "conversation" && a.dataset.view === "inbox")));
  try {
    if (name === "conversation") await renderConversation(decodeURIComponent(hash.slice(4)));
    else { state.openId = null; await (name === "analytics" ? renderAnalytics() : renderInbox()); }
  } catch (err) { if (err.message !== "logged out") view.replaceChildren(el("p", "error", err.message)); }
}

let refresh = null;
function listen() {
  const live = document.getElementById("live");
  const source = new EventSource("/v1/staff/stream");
  source.onopen = () => live.classList.add("on");
  source.onerror = () => live.classList.remove("on");
  source.onmessage = (event) => {
    const change = JSON.parse(event.data);
    state.fresh.add(change.conversation_id);
    clearTimeout(refresh);
    refresh = setTimeout(() => {
      const hash = location.hash || "#/inbox";
      // A correction being edited is not swept away: saving or cancelling it re-renders anyway.
      if (document.querySelector(".correct-form.open")) return;
      if (state.openId && change.conversation_id === state.openId) renderConversation(state.openId);
      else if (hash.startsWith("#/inbox")) renderInbox();
    }, 250);
  };
}

document.getElementById("logout").onclick = async () => {
  await api("/v1/staff/logout", {method: "POST"});
  location.href = "/console/login";
};

(async () => {
  state.me = await api("/v1/staff/me");
  state.taxonomy = await api("/v1/staff/taxonomy");
  state.threshold = state.taxonomy.low_confidence_threshold || 0.5;
  document.getElementById("who").textContent = state.me ? `${state.me.display_name} (${state.me.role})` : "admin token";
  document.getElementById("admin-link").hidden = !(state.me && state.me.role === "admin");
  window.addEventListener("hashchange", route);
  listen();
  route();
})();
