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
      const account = document.querySelector("[data-account-link]");
      if (account && visitor.name) account.textContent = visitor.name;
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

// Comments load from their own address (the article page stays the same for every reader); the forms in them
// answer in place. Without this script, the section's link leads to the plain comments page, which works alone.
const commentsSection = document.querySelector("[data-comments]");

async function discussionLoad(section, url) {
  // Always asked of the server (a copy kept from before signing in would show no form): a reader without a
  // session gets a 304 from the caches.
  const response = await fetch(url, { credentials: "same-origin", cache: "no-cache", headers: { Accept: "text/html" } });
  if (!response.ok) return;
  discussionShow(section, await response.text());
}

function discussionShow(section, html, focusStatus) {
  const old = section.querySelector("[data-discussion]");
  const fragment = document.createRange().createContextualFragment(html);
  if (old) old.replaceWith(fragment);
  else section.querySelector(".comments-section__link").replaceWith(fragment);
  const discussion = section.querySelector("[data-discussion]");
  const count = section.querySelector("[data-comment-count]");
  if (count && discussion) count.textContent = `(${discussion.dataset.count})`;
  const status = discussion && discussion.querySelector("[role=status]");
  if (focusStatus && status && status.textContent.trim()) status.focus();
}

if (commentsSection) {
  const url = new URL(commentsSection.dataset.comments, window.location.href);
  url.searchParams.set("fragment", "items");
  discussionLoad(commentsSection, url).catch(() => {});

  commentsSection.addEventListener("click", (event) => {
    const link = event.target.closest("[data-discussion-link]");
    if (!link) return;
    event.preventDefault();
    const target = new URL(link.href);
    target.searchParams.set("fragment", "items");
    discussionLoad(commentsSection, target).catch(() => (window.location.href = link.href));
  });

  commentsSection.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-comment-form]");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "text/html", "X-Requested-With": "fetch" },
      });
      discussionShow(commentsSection, await response.text(), true);
    } catch (error) {
      form.submit();
    }
  });
}

// One view beacon per page: no cookie, nothing stored in the browser (masthead/analytics counts a reader once
// per page per day without knowing who). The narration's first play on the page is counted the same way.
const counted = document.body.dataset.count;
const sendView = (what) => {
  if (!navigator.sendBeacon) return;
  const query = new URLSearchParams(window.location.search);
  const view = { c: what, r: document.referrer, s: query.get("utm_source") || "", m: query.get("utm_medium") || "" };
  navigator.sendBeacon("/_view/", JSON.stringify(view));
};
if (counted) sendView(counted);
document.querySelectorAll(".narration__audio").forEach((audio) => {
  audio.addEventListener("play", () => {
    if (document.body.dataset.pageId) sendView(`play:${document.body.dataset.pageId}`);
  }, { once: true });
});
