/* The demo site's "marketing pixel": it sets its own cookie, so the banner's effect can be seen. */
document.cookie = "_mainio_ads=" + Math.random().toString(16).slice(2) + "; Max-Age=15552000; Path=/; SameSite=Lax";
var shown = document.getElementById("marketing-state");
if (shown) shown.textContent = shown.getAttribute("data-on");
