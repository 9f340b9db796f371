/* Cookie consent banner of the customer register (notice §10).
   No framework. Only the consent cookie (strictly necessary) is set before a
   choice; scripts marked <script type="text/plain" data-category="KEY"
   data-src="URL" data-cookies="NAME,..."> run only once their category is
   chosen. Accept and reject are equally prominent; nothing is pre-ticked;
   Global Privacy Control refuses marketing; the choice can be changed or
   withdrawn from the link the banner leaves on every page. */
(function () {
  "use strict";
  var C = /*CONFIG*/ null;
  var script = document.currentScript;
  var base = new URL(script.src, location.href).origin;
  var asked = (script.getAttribute("data-lang") || document.documentElement.lang || "fi").slice(0, 2);
  var lang = C.languages.indexOf(asked) >= 0 ? asked : C.languages[0];
  var T = C.texts[lang];
  var NAME = "rekisteri_consent";
  var gpc = navigator.globalPrivacyControl === true;
  var box = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function read() {
    var match = document.cookie.match(new RegExp("(?:^|; )" + NAME + "=([^;]*)"));
    if (!match) return null;
    var parts = decodeURIComponent(match[1]).split("|");
    if (parts.length !== 5 || parts[0] !== "1" || !/^[0-9a-f]{32}$/.test(parts[1])) return null;
    return { visitor: parts[1], notice: parts[2], decided: Number(parts[3]), cats: parts[4] ? parts[4].split(".") : [] };
  }

  function inForce(state) {
    if (!state || state.notice !== C.notice) return false;
    var lapses = new Date(state.decided * 1000);
    lapses.setMonth(lapses.getMonth() + C.months);
    return Date.now() < lapses.getTime();
  }

  function newVisitor() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function write(visitor, cats) {
    var value = ["1", visitor, C.notice, Math.floor(Date.now() / 1000), cats.join(".")].join("|");
    document.cookie = NAME + "=" + encodeURIComponent(value) + "; Max-Age=" + (C.lifetimeDays * 86400) +
      "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }

  function expire(name) {
    var host = location.hostname;
    var domains = ["", "; Domain=" + host, "; Domain=." + host.split(".").slice(-2).join(".")];
    domains.forEach(function (d) {
      document.cookie = name + "=; Max-Age=0; Path=/" + d;
    });
  }

  function apply(cats) {
    var tags = document.querySelectorAll('script[type="text/plain"][data-category]');
    Array.prototype.forEach.call(tags, function (tag) {
      var key = tag.getAttribute("data-category");
      if (cats.indexOf(key) < 0) {
        (tag.getAttribute("data-cookies") || "").split(",").forEach(function (n) { if (n.trim()) expire(n.trim()); });
        return;
      }
      if (tag.hasAttribute("data-started")) return;
      tag.setAttribute("data-started", "");
      var run = document.createElement("script");
      run.src = tag.getAttribute("data-src");
      tag.parentNode.insertBefore(run, tag.nextSibling);
    });
    document.dispatchEvent(new CustomEvent("rekisteri:consent", { detail: { categories: cats.slice() } }));
  }

  function record(visitor, cats) {
    var body = JSON.stringify({ visitor: visitor, categories: cats, notice: C.notice, language: lang, gpc: gpc });
    // A simple request: no preflight, no cookies of the register's own, nothing to read back.
    return fetch(base + "/consent/decisions", {
      method: "POST", mode: "no-cors", credentials: "omit", keepalive: true,
      headers: { "Content-Type": "text/plain" }, body: body
    }).catch(function () { /* the choice holds in the browser; it is asked again if unknown */ });
  }

  function decide(cats) {
    var before = read();
    var visitor = before ? before.visitor : newVisitor();
    if (gpc) cats = cats.filter(function (k) { return C.marketing.indexOf(k) < 0; });
    write(visitor, cats);
    var removed = before ? before.cats.filter(function (k) { return cats.indexOf(k) < 0; }) : [];
    var hadFocus = box && box.contains(document.activeElement);
    close();
    // A keyboard user is not dropped back to the top of the page.
    if (hadFocus) reopen.focus();
    record(visitor, cats).then(function () {
      // A script already running cannot be stopped: start the page afresh without it.
      if (removed.length) location.reload();
    });
    if (!removed.length) apply(cats);
  }

  function optional() {
    return C.categories.filter(function (c) { return !c.necessary; }).map(function (c) { return c.key; });
  }

  function close() {
    if (box) { box.remove(); box = null; }
    reopen.hidden = false;
  }

  function open(focus) {
    if (box) return;
    var state = read();
    var current = inForce(state) ? state.cats : [];
    box = el("section", { "class": "rk-banner", role: "region", "aria-labelledby": "rk-title", lang: lang });
    var title = el("h2", { id: "rk-title", tabindex: "-1" }, T.title);
    box.appendChild(title);
    var intro = el("p", {}, T.intro + " ");
    intro.appendChild(el("a", { href: C.noticeUrl[lang] }, T.notice));
    box.appendChild(intro);
    if (gpc) box.appendChild(el("p", { "class": "rk-gpc" }, T.gpc));
    var details = el("fieldset", { "class": "rk-details" });
    details.hidden = true;
    details.appendChild(el("legend", {}, T.choose));
    C.categories.forEach(function (c) {
      var id = "rk-cat-" + c.key;
      var row = el("div", { "class": "rk-cat" });
      var input = el("input", { type: "checkbox", id: id, value: c.key, "aria-describedby": id + "-d" });
      var refused = gpc && C.marketing.indexOf(c.key) >= 0;
      input.checked = c.necessary || (current.indexOf(c.key) >= 0 && !refused);
      input.disabled = c.necessary || refused;
      row.appendChild(input);
      row.appendChild(el("label", { "for": id }, c.name[lang] + (c.necessary ? " (" + T.always + ")" : refused ? " (" + T.gpcShort + ")" : "")));
      row.appendChild(el("p", { id: id + "-d" }, c.description[lang]));
      details.appendChild(row);
    });
    box.appendChild(details);
    var buttons = el("div", { "class": "rk-buttons" });
    var accept = el("button", { type: "button", "class": "rk-button" }, T.accept);
    var reject = el("button", { type: "button", "class": "rk-button" }, T.reject);
    var choose = el("button", { type: "button", "class": "rk-button" }, T.settings);
    var save = el("button", { type: "button", "class": "rk-button" }, T.save);
    save.hidden = true;
    accept.addEventListener("click", function () { decide(optional()); });
    reject.addEventListener("click", function () { decide([]); });
    choose.addEventListener("click", function () {
      details.hidden = false; save.hidden = false; choose.hidden = true;
      details.querySelector("input:not([disabled])").focus();
    });
    save.addEventListener("click", function () {
      var ticked = details.querySelectorAll("input:checked:not([disabled])");
      decide(Array.prototype.map.call(ticked, function (i) { return i.value; }));
    });
    [accept, reject, choose, save].forEach(function (b) { buttons.appendChild(b); });
    box.appendChild(buttons);
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && inForce(read())) { close(); reopen.focus(); }
    });
    document.body.insertBefore(box, document.body.firstChild);
    reopen.hidden = true;
    if (focus) title.focus();
  }

  var css = el("link", { rel: "stylesheet", href: base + C.css });
  document.head.appendChild(css);
  var reopen = el("button", { type: "button", "class": "rk-reopen" }, T.reopen);
  reopen.addEventListener("click", function () { open(true); });

  function start() {
    document.body.appendChild(reopen);
    Array.prototype.forEach.call(document.querySelectorAll("[data-rekisteri-cookie-settings]"), function (a) {
      a.addEventListener("click", function (e) { e.preventDefault(); open(true); });
    });
    var state = read();
    if (inForce(state)) {
      apply(state.cats.filter(function (k) { return !(gpc && C.marketing.indexOf(k) >= 0); }));
    } else {
      open(false);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
