/* The demo site's "analytics": it sets its own cookie, so the banner's effect can be seen. */
document.cookie = "_mainio_analytics=" + Math.random().toString(16).slice(2) + "; Max-Age=34214400; Path=/; SameSite=Lax";
var shown = document.getElementById("analytics-state");
if (shown) shown.textContent = shown.getAttribute("data-on");
