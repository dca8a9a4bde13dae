// scaffold serve: keeps the URL, the checks, the command line and Explore in step with the form.
"use strict";

const form = document.getElementById("answers");
const defaults = JSON.parse(form.dataset.defaults);
const keys = Object.keys(defaults);
const $ = (id) => document.getElementById(id);
const explorer = $("explorer");
const exploreButton = $("explore");
const download = $("download");
let pending = {}; // URL values no control can show (an unknown choice): sent until edited
let checkSeq = 0;
let treeSeq = 0;
let shownPath = null;

function controls(key) {
  return Array.from(form.querySelectorAll(`[name="${key}"]`));
}

function answers() {
  const result = {};
  for (const key of keys) {
    const inputs = controls(key);
    if (Array.isArray(defaults[key])) {
      result[key] = inputs.filter((i) => i.checked).map((i) => i.value);
    } else if (inputs[0].type === "radio") {
      const picked = inputs.find((i) => i.checked);
      result[key] = picked ? picked.value : "";
    } else {
      result[key] = inputs[0].value;
    }
  }
  return result;
}

// Only what differs from the defaults goes in the URL, so links stay short.
function params() {
  const query = new URLSearchParams();
  const current = answers();
  for (const key of keys) {
    const value = Array.isArray(current[key]) ? current[key].join(",") : current[key];
    const base = Array.isArray(defaults[key]) ? defaults[key].join(",") : defaults[key];
    if (key in pending) query.set(key, pending[key]);
    else if (value !== base || key === "project_name") query.set(key, value);
  }
  return query;
}

function apply(query) {
  for (const [key, value] of query) {
    if (!keys.includes(key)) continue;
    const inputs = controls(key);
    if (Array.isArray(defaults[key])) {
      const wanted = value.split(",").map((v) => v.trim()).filter(Boolean);
      for (const input of inputs) input.checked = wanted.includes(input.value);
      if (wanted.some((v) => !inputs.some((i) => i.value === v))) pending[key] = value;
    } else if (inputs[0].type === "radio") {
      const match = inputs.find((i) => i.value === value);
      if (match) match.checked = true;
      else pending[key] = value;
    } else {
      inputs[0].value = value;
    }
  }
}

function say(message) {
  $("status").textContent = message;
}

async function getJSON(url) {
  const response = await fetch(url);
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = { error: `${response.status} ${response.statusText}` };
  }
  return { ok: response.ok, body };
}

function showChecks(body, query) {
  for (const key of keys) {
    const error = body.errors[key] || "";
    $(`error-${key}`).textContent = error;
    for (const input of controls(key)) {
      if (input.type === "text") input.setAttribute("aria-invalid", error ? "true" : "false");
    }
  }
  $("rule-error").textContent = body.rule_error || "";
  for (const input of form.querySelectorAll("input[type=radio], input[type=checkbox]")) {
    const reason = (body.disabled[input.name] || {})[input.value];
    // A checked box stays operable, so a combination loaded from a link can be undone.
    input.disabled = Boolean(reason) && !input.checked;
    input.closest("label").classList.toggle("disabled", Boolean(reason));
    $(`reason-${input.name}-${input.value}`).textContent = reason ? `Unavailable: ${reason}` : "";
  }
  $("command").textContent = body.command || "Fix the answers above to see the command.";
  if (body.valid) {
    download.href = `/download?${query}`;
    download.setAttribute("download", `${body.name}.zip`);
    download.textContent = `Download ${body.name}.zip`;
    download.removeAttribute("aria-disabled");
  } else {
    download.removeAttribute("href");
    download.setAttribute("aria-disabled", "true");
    download.textContent = "Download zip";
  }
}

async function update() {
  const query = params();
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
  const mine = ++checkSeq;
  const { ok, body } = await getJSON(`/api/check?${search}`);
  if (mine !== checkSeq) return;
  if (!ok) {
    say(body.error);
    return;
  }
  showChecks(body, search);
  if (!explorer.hidden) {
    if (body.valid) refreshTree(search);
    else say("Explore shows the project once the answers are valid.");
  }
}

function buildTree(files) {
  const root = { dirs: new Map(), files: [] };
  for (const file of files) {
    const parts = file.path.split("/");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!node.dirs.has(part)) node.dirs.set(part, { dirs: new Map(), files: [] });
      node = node.dirs.get(part);
    }
    node.files.push({ name: parts[parts.length - 1], path: file.path, size: file.size });
  }
  const render = (node) => {
    const list = document.createElement("ul");
    for (const [name, child] of node.dirs) {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.className = "folder";
      label.textContent = `${name}/`;
      item.append(label, render(child));
      list.append(item);
    }
    for (const file of node.files) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "file";
      button.dataset.path = file.path;
      button.textContent = file.name;
      button.title = `${file.path} (${file.size} bytes)`;
      button.addEventListener("click", () => openFile(file.path));
      item.append(button);
      list.append(item);
    }
    return list;
  };
  return render(root);
}

async function refreshTree(search) {
  const mine = ++treeSeq;
  const started = performance.now();
  say("Rendering the project…");
  const { ok, body } = await getJSON(`/api/tree?${search}`);
  if (mine !== treeSeq) return;
  if (!ok) {
    say(body.error);
    return;
  }
  const tree = $("tree");
  tree.replaceChildren(...buildTree(body.files).children);
  $("explore-name").textContent = body.name;
  const ms = Math.round(performance.now() - started);
  say(`${body.files.length} files, rendered in ${ms} ms`);
  const paths = body.files.map((f) => f.path);
  const next = paths.includes(shownPath) ? shownPath : paths.includes("README.md") ? "README.md" : null;
  if (next) openFile(next, false);
}

async function openFile(path, focus = true) {
  shownPath = path;
  const search = params();
  search.set("path", path);
  const { ok, body } = await getJSON(`/api/file?${search}`);
  if (shownPath !== path) return;
  $("file-name").textContent = path;
  const content = $("file-content");
  content.textContent = ok
    ? (body.text ?? `(binary file, ${body.size} bytes)`)
    : body.error;
  for (const button of document.querySelectorAll("#tree button.file")) {
    if (button.dataset.path === path) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
  if (focus) content.focus();
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    say(`${what} copied.`);
  } catch {
    say(`Copy failed; select the ${what.toLowerCase()} and copy it by hand.`);
  }
}

let typing = null;
form.addEventListener("input", (event) => {
  delete pending[event.target.name];
  clearTimeout(typing);
  typing = setTimeout(update, event.target.type === "text" ? 300 : 0);
});
form.addEventListener("submit", (event) => event.preventDefault());
exploreButton.addEventListener("click", () => {
  const open = explorer.hidden;
  explorer.hidden = !open;
  exploreButton.setAttribute("aria-expanded", String(open));
  if (open) update();
});
download.addEventListener("click", (event) => {
  if (download.getAttribute("aria-disabled") === "true") event.preventDefault();
  else say("Rendering and locking the project for download…");
});
$("copy-command").addEventListener("click", () => copy($("command").textContent, "Command"));
$("share").addEventListener("click", () => copy(location.href, "Link"));

apply(new URLSearchParams(location.search));
update();
