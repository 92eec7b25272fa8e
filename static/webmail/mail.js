// Roost mail: selection, bulk actions, drag and drop, the mail keyboard shortcuts (the shell has the rest).
// No inline script anywhere (the CSP forbids it); everything hangs off data- attributes.
(function () {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  const app = $("[data-app]");

  // Sort choice navigates
  const sort = $("[data-sort-select]");
  if (sort) sort.addEventListener("change", () => { window.location.search = sort.value.replace(/^\?/, ""); });

  // Confirmations
  document.addEventListener("click", (event) => {
    const el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) event.preventDefault();
  });

  // The outbox while something is on its way: follow the live events, and refresh the "Sending… for"
  // figures now and then (never while a confirmation is open).
  if ($("[data-outbox-live]")) {
    document.addEventListener("roost:event", (event) => {
      if (event.detail && event.detail.kind === "outbox") window.setTimeout(() => { if (!$("[data-outbox-confirm]")) window.location.reload(); }, 1500);
    });
    window.setInterval(() => { if (!$("[data-outbox-confirm]")) window.location.reload(); }, 10000);
  }

  // Selection in the list
  const form = $("[data-list-form]");
  const rows = () => $$(".row[data-uid]");
  const boxOf = (row) => row.querySelector('input[type=checkbox][name=uid]:not([data-follows])');
  let lastClicked = null;
  function syncSelection() {
    if (!form) return;
    let count = 0;
    rows().forEach((row) => {
      const box = boxOf(row);
      if (!box) return;
      row.classList.toggle("selected", box.checked);
      $$("input[data-follows]", row).forEach((f) => { f.checked = box.checked; });
      if (box.checked) count += 1;
    });
    $$("[data-needs-selection]", form).forEach((b) => { b.disabled = count === 0; });
    const all = $("[data-select-all]");
    if (all) { all.checked = count > 0 && count === rows().length; all.indeterminate = count > 0 && count < rows().length; }
    app.classList.toggle("selecting", count > 0);
  }
  if (form) {
    form.addEventListener("click", (event) => {
      const box = event.target.closest('input[name=uid]');
      if (!box) return;
      const row = box.closest(".row");
      const list = rows();
      if (event.shiftKey && lastClicked && lastClicked !== row) {
        const [a, b] = [list.indexOf(lastClicked), list.indexOf(row)].sort((x, y) => x - y);
        list.slice(a, b + 1).forEach((r) => { boxOf(r).checked = box.checked; });
      }
      lastClicked = row;
      syncSelection();
    });
    const all = $("[data-select-all]");
    if (all) all.addEventListener("change", () => { rows().forEach((r) => { boxOf(r).checked = all.checked; }); syncSelection(); });
    form.addEventListener("submit", (event) => {
      const action = event.submitter && event.submitter.value;
      if ((action === "move" || action === "copy") && !$("[data-target-select]", form).value) {
        event.preventDefault();
        $("[data-target-select]", form).focus();
      }
    });
    syncSelection();
  }

  // Drag messages onto a folder to move them
  function csrfToken() { const i = $("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }
  function selectedUids(row) {
    const picked = rows().filter((r) => boxOf(r) && boxOf(r).checked);
    const source = picked.length && picked.includes(row) ? picked : [row];
    return source.flatMap((r) => $$('input[name=uid]', r).map((i) => i.value));
  }
  if (form) {
    rows().forEach((row) => {
      row.addEventListener("dragstart", (event) => {
        event.dataTransfer.setData("application/x-roost-uids", JSON.stringify(selectedUids(row)));
        event.dataTransfer.effectAllowed = "move";
        row.classList.add("dragging");
      });
      row.addEventListener("dragend", () => row.classList.remove("dragging"));
    });
    $$("[data-drop-target]").forEach((target) => {
      target.addEventListener("dragover", (event) => {
        if (event.dataTransfer.types.includes("application/x-roost-uids")) { event.preventDefault(); target.classList.add("drop-hover"); }
      });
      target.addEventListener("dragleave", () => target.classList.remove("drop-hover"));
      target.addEventListener("drop", async (event) => {
        event.preventDefault();
        target.classList.remove("drop-hover");
        const uids = JSON.parse(event.dataTransfer.getData("application/x-roost-uids") || "[]");
        if (!uids.length) return;
        const body = new URLSearchParams();
        body.append("action", "move");
        body.append("target", target.dataset.folder);
        uids.forEach((u) => body.append("uid", u));
        const response = await fetch(form.getAttribute("action"), {
          method: "POST", body, credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        });
        const result = await response.json().catch(() => ({ ok: false, error: "The move failed." }));
        if (!result.ok) { window.alert(result.error); return; }
        window.location.reload();
      });
    });
  }

  // Keyboard shortcuts
  let cursor = -1;
  function moveCursor(step) {
    const list = rows();
    if (!list.length) return;
    cursor = Math.max(0, Math.min(list.length - 1, cursor + step));
    list.forEach((r, i) => r.classList.toggle("cursor", i === cursor));
    list[cursor].scrollIntoView({ block: "nearest" });
  }
  function submitAction(action) {
    const reader = $("[data-reader] form.reader-bar");
    const target = reader || form;
    if (!target) return;
    if (!reader) {
      const list = rows();
      const anySelected = list.some((r) => boxOf(r) && boxOf(r).checked);
      if (!anySelected && cursor >= 0) { boxOf(list[cursor]).checked = true; syncSelection(); }
      if (!list.some((r) => boxOf(r) && boxOf(r).checked)) return;
    }
    const button = $(`[data-action="${action}"]`, target);
    if (button) button.click();
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const reader = $("[data-reader]");
    const key = event.key;
    if (key === "#") { submitAction("delete"); return; }
    if (key === "e") { submitAction("archive"); return; }
    if (reader) {
      const go = (sel) => { const a = $(sel); if (a) window.location.href = a.href; };
      if (key === "u") go("[data-back-link]");
      else if (key === "r") go("[data-reply]");
      else if (key === "a") go("[data-reply-all]");
      else if (key === "f") go("[data-forward]");
      else if (key === "j") go("[data-next-message]");
      else if (key === "k") go("[data-prev-message]");
      return;
    }
    if (key === "j") moveCursor(1);
    else if (key === "k") moveCursor(-1);
    else if ((key === "Enter" || key === "o") && cursor >= 0) { const a = $("[data-open]", rows()[cursor]); if (a) window.location.href = a.href; }
    else if (key === "x" && cursor >= 0) { const b = boxOf(rows()[cursor]); b.checked = !b.checked; lastClicked = rows()[cursor]; syncSelection(); }
    else if (key === "n") { const a = $("[data-next-page]"); if (a) window.location.href = a.href; }
    else if (key === "p") { const a = $("[data-prev-page]"); if (a) window.location.href = a.href; }
    else if (key === "c") { window.location.href = "/mail/compose/"; }
  });
  document.documentElement.dataset.mailReady = "1";
})();
