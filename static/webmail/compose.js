// Compose: a copy in the browser at every keystroke, and the draft saved to the server's Drafts folder
// at most every few seconds while typing, at least every 30 s, and when the page is left. A save names
// the version it replaces; a 409 means another window saved newer text, and this one stops saving.
(function () {
  "use strict";
  const form = document.querySelector("[data-compose]");
  if (!form) return;
  const status = document.querySelector("[data-draft-status]");
  const versionField = form.querySelector("[data-draft-version]");
  const key = form.elements.draft_key.value;
  const storeKey = "roost-draft:" + key;
  const fields = ["from_address", "to", "cc", "bcc", "subject", "text", "html"];
  let dirty = false, saving = false, stopped = false, timer = null, lastSave = Date.now();

  const snapshot = () => Object.fromEntries(fields.map((f) => [f, form.elements[f] ? form.elements[f].value : ""]));
  const say = (text) => { if (status) status.textContent = text; };

  // A copy left by a window that crashed or lost its session before the server had it: offer it back.
  // This draft's own copy first; for a new, empty message also the newest unsaved copy of any draft.
  function unsaved() {
    const own = JSON.parse(localStorage.getItem(storeKey) || "null");
    if (own && own.pending) return [storeKey, own];
    const blank = (f) => !form.elements[f] || !form.elements[f].value.replace(/<[^>]*>|&nbsp;/g, "").trim();
    const empty = fields.every((f) => f === "from_address" || blank(f));
    if (!empty) return [null, null];
    let best = [null, null];
    for (let i = 0; i < localStorage.length; i += 1) {
      const name = localStorage.key(i);
      if (!name || !name.startsWith("roost-draft:")) continue;
      const copy = JSON.parse(localStorage.getItem(name) || "null");
      if (copy && copy.pending && (!best[1] || copy.at > best[1].at)) best = [name, copy];
    }
    return best;
  }
  try {
    const [name, found] = unsaved();
    const kept = found && found.fields;
    if (kept && JSON.stringify(kept) !== JSON.stringify(snapshot())) {
      const bar = document.querySelector("[data-restore-bar]");
      bar.hidden = false;
      bar.querySelector("[data-restore]").addEventListener("click", () => {
        fields.forEach((f) => { if (form.elements[f] && kept[f] !== undefined) form.elements[f].value = kept[f]; });
        const rich = document.querySelector("trix-editor");
        if (rich && rich.editor && kept.html !== undefined) rich.editor.loadHTML(kept.html);
        bar.hidden = true;
        if (name !== storeKey) localStorage.removeItem(name);
        changed();
      });
    }
  } catch (e) { /* storage unavailable: the server copy still works */ }

  // Files over the limit are never uploaded with a draft: the text is saved without them, and Send stays
  // blocked (checkSize) until they are removed.
  let sentFiles = [];
  function body() {
    const data = new FormData();
    const picker = form.querySelector("[data-attachments]");
    sentFiles = picker && !overLimit() ? Array.from(picker.files) : [];
    sentFiles.forEach((file) => data.append("attachments", file));
    form.querySelectorAll("input[name=keep_draft_part]:checked").forEach((box) => data.append("keep_draft_part", box.value));
    ["draft_key", "draft_version", "draft_uid", "mode", "parent_folder", "parent_uid"].forEach((f) => data.append(f, form.elements[f].value));
    if (form.elements.editor) data.append("editor", "rich");
    const snap = snapshot();
    fields.forEach((f) => data.append(f, snap[f]));
    return data;
  }

  async function save() {
    if (!dirty || saving || stopped) return;
    saving = true; dirty = false; lastSave = Date.now();
    say("Saving…");
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body: body(), credentials: "same-origin",
        headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value, Accept: "application/json" },
      });
      const result = await response.json();
      if (result.ok) {
        versionField.value = result.version;
        form.elements.draft_uid.value = "";  // replaced by this save; from now on the server knows the copy
        showDraftParts(result.parts || []);
        if (!dirty) keep(false);
        say("Draft saved " + new Date().toLocaleTimeString());
      }
      else if (result.conflict) { stopped = true; say(result.error); }
      else { dirty = true; say("Not saved yet: " + result.error + " (kept in this browser; retrying)"); }
    } catch (e) {
      dirty = true; say("Offline: the draft is kept in this browser and saved when the server answers.");
    } finally { saving = false; }
  }

  // After a save the chosen files live in the draft: list them there (kept unless unticked) and empty
  // the file field, so the next save does not upload them again.
  function showDraftParts(parts) {
    const box = form.querySelector("[data-draft-parts]");
    const picker = form.querySelector("[data-attachments]");
    if (!box) return;
    box.querySelectorAll("label").forEach((label) => label.remove());
    parts.forEach((part) => {
      const label = document.createElement("label");
      label.className = "check";
      const input = document.createElement("input");
      input.type = "checkbox"; input.name = "keep_draft_part"; input.value = part.part_id; input.checked = true;
      input.dataset.size = part.size || 0;
      label.append(input, " " + part.filename + " ");
      box.append(label);
    });
    box.hidden = parts.length === 0;
    // Only the files this save carried moved into the draft; any chosen since stay in the field.
    if (picker && sentFiles.length) {
      const left = new DataTransfer();
      Array.from(picker.files).forEach((file) => { if (!sentFiles.includes(file)) left.items.add(file); });
      picker.files = left.files;
      sentFiles = [];
    }
    showFiles();
  }

  function keep(pending) {
    try { localStorage.setItem(storeKey, JSON.stringify({ fields: snapshot(), pending, at: Date.now() })); }
    catch (e) { /* full or disabled */ }
  }

  function changed() {
    dirty = true;
    keep(true);
    clearTimeout(timer);
    timer = setTimeout(save, Date.now() - lastSave > 30000 ? 0 : 3000);
  }
  form.addEventListener("input", changed);
  form.addEventListener("trix-change", changed);
  setInterval(() => { if (dirty) save(); }, 30000);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") save(); });
  window.addEventListener("pagehide", () => {
    if (dirty && !stopped && navigator.sendBeacon) {
      const data = body();
      data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      navigator.sendBeacon(form.dataset.autosaveUrl, data);
    }
  });
  form.addEventListener("submit", () => { try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ } });
  // Address completion: a list under the field (contacts and groups, recent correspondents, the global
  // address book). Choosing completes only the last address of a comma-separated list; a group puts each of
  // its members' addresses in its place. Arrow keys move, Enter or Tab choose, Escape closes.
  const sourceLabel = { contact: "Contact", group: "Group", recent: "Recent", gal: "Directory" };
  let pending = null;
  form.querySelectorAll("[data-complete]").forEach((input) => {
    const list = document.createElement("ul");
    list.className = "complete-list";
    list.id = "complete-" + input.name;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    (input.closest("[data-complete-row]") || input.parentElement).append(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    let found = [], active = -1, timer = null;
    const parts = () => {
      const all = input.value.split(",");
      const term = all.pop().trim();
      return [all.map((p) => p.trim()).filter(Boolean), term];
    };
    function close() {
      list.hidden = true; list.replaceChildren(); found = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(next) {
      active = next;
      Array.from(list.children).forEach((li, i) => li.setAttribute("aria-selected", i === active ? "true" : "false"));
      if (active >= 0) { input.setAttribute("aria-activedescendant", list.children[active].id); list.children[active].scrollIntoView({ block: "nearest" }); }
      else input.removeAttribute("aria-activedescendant");
    }
    function choose(i) {
      const s = found[i];
      if (!s) return;
      const [before] = parts();
      const chosen = s.members && s.members.length ? s.members : [s.label];
      // An address already in the field is not added again ("Name <a@b>" and "a@b" are the same one).
      const addressOf = (text) => { const m = /<([^<>]+)>\s*$/.exec(text); return (m ? m[1] : text).trim().toLowerCase(); };
      const have = new Set(before.map(addressOf));
      input.value = [...before, ...chosen.filter((a) => !have.has(addressOf(a)))].join(", ") + ", ";
      close();
      input.focus();
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function show(suggestions) {
      found = suggestions;
      list.replaceChildren(...suggestions.map((s, i) => {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.dataset.source = s.source;
        const name = document.createElement("span");
        name.className = "complete-name";
        name.textContent = s.name || s.email;
        const detail = document.createElement("span");
        detail.className = "complete-detail";
        detail.textContent = s.source === "group" ? s.members.length + (s.members.length === 1 ? " person" : " people") : (s.name ? s.email : "");
        const tag = document.createElement("span");
        tag.className = "complete-source";
        tag.textContent = sourceLabel[s.source] || "";
        li.append(name, detail, tag);
        li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
        return li;
      }));
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
      highlight(suggestions.length ? 0 : -1);
    }
    input.addEventListener("input", () => {
      const [, term] = parts();
      window.clearTimeout(timer);
      if (term.length < 1) { close(); return; }
      timer = window.setTimeout(() => {
        if (pending) pending.abort();
        pending = new AbortController();
        fetch(form.dataset.completeUrl + "?q=" + encodeURIComponent(term), { credentials: "same-origin", signal: pending.signal, headers: { Accept: "application/json" } })
          .then((r) => r.json())
          .then((data) => { if (document.activeElement === input && parts()[1] === term) show(data.suggestions || []); })
          .catch(() => { /* a slow or cancelled lookup just offers nothing */ });
      }, 120);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % found.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + found.length) % found.length); }
      else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(); }
    });
    input.addEventListener("blur", () => window.setTimeout(close, 150));
  });
  // Files dropped or pasted into the editor are refused: attachments go through the Attachments field.
  document.addEventListener("trix-file-accept", (event) => event.preventDefault());

  // Attachments: the chosen files with their sizes and a Remove button, the size limit checked before
  // sending, and an upload progress bar.
  const picker = form.querySelector("[data-attachments]");
  const chosen = form.querySelector("[data-chosen-files]");
  const limit = Number(picker ? picker.dataset.maxBytes : 0);
  const human = (n) => (n > 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB");
  // The files chosen here plus the ticked files already in the draft, against the server's limit.
  function totalSize() {
    const chosenBytes = picker ? Array.from(picker.files).reduce((sum, f) => sum + f.size, 0) : 0;
    const kept = Array.from(form.querySelectorAll("input[name=keep_draft_part]:checked"));
    return chosenBytes + kept.reduce((sum, box) => sum + Number(box.dataset.size || 0), 0);
  }
  function overLimit() { return Boolean(limit) && totalSize() > limit; }
  function checkSize(report) {
    if (!picker) return;
    const over = overLimit();
    picker.setCustomValidity(over ? "Together the attachments may be at most " + human(limit) + "." : "");
    if (over && report) picker.reportValidity();
  }
  function showFiles() {
    if (!picker || !chosen) return;
    const files = Array.from(picker.files);
    chosen.replaceChildren(...files.map((file, index) => {
      const item = document.createElement("li");
      item.textContent = file.name + " · " + human(file.size) + " ";
      const remove = document.createElement("button");
      remove.type = "button"; remove.className = "btn btn-quiet"; remove.textContent = "Remove";
      remove.addEventListener("click", () => {
        const keep = new DataTransfer();
        files.forEach((f, i) => { if (i !== index) keep.items.add(f); });
        picker.files = keep.files;
        showFiles();
        changed();
      });
      item.append(remove);
      return item;
    }));
    checkSize(false);
  }
  if (picker) picker.addEventListener("change", () => { showFiles(); checkSize(true); changed(); });
  // Unticking a file already in the draft frees its share of the limit.
  form.addEventListener("change", (event) => {
    if (event.target.name === "keep_draft_part") { checkSize(false); changed(); }
  });
  form.addEventListener("submit", (event) => {
    if (!picker || !picker.files.length || event.defaultPrevented) return;
    event.preventDefault();
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0; bar.className = "upload-progress";
    form.querySelector(".compose-actions").append(bar);
    say("Uploading…");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total; });
    xhr.addEventListener("load", () => {
      if (xhr.responseURL && !xhr.responseURL.endsWith(form.getAttribute("action"))) { window.location.href = xhr.responseURL; return; }
      document.open(); document.write(xhr.responseText); document.close();
    });
    xhr.addEventListener("error", () => { bar.remove(); say("The upload failed; nothing was sent. Try again."); });
    xhr.send(data);
  });

  document.documentElement.dataset.composeReady = "1";
})();
