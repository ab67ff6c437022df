/* The meeting editor: htmx saves each section; this file keeps what the clerk types safe.
   - a warning before leaving a page with unsaved changes;
   - drafts of unsaved sections in localStorage, offered back when the page is opened again;
   - an expired session asks for the password in place, then sends the save again;
   - structural agenda changes wait until typed item changes are saved. */
(function () {
  "use strict";
  const editor = document.querySelector("[data-editor]");
  if (!editor || !window.htmx) return;
  const strings = document.getElementById("editor-strings").dataset;
  const meetingId = editor.dataset.meeting;
  const announcer = document.getElementById("editor-announce");

  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  // New content is made live (processed by htmx) in the same task as the swap that puts it in
  // and focuses the button the clerk was on: with the default 20 ms settle, an Enter in between
  // reached a button with no htmx behind it and the move was lost.
  htmx.config.defaultSettleDelay = 0;
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];

  // Choices written once in the page and put into each row here, so the grid's rows stay
  // small: the groups of a "Listed under" list (the row carries only its chosen one), the
  // attendance statuses (the row carries its name and value), and the grid's column names
  // shown above each field on a narrow screen.
  function fillChoices(root) {
    // (Written as attributes, so that it also works on a response before htmx swaps it in.)
    root.querySelectorAll("select[data-options]:not([data-filled])").forEach(function (select) {
      const selected = select.querySelector("option[selected]");
      const chosen = selected ? selected.value : "";
      const options = document.getElementById(select.dataset.options).content.cloneNode(true);
      select.replaceChildren(select.querySelector("option"), ...Array.from(options.children));
      Array.from(select.querySelectorAll("option")).forEach(function (option) {
        option.defaultSelected = option.value === chosen;
      });
      select.dataset.filled = "1";
    });
    root.querySelectorAll("[data-radios]:not([data-filled])").forEach(function (fieldset) {
      const html = document.getElementById(fieldset.dataset.radios).innerHTML;
      fieldset.insertAdjacentHTML("afterbegin", html.replace(/__name__/g, fieldset.dataset.name));
      fieldset.querySelectorAll("input").forEach(function (input) {
        input.defaultChecked = input.value === fieldset.dataset.value;
      });
      fieldset.dataset.filled = "1";
    });
    // Each agenda item's move buttons (the same six for every item, some off at the ends).
    root.querySelectorAll("form[data-moves]:not([data-filled])").forEach(function (form) {
      const html = document.getElementById("tpl-moves").innerHTML;
      form.insertAdjacentHTML("afterbegin", html.replace(/__id__/g, form.dataset.moves));
      form.querySelectorAll("[data-off]").forEach(function (button) {
        button.disabled = button.dataset.off in form.dataset;
        button.removeAttribute("data-off");
      });
      form.dataset.filled = "1";
    });
    root.querySelectorAll("table.attendance-grid").forEach(function (table) {
      const heads = Array.from(table.tHead.rows[0].cells).map(function (th) { return th.textContent; });
      table.querySelectorAll("tbody td:not([data-label])").forEach(function (td) {
        if (!td.querySelector("fieldset")) td.dataset.label = heads[td.cellIndex];
      });
    });
  }
  fillChoices(document);
  // A response is filled in before it is swapped in, so that htmx finds the button the clerk
  // was on (an agenda item's "Up") in the new agenda and keeps the focus on it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const response = event.detail.serverResponse;
    if (typeof response !== "string" || !/data-(moves|radios|options)=/.test(response)) return;
    const holder = document.createElement("template");
    holder.innerHTML = response;
    fillChoices(holder.content);
    event.detail.serverResponse = holder.innerHTML;
  });
  document.addEventListener("htmx:afterSwap", function () { fillChoices(document); });

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // Drafts ---------------------------------------------------------------------------------
  const draftKey = (form) => "scrutiny-editor:" + meetingId + ":" + form.id;

  function fieldsOf(form) {
    return Array.from(form.elements).filter(
      (el) => el.name && el.type !== "hidden" && el.type !== "submit" && el.type !== "button"
    );
  }

  function valuesOf(form) {
    const values = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        values[el.name + "=" + el.value] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function applyValues(form, values) {
    fieldsOf(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        const key = el.name + "=" + el.value;
        if (key in values) el.checked = values[key];
      } else if (el.name in values) {
        el.value = values[el.name];
      }
    });
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // How many rows each list of the form holds (its formset's count), so that rows the page
  // added for the clerk are added again before a draft's text is put back into them.
  function rowsOf(form) {
    const rows = {};
    form.querySelectorAll("input[name$='-TOTAL_FORMS']").forEach(function (input) {
      rows[input.name.slice(0, -"-TOTAL_FORMS".length)] = parseInt(input.value, 10) || 0;
    });
    return rows;
  }

  function addRowsFor(form, draft) {
    Object.entries(draft.rows || {}).forEach(function (entry) {
      const prefix = entry[0], wanted = entry[1];
      for (let guard = 0; guard < 200 && (rowsOf(form)[prefix] || 0) < wanted; guard++) {
        if (form.querySelector("template[data-empty-row]")) {
          addRow(form, false, true);
          continue;
        }
        const button = form.querySelector("[data-add-from][data-prefix='" + prefix + "']");
        if (!button) break;
        addFrom(button, false);
      }
    });
    // The review's rows the clerk had opened: their forms are fetched again (without taking
    // the focus), and the text goes back into them once they are in.
    const opened = [];
    Object.keys(draft.values).forEach(function (name) {
      const match = /^rev-(\d+)-/.exec(name);
      if (match && !form.elements["rev-" + match[1] + "-action"] && opened.indexOf(match[1]) === -1) {
        opened.push(match[1]);
      }
    });
    return Promise.all(opened.map(function (id) {
      const button = form.querySelector("#review-row-" + id + " > button[hx-get]");
      if (!button) return null;
      return htmx.ajax("GET", button.getAttribute("hx-get") + "?draft=1", {
        target: "#review-row-" + id,
        swap: "outerHTML",
      });
    }));
  }

  // What the minutes print of a reviewed action, shown open where a draft put text in it.
  function openChangedPrinted(form) {
    form.querySelectorAll("details.printed:not([open])").forEach(function (details) {
      const changed = Array.from(details.querySelectorAll("input")).some(function (input) {
        return input.value !== input.defaultValue;
      });
      if (changed) details.open = true;
    });
  }

  function storeDraft(form) {
    try {
      localStorage.setItem(draftKey(form), JSON.stringify({ at: Date.now(), values: valuesOf(form), rows: rowsOf(form) }));
    } catch (e) { /* storage full or disabled: the unload warning still protects the text */ }
  }

  function dropDraft(form) {
    try { localStorage.removeItem(draftKey(form)); } catch (e) { /* nothing stored */ }
  }

  function readDraft(form) {
    try { return JSON.parse(localStorage.getItem(draftKey(form)) || "null"); } catch (e) { return null; }
  }

  function offerDraft(form) {
    const draft = readDraft(form);
    if (!draft) return;
    if (same(draft.values, valuesOf(form))) { dropDraft(form); return; }
    if (form.querySelector(".draft-offer")) return;
    const when = new Date(draft.at).toLocaleString(document.documentElement.lang || undefined);
    const box = document.createElement("div");
    box.className = "draft-offer";
    box.setAttribute("role", "alert");
    const text = document.createElement("p");
    text.textContent = strings.draft.replace("%(time)s", when);
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn-sm btn-primary";
    restore.textContent = strings.restore;
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-dark";
    discard.textContent = strings.discard;
    restore.addEventListener("click", function () {
      box.remove();
      addRowsFor(form, draft).then(function () {
        applyValues(form, draft.values);
        openChangedPrinted(form);
        markDirty(form);
        announce(strings.restored);
        const first = fieldsOf(form)[0];
        if (first) first.focus();
      });
    });
    discard.addEventListener("click", function () { dropDraft(form); box.remove(); });
    box.append(text, restore, " ", discard);
    form.prepend(box);
  }

  // Unsaved changes --------------------------------------------------------------------------
  function markDirty(form) {
    form.dataset.dirty = "1";
    const status = form.querySelector(".save-status");
    if (status && status.textContent !== strings.unsaved) status.textContent = strings.unsaved;
  }

  function onEdit(event) {
    const form = event.target.form;
    if (!form || !form.hasAttribute("data-section") || !event.target.name) return;
    markDirty(form);
    storeDraft(form);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form[data-dirty='1']")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // The button that submitted a form is sent with it, however it was pressed: htmx remembers
  // only a button that was clicked or focused after the form was made live, and a button
  // focused again after a swap was neither.
  document.addEventListener("htmx:configRequest", function (event) {
    const trigger = event.detail.triggeringEvent;
    const submitter = trigger && trigger.submitter;
    if (submitter && submitter.name) event.detail.parameters[submitter.name] = submitter.value;
  });

  // After each htmx exchange -----------------------------------------------------------------
  let pending = null; // what to send again after signing in

  // A form fetched to be filled in (GET) is not a save: it leaves the drafts alone.
  function fetched(event) {
    const config = event.detail.requestConfig;
    return !!config && String(config.verb).toLowerCase() === "get";
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    const xhr = event.detail.xhr;
    const target = event.detail.target;
    const root = document.getElementById(target.id) || target;
    if (xhr && (xhr.status === 409 || xhr.status === 422)) {
      root.querySelectorAll("form[data-section]").forEach(markDirty);
      const alert = root.querySelector(".conflict, .errorlist, .alert");
      if (alert) announce(alert.textContent.trim().slice(0, 300));
    } else if (xhr && xhr.status < 300 && !root.matches("#agenda") && !fetched(event)) {
      // What came back is what was saved: the drafts of these sections are done with.
      const forms = root.matches("form[data-section]") ? [root] : root.querySelectorAll("form[data-section]");
      forms.forEach(dropDraft);
      const elt = event.detail.elt;
      if (elt && elt.matches && elt.matches("form[data-section]")) {
        dropDraft(elt);
        delete elt.dataset.dirty; // saved in place (only what changed came back)
      }
      // The form that was saved, when what came back is not the form (a raised action's
      // change comes back as the item's list of actions, the board's as its summary).
      const config = event.detail.requestConfig;
      const source = config && config.elt;
      if (source && source.matches && source.matches("form[data-section]")) dropDraft(source);
      const status = root.matches(".save-status") ? root : root.querySelector(".save-status");
      if (status && status.textContent.trim()) announce(status.textContent.trim());
    }
    const version = root.dataset && root.dataset.meetingVersion;
    if (version && xhr && xhr.status < 300) {
      document.querySelectorAll("input.meeting-version").forEach(function (input) {
        input.value = version;
      });
    }
  });

  // Focus goes where the clerk was once the new agenda is live (processed by htmx), so the
  // keyboard can carry on: the moved item's button, or the agenda's heading.
  document.addEventListener("htmx:afterSettle", function (event) {
    const config = event.detail.requestConfig;
    if (config && /[?&]draft=1/.test(config.path)) return; // fetched for a draft, not by the clerk
    const target = document.getElementById(event.detail.target.id) || event.detail.target;
    const root = target.matches("[data-focus]") ? target : target.querySelector("[data-focus]");
    if (!root) return;
    const wanted = document.getElementById(root.dataset.focus);
    if (wanted && !wanted.disabled) {
      wanted.focus();
    } else if (wanted) {
      const next = wanted.parentElement.querySelector("button:not([disabled])");
      (next || document.getElementById("agenda-heading")).focus();
    }
  });

  // The review's "minuted under" lists follow the agenda as it changes, keeping each choice.
  // A row not chosen by hand (data-auto) goes under the item that reviews the actions of the
  // meeting that raised it ("Actions from the meeting held on 31st August 2018", whose dates
  // the server reads into data-reviews), else the first item reviewing actions.
  function reviewingItem(items, on) {
    const reviewing = items.filter(function (li) {
      const own = li.querySelector(".item-own");
      return own && own.hasAttribute("data-reviews");
    });
    const dated = reviewing.find(function (li) {
      return on && li.querySelector(".item-own").dataset.reviews.split(" ").indexOf(on) !== -1;
    });
    return dated || reviewing[0] || null;
  }

  function refreshItemChoices() {
    const items = Array.from(document.querySelectorAll("#agenda [data-item-id]"));
    document.querySelectorAll("select.item-choice").forEach(function (select) {
      let chosen = select.value;
      const blank = select.options[0].cloneNode(true);
      select.replaceChildren(blank);
      items.forEach(function (li) {
        const own = li.querySelector(".item-own");
        const option = new Option((own && own.dataset.itemLabel) || li.dataset.itemLabel, li.dataset.itemId);
        select.add(option);
      });
      if (select.hasAttribute("data-auto")) {
        const row = select.closest(".review-row");
        const best = reviewingItem(items, row && row.dataset.raisedOn);
        if (best) chosen = best.dataset.itemId;
      }
      select.value = chosen;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select.item-choice")) event.target.removeAttribute("data-auto");
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    const id = event.detail.target.id || "";
    if (id === "agenda" || /^review/.test(id) || /^item-\d+-own$/.test(id)) refreshItemChoices();
  });
  refreshItemChoices();

  // Drafts are offered when the page opens, when the agenda comes back after a change, and
  // whenever a form is fetched to be filled in.
  document.querySelectorAll("form[data-section]").forEach(offerDraft);
  document.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail.target;
    const id = target.id;
    if (id === "agenda" || /^item-\d+-raise$/.test(id) || fetched(event)) {
      const root = document.getElementById(id) || target;
      const forms = root.matches("form[data-section]") ? [root] : root.querySelectorAll("form[data-section]");
      forms.forEach(offerDraft);
    }
  });
  // Forms fetched on demand, by their id, and the button that fetches each: a draft of one
  // that was open when the page went has its form fetched again, with the offer.
  const onDemand = [
    [/^form-raise-(\d+)$/, (id) => "#item-" + id + "-raise > button[hx-get]"],
    [/^form-action-(\d+)$/, (id) => "#change-action-" + id],
    [/^form-named$/, () => "#named-change"],
    [/^form-board$/, () => "#board-change"],
  ];
  function fetchDraftForms() {
    const prefix = "scrutiny-editor:" + meetingId + ":";
    Object.keys(localStorage).forEach(function (key) {
      if (key.indexOf(prefix) !== 0) return;
      const formId = key.slice(prefix.length);
      if (document.getElementById(formId)) return;
      onDemand.forEach(function (entry) {
        const match = entry[0].exec(formId);
        const button = match && document.querySelector(entry[1](match[1]));
        if (!button || !button.getAttribute("hx-get")) return;
        // The button's own target and swap; "draft" leaves the focus where it is.
        htmx.ajax("GET", button.getAttribute("hx-get") + "?draft=1", { source: button });
      });
    });
  }
  try { fetchDraftForms(); } catch (e) { /* storage disabled: nothing was kept */ }
  // Cancelling a fetched form discards what was typed into it, draft and all.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const config = event.detail.requestConfig;
    if (!config || !/[?&]cancel=1/.test(config.path)) return;
    const form = event.detail.elt.closest && event.detail.elt.closest("form[data-section]");
    if (!form) return;
    dropDraft(form);
    delete form.dataset.dirty;
  });

  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail.xhr.status;
    if (status === 401 || status === 403 && /csrf/i.test(event.detail.xhr.responseText)) {
      pending = event.detail.elt;
      const dialog = document.getElementById("reauth");
      document.getElementById("reauth-error").textContent = "";
      dialog.showModal();
      document.getElementById("reauth-password").focus();
    } else {
      announce(strings.failed);
    }
  });

  document.addEventListener("htmx:sendError", function () { announce(strings.network); });

  // Signing in again in place ------------------------------------------------------------------
  document.getElementById("reauth-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const form = event.target;
    const headers = JSON.parse(editor.getAttribute("hx-headers"));
    fetch(editor.dataset.reauthUrl, {
      method: "POST",
      body: new FormData(form),
      headers: headers,
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok || !result.data.ok) {
        document.getElementById("reauth-error").textContent = (result.data.errors || []).join(" ");
        return;
      }
      editor.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": result.data.csrf }));
      document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
        input.value = result.data.csrf;
      });
      form.reset();
      document.getElementById("reauth").close();
      const again = pending;
      pending = null;
      if (again) htmx.trigger(again, again.tagName === "FORM" ? "submit" : "click");
    }).catch(function () {
      document.getElementById("reauth-error").textContent = strings.network;
    });
  });

  // Agenda changes that reload the agenda ---------------------------------------------------
  document.addEventListener("htmx:confirm", function (event) {
    const elt = event.detail.elt;
    const agenda = document.getElementById("agenda");
    if (elt.hasAttribute("data-structural") && agenda.querySelector("form[data-dirty='1']")) {
      event.preventDefault();
      announce(strings.saveFirst);
      window.alert(strings.saveFirst);
      return;
    }
    const trigger = event.detail.triggeringEvent;
    const submitter = trigger && trigger.submitter;
    let message = (submitter && submitter.dataset.confirm) || elt.dataset.confirm;
    if (submitter && "confirmDeleteItem" in submitter.dataset) {
      message = strings.deleteItem.replace("%(label)s", submitter.closest("[data-item-label]").dataset.itemLabel);
    }
    if (message) {
      event.preventDefault();
      if (window.confirm(message)) event.detail.issueRequest(true);
    }
  });

  // Dragging items (an enhancement beside the Up and Down buttons, which stay the keyboard's
  // way): an item dropped elsewhere among its siblings is moved there by the same move
  // request, as so many steps up or down.
  function makeSortable() {
    if (!window.Sortable) return;
    document.querySelectorAll("#agenda ol.agenda-tree").forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      // The handle is the script's: without it there is nothing to drag.
      Array.from(list.children).forEach(function (li) {
        const bar = li.querySelector(".item-bar");
        if (!bar || bar.querySelector(".drag-handle")) return;
        const handle = document.createElement("span");
        handle.className = "drag-handle";
        handle.setAttribute("aria-hidden", "true");
        handle.title = strings.drag;
        handle.textContent = "\u283F";
        bar.prepend(handle);
      });
      Sortable.create(list, {
        handle: ".drag-handle",
        draggable: "li.agenda-item",
        forceFallback: true,
        onEnd: function (event) {
          const from = event.oldDraggableIndex, to = event.newDraggableIndex;
          if (event.from !== event.to || from === to) return;
          const form = event.item.querySelector("form.item-moves");
          const agenda = document.getElementById("agenda");
          if (agenda.querySelector("form[data-dirty='1']")) {
            // Put it back: the agenda would reload over unsaved text.
            const items = Array.from(list.children).filter(function (li) { return li !== event.item; });
            list.insertBefore(event.item, items[from] || null);
            announce(strings.saveFirst);
            window.alert(strings.saveFirst);
            return;
          }
          htmx.ajax("POST", form.getAttribute("hx-post"), {
            source: form,
            target: "#agenda",
            swap: "outerHTML",
            values: { op: to < from ? "up" : "down", steps: String(Math.abs(to - from)) },
          });
        },
      });
    });
  }
  makeSortable();
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target.id === "agenda") makeSortable();
  });

  function hiddenInput(form, name, value) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.prepend(input);
    return input;
  }

  // A blank question from the page's template ----------------
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-from]");
    if (button) addFrom(button, true);
  });

  function addFrom(button, focus) {
    let html = document.getElementById(button.dataset.addFrom).innerHTML;
    const data = button.dataset;
    let form = null;
    if (data.prefix) {
      form = button.closest("form");
      let total = form.querySelector("input[name='" + data.prefix + "-TOTAL_FORMS']");
      if (!total) {
        // The item's first row of this kind: its counts go with it.
        total = hiddenInput(form, data.prefix + "-TOTAL_FORMS", "0");
        hiddenInput(form, data.prefix + "-INITIAL_FORMS", "0");
      }
      const index = parseInt(total.value, 10);
      html = html.replace(/__formset__/g, data.prefix).replace(/__prefix__/g, String(index));
      total.value = String(index + 1);
    }
    let into = document.getElementById(data.into);
    if (!into) {
      into = document.createElement("div");
      into.id = data.into;
      button.parentElement.before(into);
    }
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const added = holder.firstElementChild;
    into.append(added);
    htmx.process(added);
    if (form) markDirty(form);
    const first = added.querySelector("textarea, input:not([type=hidden]), select");
    if (first && focus) first.focus();
  }

  // Attendance: another row. The grid always ends with a blank row to type the next person
  // into; typing a name there opens the next one, so no button is needed between people.
  function isBlankRow(row) {
    const person = row.querySelector("input[name$='-person']");
    const name = row.querySelector("input[name$='-name']:not([type=hidden])");
    return !!name && !name.value && !(person && person.value);
  }

  function addRow(form, focus, always) {
    const body = form.querySelector("[data-rows]");
    const last = body.lastElementChild;
    if (last && isBlankRow(last) && !always) {
      if (focus) last.querySelector("input:not([type=hidden])").focus();
      return;
    }
    const total = form.querySelector("input[name$='-TOTAL_FORMS']");
    const index = parseInt(total.value, 10);
    const template = form.querySelector("template[data-empty-row]");
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    fillChoices(form); // the form: the grid's column names go over the new row's fields too
    total.value = String(index + 1);
    if (focus) body.lastElementChild.querySelector("input:not([type=hidden])").focus();
  }

  function ensureBlankRow() {
    const form = document.getElementById("form-attendance");
    if (form) addRow(form, false);
  }
  ensureBlankRow();
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target.id === "attendance") ensureBlankRow();
  });

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-row]");
    if (!button) return;
    addRow(button.closest("form"), true);
  });

  document.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.matches("#form-attendance input[name$='-name']") || !input.value) return;
    const row = input.closest("tr");
    if (row === row.parentElement.lastElementChild) addRow(input.form, false);
  });

  // Owners typed by commas ("ACC, HoSPC"): the field's list of posts offers the next post after
  // what is typed already, so the browser's own suggestions (keyboard and screen reader
  // friendly) complete each name in turn. The server checks every name against the body.
  const ownerPosts = new WeakMap();
  function offerOwners(input) {
    const list = input.list;
    if (!list) return;
    if (!ownerPosts.has(list)) {
      ownerPosts.set(list, Array.from(list.options).map(function (o) { return [o.value, o.label]; }));
    }
    const cut = input.value.lastIndexOf(",");
    const typed = cut === -1 ? "" : input.value.slice(0, cut + 1).trim() + " ";
    const chosen = typed.split(",").map(function (s) { return s.trim().toLowerCase(); });
    const options = ownerPosts.get(list)
      .filter(function (post) { return chosen.indexOf(post[0].toLowerCase()) === -1; })
      .map(function (post) { return new Option(post[1], typed + post[0]); });
    list.replaceChildren.apply(list, options);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-owners]")) offerOwners(event.target);
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-owners]")) offerOwners(event.target);
  });

  // Review: what the minutes print of an action, opened by the clerk: the focus goes into it.
  document.addEventListener("toggle", function (event) {
    const details = event.target;
    if (!details.matches || !details.matches("details.printed") || !details.open) return;
    if (!details.contains(document.activeElement)) return; // opened by the page, not the clerk
    const first = details.querySelector("input");
    if (first) first.focus();
  }, true);

  // Review: find an action by its number or words ---------------------------------------------
  function matches(row, query) {
    const q = query.trim().toLowerCase();
    if (!q) return true;
    const ref = row.dataset.ref.toLowerCase();
    const compact = q.replace(/\s+/g, "");
    if (/^\d+$/.test(compact)) return ref.replace(/^\D+/, "") === compact;
    if (/^[a-z&]+\d+$/.test(compact)) return ref.replace(/\s+/g, "") === compact;
    const text = row.querySelector(".review-action").textContent.toLowerCase();
    return q.split(/\s+/).every(function (word) { return text.indexOf(word) !== -1; });
  }

  // Enter in the search opens the one action found, as its "Record progress" would; it never
  // sends the review.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-review-filter]")) return;
    event.preventDefault();
    const shown = Array.from(document.querySelectorAll(".review-row")).filter(function (row) {
      return !row.hidden;
    });
    if (shown.length !== 1) return;
    const button = shown[0].querySelector(":scope > button[hx-get]");
    if (button) button.click();
  });

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-review-filter]")) return;
    const rows = document.querySelectorAll(".review-row");
    let shown = 0;
    rows.forEach(function (row) {
      const hit = matches(row, event.target.value);
      row.hidden = !hit;
      if (hit) shown += 1;
    });
    document.getElementById("review-count").textContent = shown + " / " + rows.length;
  });
})();
