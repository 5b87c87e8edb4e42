/* Admin page: staff accounts (create, role, enable/disable) and the audit log. */
"use strict";
const errorEl = document.getElementById("error");
const el = (tag, cls, text) => { const n = document.createElement(tag); if (cls) n.className = cls; if (text != null) n.textContent = text; return n; };

async function api(path, options = {}) {
  const init = {credentials: "same-origin", method: options.method || "GET", headers: {}};
  if (options.json) { init.body = JSON.stringify(options.json); init.headers["content-type"] = "application/json"; }
  const res = await fetch(path, init);
  if (res.status === 401) { location.href = "/console/login?next=/console/admin"; throw new Error("logged out"); }
  const body = await res.json();
  if (!res.ok) throw new Error(body.detail || res.statusText);
  return body;
}

async function loadStaff() {
  const rows = await api("/v1/admin/staff");
  const body = document.querySelector("#staff tbody");
  body.replaceChildren();
  for (const u of rows) {
    const tr = el("tr");
    const role = el("select");
    ["agent", "admin"].forEach((r) => role.append(new Option(r, r)));
    role.value = u.role;
    role.onchange = () => change(u.id, {role: role.value});
    const toggle = el("button", u.active ? "danger" : "secondary", u.active ? "Disable" : "Enable");
    toggle.type = "button";
    toggle.onclick = () => change(u.id, {active: !u.active});
    const roleCell = el("td"); roleCell.append(role);
    const actionCell = el("td"); actionCell.append(toggle);
    tr.append(el("td", "", u.username), el("td", "", u.display_name), roleCell, el("td", "", u.active ? "yes" : "no"),
      el("td", "muted", u.last_login_at ? new Date(u.last_login_at).toLocaleString() : "never"), actionCell);
    body.append(tr);
  }
}

async function change(id, patch) {
  errorEl.textContent = "";
  try { await api("/v1/admin/staff/" + id, {method: "PATCH", json: patch}); } catch (err) { errorEl.textContent = err.message; }
  await Promise.all([loadStaff(), loadAudit()]);
}

async function loadAudit() {
  const page = await api("/v1/admin/audit?limit=100");
  const body = document.querySelector("#audit tbody");
  body.replaceChildren();
  for (const e of page.entries) {
    const tr = el("tr");
    tr.append(el("td", "muted", new Date(e.at).toLocaleString()), el("td", "", e.actor), el("td", "", e.action),
      el("td", "muted", [e.target_type, e.target_id].filter(Boolean).join(" ")), el("td", "muted", e.detail ? JSON.stringify(e.detail) : ""));
    body.append(tr);
  }
}

document.getElementById("new-staff").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  errorEl.textContent = "";
  const json = Object.fromEntries(new FormData(form));
  try { await api("/v1/admin/staff", {method: "POST", json}); form.reset(); } catch (err) { errorEl.textContent = err.message; }
  await Promise.all([loadStaff(), loadAudit()]);
});

api("/v1/staff/me").then((me) => { document.getElementById("who").textContent = me ? `${me.display_name} (admin)` : "admin token"; });
loadStaff();
loadAudit();
