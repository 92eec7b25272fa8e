// The message page: the menu on each address (Add to contacts, New message) and the "Add to calendar" card
// of a calendar file, whose data and action come from the calendar app (calendar_app/views/frommail.py).
// No inline script anywhere (the CSP forbids it); everything hangs off data- attributes.
(function () {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrfToken = () => { const i = $("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; };

  function toast(text, isError) {
    let box = $(".toasts");
    if (!box) { box = document.createElement("div"); box.className = "toasts"; $(".content").prepend(box); }
    const item = document.createElement("div");
    item.className = "toast" + (isError ? " toast-error" : "");
    item.setAttribute("role", "status");
    item.textContent = text;
    box.append(item);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    const data = await response.json().catch(() => ({ ok: false, error: "Something went wrong; try again." }));
    if (!response.ok && data.ok !== false) data.ok = false;
    return data;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Address menus: one open at a time, closed by a click elsewhere or Escape.
  const menus = $$("details[data-addr]");
  menus.forEach((menu) => menu.addEventListener("toggle", () => {
    if (menu.open) menus.forEach((other) => { if (other !== menu) other.open = false; });
  }));
  document.addEventListener("click", (event) => {
    menus.forEach((menu) => { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") menus.forEach((menu) => { menu.open = false; });
  });

  // Add to contacts: the answer is a toast; every chip of that address then says it is a contact.
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-contact-add]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    const data = await post(form.action, new FormData(form));
    button.disabled = false;
    if (!data.ok) { toast(data.error || "The contact could not be added.", true); return; }
    toast(data.message);
    const email = form.elements.email.value.toLowerCase();
    $$("form[data-contact-add]").forEach((other) => {
      if (other.elements.email.value.toLowerCase() !== email) return;
      const note = el("p", "addr-known", "In your contacts");
      note.dataset.addrKnown = "";
      other.replaceWith(note);
    });
    menus.forEach((menu) => { menu.open = false; });
  });

  // Calendar files: a card listing the events, a calendar chooser and "Add to calendar".
  function problemList(problems) {
    const list = el("ul", "ics-problems");
    problems.forEach((p) => list.append(el("li", "", (p.label ? p.label + ": " : "") + p.reason)));
    return list;
  }

  function renderCard(card, data) {
    card.replaceChildren();
    const head = el("div", "ics-head");
    head.append(el("h2", "", data.method === "REQUEST" ? "Invitation" : (data.events.length === 1 ? "Event" : "Events")));
    head.append(el("span", "muted ics-file", data.filename));
    card.append(head);
    if (data.events.length) {
      const list = el("ul", "ics-events");
      data.events.forEach((e) => {
        const item = el("li", "ics-event");
        item.append(el("strong", "ics-title", e.title));
        if (e.when) item.append(el("span", "ics-when", e.when + (e.recurring ? " · repeats" : "")));
        if (e.location) item.append(el("span", "ics-where", e.location));
        if (e.existing.length) item.append(el("span", "ics-existing", "Already in " + e.existing.map((c) => c.name).join(", ")));
        list.append(item);
      });
      card.append(list);
      if (data.more) card.append(el("p", "muted", "…and " + data.more + " more."));
    }
    if (data.problems.length) {
      card.append(el("p", "ics-problem-head", data.events.length ? "These cannot be added:" : "Nothing in this file can be added:"));
      card.append(problemList(data.problems));
    }
    if (data.events.length && data.calendars.length) {
      const form = el("form", "ics-form");
      form.dataset.icsImport = "";
      const label = el("label", "ics-choose");
      label.append(el("span", "", "Calendar"));
      const select = el("select");
      select.name = "calendar_id";
      data.calendars.forEach((c) => {
        const option = el("option", "", c.name);
        option.value = c.id;
        option.selected = c.selected;
        select.append(option);
      });
      label.append(select);
      const button = el("button", "btn btn-primary", data.events.some((e) => e.existing.length) ? "Update in calendar" : "Add to calendar");
      button.type = "submit";
      form.append(label, button);
      const result = el("p", "ics-result");
      result.setAttribute("role", "status");
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        button.disabled = true;
        const body = new FormData();
        body.append("calendar_id", select.value);
        const answer = await post(card.dataset.src, body);
        button.disabled = false;
        result.replaceChildren();
        if (!answer.ok) {
          result.append(el("span", "ics-error", answer.error || "The events could not be added."));
          if (answer.skipped && answer.skipped.length) result.append(problemList(answer.skipped));
          toast(answer.error || "The events could not be added.", true);
          return;
        }
        result.append(el("span", "", answer.message + " "));
        const open = el("a", "", "Open calendar");
        open.href = answer.calendar_url;
        result.append(open);
        if (answer.skipped.length) result.append(problemList(answer.skipped));
        button.textContent = "Added";
        button.disabled = true;
        card.classList.add("ics-done");
        toast(answer.message);
      });
      card.append(form, result);
    }
  }

  $$("[data-ics-card]").forEach(async (card) => {
    let data;
    try {
      const response = await fetch(card.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } });
      data = await response.json();
    } catch (e) {
      data = { ok: false, error: "The calendar file could not be read just now." };
    }
    card.removeAttribute("aria-busy");
    if (!data.ok) {
      card.replaceChildren(el("p", "ics-error", data.error || "The calendar file could not be read."));
      card.classList.add("ics-broken");
      card.dataset.icsReady = "error";
      return;
    }
    renderCard(card, data);
    card.dataset.icsReady = "1";
  });
})();
