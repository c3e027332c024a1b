// AstrOS companion page: log in, ask in writing or by voice, watch status, timers and lists.
// Plain JavaScript, no build step. Everything shown from the server is set with textContent.
"use strict";

const API = "/api/v1";
const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem("astros.token"), user: sessionStorage.getItem("astros.user"),
                ws: null, timers: [], openList: null, retry: 0 };

async function api(method, path, body, contentType = "application/json") {
  const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = contentType;
    init.body = contentType === "application/json" ? JSON.stringify(body) : body;
  }
  const reply = await fetch(API + path, init);
  if (reply.status === 401 && path !== "/auth/login") { loggedOut(); throw new Error("Please log in again."); }
  const type = reply.headers.get("Content-Type") || "";
  if (type.startsWith("audio/")) return reply.blob();
  const data = await reply.json();
  if (!reply.ok) throw new Error(data.error ? data.error.message : `HTTP ${reply.status}`);
  return data;
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

// -- logging in ---------------------------------------------------------------------------------

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const reply = await api("POST", "/auth/login", { username: $("username").value, password: $("password").value });
    state.token = reply.data.token;
    state.user = reply.data.user_id;
    sessionStorage.setItem("astros.token", state.token);
    sessionStorage.setItem("astros.user", state.user);
    $("password").value = "";
    loggedIn();
  } catch (err) {
    $("login-error").textContent = err.message;
  }
});

$("logout").addEventListener("click", async () => {
  try { await api("POST", "/auth/logout"); } catch (err) { /* already gone */ }
  loggedOut();
});

function loggedIn() {
  $("login-form").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  connect();
  refreshTimers();
  refreshLists();
  $("ask-text").focus();
}

function loggedOut() {
  state.token = null;
  sessionStorage.removeItem("astros.token");
  if (state.ws) { state.ws.onclose = null; state.ws.close(); state.ws = null; }
  $("app").hidden = true;
  $("logout").hidden = true;
  $("login-form").hidden = false;
  setLive(false);
}

// -- asking -------------------------------------------------------------------------------------

$("ask-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("ask-text").value.trim();
  if (!text) return;
  $("ask-text").value = "";
  say(text, "you");
  try {
    showReply(await api("POST", "/process", { text }));
  } catch (err) {
    say(err.message, "failed");
  }
});

function say(text, cls) {
  const item = el("li", text, cls);
  $("conversation").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function showReply(reply) {
  if (reply.transcript) say(`(heard) ${reply.transcript}`, "you");
  say(reply.message, reply.success ? "reply" : "failed");
  if (reply.audio) new Audio(`data:audio/wav;base64,${reply.audio}`).play();
  else if ($("speak-replies").checked) speak(reply.message);
  refreshTimers();
  refreshLists();
}

async function speak(text) {
  try {
    const wav = await api("POST", "/tts", { text });
    new Audio(URL.createObjectURL(wav)).play();
  } catch (err) {
    if ("speechSynthesis" in window) speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  }
}

// -- recording: MediaRecorder, decoded and written out as 16 kHz mono WAV -------------------------

let recorder = null;
$("record").addEventListener("click", async () => {
  if (recorder) { recorder.stop(); return; }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (e) => chunks.push(e.data);
    recorder.onstop = async () => {
      stream.getTracks().forEach((t) => t.stop());
      recorder = null;
      $("record").classList.remove("recording");
      $("record").textContent = "Speak";
      try {
        const wav = await toWav(new Blob(chunks));
        const speak = $("speak-replies").checked ? "?speak=true" : "";
        showReply(await api("POST", `/audio${speak}`, wav, "audio/wav"));
      } catch (err) {
        say(err.message, "failed");
      }
    };
    recorder.start();
    $("record").classList.add("recording");
    $("record").textContent = "Stop";
  } catch (err) {
    say(`Cannot record: ${err.message}`, "failed");
  }
});

async function toWav(blob) {
  const decoded = await new AudioContext().decodeAudioData(await blob.arrayBuffer());
  const rate = 16000;
  const offline = new OfflineAudioContext(1, Math.ceil(decoded.duration * rate), rate);
  const source = offline.createBufferSource();
  source.buffer = decoded;
  source.connect(offline.destination);
  source.start();
  const samples = (await offline.startRendering()).getChannelData(0);
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (offset, s) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true); view.setUint16(32, 2, true);
  view.setUint16(34, 16, true); text(36, "data"); view.setUint32(40, samples.length * 2, true);
  samples.forEach((v, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, v)) * 0x7fff, true));
  return new Blob([view], { type: "audio/wav" });
}

// -- live connection ----------------------------------------------------------------------------

function setLive(on) {
  $("live").textContent = on ? "live" : "offline";
  $("live").classList.toggle("on", on);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws/${encodeURIComponent(state.user)}`);
  state.ws = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: "auth", data: { token: state.token } }));
  ws.onmessage = (event) => onMessage(JSON.parse(event.data));
  ws.onclose = (event) => {
    setLive(false);
    if (event.code === 4001 || event.code === 4003) { loggedOut(); return; }
    state.retry = Math.min(state.retry + 1, 5);
    setTimeout(() => state.token && connect(), 1000 * state.retry);
  };
}

function onMessage(message) {
  if (message.type === "auth") { setLive(true); state.retry = 0; return; }
  if (message.type === "announcement") { say(message.data.message, "announcement"); return; }
  if (message.type !== "status") return;
  const status = message.data;
  $("status-line").textContent = status.message || status.status;
  const item = el("li", `${new Date(status.timestamp * 1000).toLocaleTimeString()} ${status.status}`);
  $("events").prepend(item);
  while ($("events").children.length > 20) $("events").lastChild.remove();
  if (status.status.startsWith("timer_")) refreshTimers();
}

// -- timers and lists ---------------------------------------------------------------------------

async function refreshTimers() {
  try {
    state.timers = (await api("GET", "/timers")).data.timers;
    state.timersAt = Date.now();
    drawTimers();
  } catch (err) {
    $("timers").replaceChildren(el("li", err.message, "muted"));
  }
}

function drawTimers() {
  if (!state.timers.length) { $("timers").replaceChildren(el("li", "No timers running.", "muted")); return; }
  const passed = (Date.now() - state.timersAt) / 1000;
  $("timers").replaceChildren(...state.timers.map((t) => {
    const left = Math.max(0, Math.round(t.paused ? t.remaining : t.remaining - passed));
    const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    const name = t.name ? `${t.name} ` : "";
    return el("li", `${name}${formatLength(t.seconds)} timer: ${clock} left${t.paused ? " (paused)" : ""}`);
  }));
}

function formatLength(seconds) {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour`;
  if (seconds % 60 === 0) return `${seconds / 60} minute`;
  return `${seconds} second`;
}

async function refreshLists() {
  try {
    const lists = (await api("GET", "/lists")).data.lists;
    $("lists").replaceChildren(...lists.map((l) => {
      const item = el("li", `${l.name} (${l.items})`);
      item.addEventListener("click", () => showList(l.name));
      return item;
    }));
    if (state.openList) showList(state.openList);
  } catch (err) {
    $("lists").replaceChildren(el("li", err.message, "muted"));
  }
}

async function showList(name) {
  state.openList = name;
  const list = (await api("GET", `/lists/${encodeURIComponent(name)}`)).data;
  const items = list.items.map((i) => el("li", i.item));
  $("list-items").replaceChildren(el("li", `${list.list}:`, "muted"), ...(items.length ? items : [el("li", "empty", "muted")]));
}

setInterval(() => { if (state.token && state.timers.length) drawTimers(); }, 1000);
if (state.token && state.user) loggedIn();
