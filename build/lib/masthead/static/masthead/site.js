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
