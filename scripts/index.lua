-- GET /  the live chat page. It opens an EventSource on /sse/room (a relay
-- stream managed by the room process), posts messages to /api/say, and
-- shows a second, detached stream that can be attached to the room later.
local http = require("http")

local page = [[<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>luahost chat</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:46rem;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
.panel{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}
ul{list-style:none;padding:0;margin:0;max-height:18rem;overflow:auto;font-size:.95rem}
li{padding:.2rem 0;border-bottom:1px solid #f0f0f0} li.presence{color:#777;font-style:italic}
form{display:flex;gap:.5rem;margin-top:.8rem} input{flex:1;padding:.4rem} button{padding:.4rem .9rem}
.status{font-size:.85rem;color:#555} code{background:#f4f4f4;padding:0 .2rem}
</style></head>
<body>
<h1>luahost chat</h1>
<p class="sub">Lua handlers, a Lua room process, and SSE relay streams.</p>

<div class="panel">
  <div class="status">You are <input id="name" style="width:8rem;flex:none">
    &middot; stream: <span id="status">connecting…</span> &middot; online: <span id="online">0</span></div>
  <ul id="messages"></ul>
  <form id="say"><input id="text" placeholder="Say something" autocomplete="off"><button id="send">Send</button></form>
</div>

<div class="panel">
  <b>Detached stream</b> <span class="status">(<code>/sse/detached</code>: opened without a target, attached on demand)</span>
  <div class="status">pid: <code id="detached-pid">…</code> <button id="attach" disabled>Attach to room</button>
    <span id="detached-status"></span></div>
  <ul id="detached-log"></ul>
</div>

<p class="status">Also: <a href="/api/progress?steps=10&amp;delay=300ms">/api/progress</a> (direct SSE from a handler),
<a href="/api/counter">/api/counter</a> (a counter process).</p>

<script>
const $ = id => document.getElementById(id);
const name = $("name");
name.value = "guest-" + Math.floor(Math.random() * 1000);

function add(list, cls, text) {
  const li = document.createElement("li");
  li.className = cls;
  li.textContent = text;
  list.appendChild(li);
  list.scrollTop = list.scrollHeight;
}

function follow(es, list) {
  es.addEventListener("chat", e => { const m = JSON.parse(e.data); add(list, "chat", m.user + ": " + m.text); });
  es.addEventListener("presence", e => {
    const p = JSON.parse(e.data);
    add(list, "presence", p.user + " " + p.event);
    $("online").textContent = p.online;
  });
  es.addEventListener("done", e => add(list, "presence", "stream ended: " + JSON.parse(e.data).reason));
}

const room = new EventSource("/sse/room?user=" + encodeURIComponent(name.value));
room.onopen = () => { $("status").textContent = "open"; };
room.onerror = () => { $("status").textContent = "reconnecting…"; };
follow(room, $("messages"));

$("say").addEventListener("submit", async ev => {
  ev.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  $("text").value = "";
  await fetch("/api/say", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: name.value, text }) });
});

const detached = new EventSource("/sse/detached");
detached.addEventListener("ready", e => {
  const r = JSON.parse(e.data);
  $("detached-pid").textContent = r.stream_pid;
  $("attach").disabled = false;
  $("attach").onclick = async () => {
    const res = await fetch("/api/attach?stream=" + encodeURIComponent(r.stream_pid) + "&user=" +
      encodeURIComponent(name.value + "-detached"), { method: "POST" });
    $("detached-status").textContent = res.ok ? "attached" : "attach failed";
    $("attach").disabled = res.ok;
  };
});
follow(detached, $("detached-log"));
</script>
</body></html>
]]

local function handler()
  local res = http.response()
  res:set_content_type("text/html; charset=utf-8")
  res:write(page)
end

return { handler = handler }
