// Ghost's own JavaScript client (@tryghost/content-api, from npm) reading a served Masthead, as a program
// written for Ghost would. Prints one JSON object: each call's result, or the error the client threw.
// Usage: node ghost_client.js <site url> <key>
const GhostContentAPI = require("@tryghost/content-api");

const [url, key] = process.argv.slice(2);
const results = {};

async function attempt(name, call) {
    try {
        results[name] = { ok: await call() };
    } catch (error) {
        const { message, name: kind, type, code, context } = error;
        results[name] = { error: { message, name: kind, type, code, context, status: error.response?.status } };
    }
}

(async () => {
    const api = new GhostContentAPI({ url, key, version: "v5.0" });
    await attempt("browse", async () => {
        const posts = await api.posts.browse({ limit: 2, include: ["tags", "authors"], filter: "tag:news" });
        return {
            isArray: Array.isArray(posts),
            slugs: posts.map((post) => post.slug),
            meta: posts.meta,
            tags: posts[0].tags.map((tag) => tag.slug),
            primaryAuthor: posts[0].primary_author.slug,
        };
    });
    await attempt("readBySlug", async () => {
        const post = await api.posts.read({ slug: "bridge" }, { formats: ["html", "plaintext"] });
        return { isArray: Array.isArray(post), id: post.id, title: post.title, html: post.html, plaintext: post.plaintext };
    });
    await attempt("readById", async () => {
        const first = await api.posts.read({ slug: "bridge" });
        const again = await api.posts.read({ id: first.id });
        return { same: again.uuid === first.uuid, slug: again.slug };
    });
    await attempt("fieldsAndLimitAll", async () => {
        const posts = await api.posts.browse({ fields: "title,url", limit: "all" });
        return { keys: Object.keys(posts[0]), count: posts.length, limit: posts.meta.pagination.limit };
    });
    await attempt("tags", async () => {
        const tags = await api.tags.browse({ include: "count.posts", order: "count.posts desc" });
        return tags.map((tag) => [tag.slug, tag.count.posts]);
    });
    await attempt("author", async () => {
        const author = await api.authors.read({ slug: "olena" }, { include: "count.posts" });
        return { name: author.name, count: author.count.posts, url: author.url };
    });
    await attempt("pages", async () => (await api.pages.browse()).map((page) => page.slug));
    await attempt("settings", async () => {
        const settings = await api.settings.browse();
        return { title: settings.title, url: settings.url, isArray: Array.isArray(settings) };
    });
    await attempt("missing", () => api.posts.read({ slug: "no-such-story" }));
    await attempt("badFilter", () => api.posts.browse({ filter: "tag:" }));
    await attempt("badKey", () => new GhostContentAPI({ url, key: "0".repeat(26), version: "v5.0" }).posts.browse());
    await attempt("ghost6Client", async () => {
        const posts = await new GhostContentAPI({ url, key, version: "v6.0" }).posts.browse({ limit: 1 });
        return posts.length;
    });
    process.stdout.write(JSON.stringify(results));
})();
