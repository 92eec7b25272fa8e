// The contacts pages: selecting rows in the list (and the bar that acts on them), the delete dialog, the form's
// repeatable rows and photo (shrunk in the browser before upload), the import job's progress, small keyboard
// shortcuts. Everything hangs off data- attributes; no inline script or style (the CSP forbids both).
(function () {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // Sticky headers sit under the shell's app bar, whose height depends on the screen.
  const appbar = $(".appbar");
  const measure = () => {
    if (appbar) document.documentElement.style.setProperty("--ct-appbar", appbar.getBoundingClientRect().height + "px");
  };
  measure();
  window.addEventListener("resize", measure);

  // A photo that cannot be shown (a link to another site, say) leaves the initials underneath.
  document.addEventListener("error", (event) => {
    const img = event.target;
    if (img instanceof HTMLImageElement && img.matches("[data-ct-photo]")) img.remove();
  }, true);

  // ---- The list: selection --------------------------------------------------------------------------------
  const listForm = $("[data-ct-list-form]");
  if (listForm) {
    const bar = $("[data-ct-bulkbar]", listForm);
    const head = $("[data-ct-list-head]", listForm);
    const all = $("[data-ct-select-all]", listForm);
    const boxes = () => $$("[data-ct-select]", listForm);
    const update = () => {
      const picked = boxes().filter((b) => b.checked);
      listForm.classList.toggle("is-selecting", picked.length > 0);
      boxes().forEach((b) => b.closest(".ct-item").classList.toggle("is-picked", b.checked));
      bar.hidden = picked.length === 0;
      $("[data-ct-selected-count]", bar).textContent = picked.length + " selected";
      $("[data-ct-merge]", bar).disabled = picked.length !== 2;
      if (all) {
        all.checked = picked.length > 0 && picked.length === boxes().length;
        all.indeterminate = picked.length > 0 && picked.length < boxes().length;
      }
    };
    listForm.addEventListener("change", (event) => {
      if (event.target === all) boxes().forEach((b) => { b.checked = all.checked; });
      update();
    });
    if (head && !boxes().length && all) all.disabled = true;
    update();
    const open = $("[data-ct-open]", listForm);
    if (open) open.scrollIntoView({ block: "center" });
  }

  // ---- Dialogs (delete) -------------------------------------------------------------------------------------
  $$("[data-ct-open-dialog]").forEach((link) => link.addEventListener("click", (event) => {
    const dialog = document.getElementById(link.dataset.ctOpenDialog);
    if (!dialog || typeof dialog.showModal !== "function") return;  // the link's own confirmation page then
    event.preventDefault();
    dialog.showModal();
  }));
  $$("[data-ct-close-dialog]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));

  // ---- Keyboard: n new, e edit, j/k next/previous --------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.key === "n") {
      const link = $("[data-ct-new]");
      if (link) { window.location.href = link.href; event.preventDefault(); }
    } else if (event.key === "e") {
      const detail = $("[data-ct-edit-url]");
      if (detail) { window.location.href = detail.dataset.ctEditUrl; event.preventDefault(); }
    } else if (event.key === "j" || event.key === "k") {
      const rows = $$("[data-ct-row]");
      if (!rows.length) return;
      const at = rows.findIndex((r) => r.getAttribute("aria-current") === "page");
      const next = rows[Math.max(0, Math.min(rows.length - 1, at + (event.key === "j" ? 1 : -1)))];
      if (next && next !== rows[at]) { window.location.href = next.href; event.preventDefault(); }
    }
  });

  // ---- The form: repeatable rows ----------------------------------------------------------------------------
  $$("[data-ct-add-row]").forEach((button) => button.addEventListener("click", () => {
    const kind = button.dataset.ctAddRow;
    const template = $(`template[data-ct-row-template="${kind}"]`);
    const rows = $(`[data-ct-rows="${kind}"]`);
    if (!template || !rows) return;
    const row = template.content.firstElementChild.cloneNode(true);
    rows.append(row);
    const first = row.querySelector("input:not([type=hidden]), textarea");
    if (first) first.focus();
  }));
  document.addEventListener("click", (event) => {
    const remove = event.target.closest("[data-ct-remove-row]");
    if (!remove) return;
    const row = remove.closest("[data-ct-row]");
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    const target = next ? next.querySelector("input:not([type=hidden])") : null;
    if (target) target.focus();
  });

  // ---- The form: the photo, previewed and made small enough before it is sent -----------------------------
  const photoField = $("[data-ct-photo-field]");
  if (photoField) {
    const input = $("[data-ct-photo-input]", photoField);
    const preview = $("[data-ct-photo-preview]", photoField);
    const carried = $("[data-ct-photo-carried]", photoField);
    const hint = $("[data-ct-photo-hint]", photoField);
    const remove = $("[data-ct-photo-remove]", photoField);
    const maxBytes = parseInt(photoField.dataset.maxBytes, 10) || 262144;
    const show = (url) => {
      preview.src = url;
      preview.hidden = false;
      if (remove) { remove.hidden = false; const box = remove.querySelector("input"); if (box) box.checked = false; }
    };
    const readAsDataUrl = (blob) => new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
    const loadImage = (url) => new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("not a picture"));
      img.src = url;
    });
    const shrink = async (file) => {
      // A square-ish JPEG of at most 512 px is plenty for a contact; a phone camera's 4 MB photo becomes ~60 KB.
      const img = await loadImage(await readAsDataUrl(file));
      const scale = Math.min(1, 512 / Math.max(img.naturalWidth, img.naturalHeight));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      for (const quality of [0.85, 0.7, 0.55]) {
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
        if (blob && blob.size <= maxBytes) return new File([blob], "photo.jpg", { type: "image/jpeg" });
      }
      return null;
    };
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      hint.classList.remove("is-error");
      if (!file) return;
      carried.value = "";
      try {
        let chosen = file;
        if (file.size > maxBytes || !/^image\/(jpeg|png|gif|webp)$/.test(file.type)) {
          chosen = await shrink(file);
          if (!chosen) throw new Error("too big");
          const transfer = new DataTransfer();
          transfer.items.add(chosen);
          input.files = transfer.files;
        }
        show(await readAsDataUrl(chosen));
        hint.textContent = "New photo chosen; it is saved with the contact.";
      } catch (e) {
        input.value = "";
        hint.textContent = "That file could not be used as a photo: choose a JPEG, PNG, GIF or WebP picture.";
        hint.classList.add("is-error");
      }
    });
    if (remove) remove.addEventListener("change", () => {
      const box = remove.querySelector("input");
      preview.hidden = box.checked;
      if (box.checked) { input.value = ""; carried.value = ""; }
    });
  }

  // ---- The merge chooser's filter ----------------------------------------------------------------------------
  const filter = $("[data-ct-filter]");
  if (filter) filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
    $$("[data-ct-filter-item]").forEach((item) => {
      const text = item.dataset.ctFilterItem;
      item.hidden = !words.every((w) => text.includes(w));
    });
  });

  // ---- Copy the CardDAV address -----------------------------------------------------------------------------
  $$("[data-ct-copy]").forEach((button) => button.addEventListener("click", async () => {
    const source = $("[data-ct-copy-source]");
    source.select();
    try { await navigator.clipboard.writeText(source.value); button.textContent = "Copied"; }
    catch (e) { button.textContent = "Press Ctrl+C"; }
  }));

  // ---- A large import: follow the job until it is done, then show its report ------------------------------
  const job = $("[data-ct-import-job]");
  if (job && !("ctDone" in job.dataset)) {
    const text = $("[data-ct-progress-text]", job);
    const bar = $("[data-ct-progress]", job);
    let pause = 800;
    const poll = async () => {
      try {
        const response = await fetch(job.dataset.ctStateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        const state = await response.json();
        if (!response.ok) throw new Error(state.error || "The import cannot be followed.");
        if (state.done) { window.location.reload(); return; }
        if (state.total) { bar.max = state.total; bar.value = state.processed; }
        text.textContent = state.state === "queued"
          ? "Waiting for a worker…"
          : `${state.processed} entries read: ${state.imported} imported, ${state.merged} merged, ${state.skipped} skipped.`;
        pause = 800;
      } catch (e) {
        text.textContent = "Lost touch with the server; trying again…";
        pause = Math.min(pause * 2, 10000);
      }
      window.setTimeout(poll, pause);
    };
    window.setTimeout(poll, pause);
  }

  document.documentElement.dataset.contactsReady = "1";
})();
