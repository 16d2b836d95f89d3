// Masthead's one small script. The pages work without it; it only enhances.
// "Load more" on the News Feed appends the next page in place instead of navigating.
document.addEventListener("click", async (event) => {
  const link = event.target.closest("[data-load-more]");
  if (!link) return;
  const feed = document.querySelector("[data-feed]");
  if (!feed) return;
  event.preventDefault();
  const url = new URL(link.href);
  url.searchParams.set("fragment", "items");
  link.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(response.statusText);
    feed.insertAdjacentHTML("beforeend", await response.text());
    const next = Number(url.searchParams.get("page")) + 1;
    const hasMore = response.headers.get("X-Has-More") === "1";
    if (hasMore) {
      url.searchParams.delete("fragment");
      url.searchParams.set("page", String(next));
      link.href = url.toString();
      link.removeAttribute("aria-busy");
    } else {
      link.closest(".load-more").remove();
    }
  } catch (error) {
    window.location.href = link.href;
  }
});

// Pages are the same for every reader (so caches can keep them). Someone signed in asks for what is theirs:
// the edit link and Wagtail's userbar.
if (document.cookie.split("; ").includes("masthead_signed_in=1")) {
  const url = new URL("/_visitor/", window.location.href);
  if (document.body.dataset.pageId) url.searchParams.set("page", document.body.dataset.pageId);
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((visitor) => {
      if (!visitor || !visitor.signed_in) return;
      const heading = document.querySelector("main h1");
      if (visitor.edit_url && heading) {
        const paragraph = document.createElement("p");
        const link = document.createElement("a");
        paragraph.className = "staff-only";
        link.href = visitor.edit_url;
        link.textContent = visitor.edit_label;
        paragraph.append(link);
        heading.before(paragraph);
      }
      if (visitor.userbar) {
        document.body.append(document.createRange().createContextualFragment(visitor.userbar));
      }
    })
    .catch(() => {});
}

// Newsletter sign-ups answer in place (the form still works without this: POST, redirect, message).
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("[data-subscribe]");
  if (!form) return;
  event.preventDefault();
  const status = form.querySelector(".form__status");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const answer = await response.json();
    const errors = answer.errors ? Object.values(answer.errors).flat() : [];
    status.textContent = answer.ok ? answer.message : answer.message || errors.join(" ");
    if (answer.ok) form.reset();
  } catch (error) {
    form.submit();
  } finally {
    button.disabled = false;
  }
});
