/* Staff login: POST /v1/staff/login sets the HttpOnly session cookie, then go where we were headed. */
document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById("error");
  error.textContent = "";
  const res = await fetch("/v1/staff/login", {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({username: form.username.value, password: form.password.value})});
  if (!res.ok) { error.textContent = (await res.json()).detail || "login failed"; return; }
  const next = new URLSearchParams(location.search).get("next");
  location.href = next && next.startsWith("/console") ? next : "/console";
});
